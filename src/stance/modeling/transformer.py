"""Fine-tuning and serving a Hugging Face sequence classifier."""

from __future__ import annotations

import atexit
import json
import logging
import math
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stance.modeling.calibration import temperature_of
from stance.modeling.checkpoints import MANIFEST, check_checkpoint, seal
from stance.modeling.distill import SOFT, Distillation, DistillCollator, distill_loss, distill_train_set
from stance.modeling.inputs import model_input_names, predict_sorted, tokenize_dataset
from stance.modeling.metrics import classification_metrics

log = logging.getLogger(__name__)

MetricsSink = Callable[[dict[str, float], int], None]
POOLINGS = ("cls", "mean")  # the checkpoint's [CLS] pooler, or the masked mean of its token vectors


def _torch():
    import torch

    return torch


def resolve_pretrained(pretrained: str) -> str:
    """A hub id or folder as is; an MLflow model URI (`models:/name@alias`, `runs:/…`) becomes the local
    folder of the stance model logged there, so a registered model can be fine-tuned further."""
    if not pretrained.startswith(("models:/", "runs:/", "mlflow-artifacts:/")):
        return pretrained
    import mlflow

    # into a temp folder: downloading never writes into the store (MLflow adds registered_model_meta)
    tmp = tempfile.mkdtemp(prefix="stance-base-")
    atexit.register(shutil.rmtree, tmp, True)
    local = Path(mlflow.artifacts.download_artifacts(artifact_uri=pretrained, dst_path=tmp))
    for candidate in (local / "artifacts" / "model", local):
        if (candidate / "config.json").is_file():
            log.info("fine-tuning from %s (%s)", pretrained, candidate)
            return str(candidate)
    raise FileNotFoundError(f"{pretrained}: no transformer checkpoint inside (is it a TF-IDF model?)")


class TransformerClassifier:
    """A pretrained encoder with a classification head, trained with the HF Trainer.

    `pretrained` is a local folder or a hub id; with HF_HUB_OFFLINE=1 only local files are used.
    """

    kind = "transformer"
    backend = "torch"
    takes_datasets = True  # fit() tokenises `datasets.Dataset`s with a cached `map`
    supports_distill = True  # fit() takes `distill=` (stance.modeling.distill)

    def __init__(
        self,
        pretrained: str,
        max_length: int = 128,
        sha256: str | None = None,
        name: str = "transformer",
        labels: Sequence[str] | None = None,
        input_mode: str = "text",
        revision: str | None = None,
        pooling: str = "cls",
        allow_pickle_weights: bool = False,
    ):
        if pooling not in POOLINGS:
            raise ValueError(f"model.pooling must be one of {POOLINGS}, got '{pooling}'")
        self.pooling = pooling
        self.allow_pickle_weights = bool(allow_pickle_weights)  # pytorch_model.bin-only checkpoints
        self.pretrained = str(pretrained)
        self.max_length = int(max_length)
        self.sha256 = sha256
        self.name = name
        self.revision = revision
        self.labels = list(labels) if labels else []
        self.input_mode = input_mode
        self.model = None
        self.tokenizer = None
        self.checks: dict[str, Any] = {}  # recorded in the manifest, e.g. the int8 check (modeling.backends)
        self.calibration: dict[str, Any] = {}  # temperature scaling fitted on dev (modeling.calibration); {} = T 1

    # ---- building -------------------------------------------------------------------------------
    def _load_pretrained(self, labels: Sequence[str]) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        source = resolve_pretrained(self.pretrained)
        if Path(source).is_dir():
            check_checkpoint(source, self.sha256, self.allow_pickle_weights)
        elif self.sha256:
            log.warning("model.sha256 is only checked for local folders; %s is a hub id", source)
        kwargs: dict[str, Any] = {"revision": self.revision} if self.revision else {}
        self.tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
        self.labels = list(labels)
        if self.pooling == "mean":
            from stance.modeling.pooling import MeanPoolClassifier

            self.model = MeanPoolClassifier.from_encoder(source, len(labels), **kwargs)
            self.model.config.id2label = dict(enumerate(labels))
            self.model.config.label2id = {label: i for i, label in enumerate(labels)}
            return
        self.model = AutoModelForSequenceClassification.from_pretrained(
            source,
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            ignore_mismatched_sizes=True,
            **kwargs,
        )

    def tokenized(self, rows: Any, labels: Sequence[str]) -> Any:
        """Token ids and label ids for the Trainer: a `datasets.Dataset` through a cached `Dataset.map`
        (a pandas frame is converted first, uncached)."""
        import datasets

        if isinstance(rows, pd.DataFrame):
            rows = datasets.Dataset.from_pandas(rows.reset_index(drop=True), preserve_index=False)
        return tokenize_dataset(rows, self.tokenizer, self.max_length, self.input_mode, labels)

    # ---- training -------------------------------------------------------------------------------
    def fit(
        self,
        train: Any,
        dev: Any,
        labels: Sequence[str],
        input_mode: str,
        train_cfg: dict[str, Any],
        seed: int,
        work_dir: str | Path,
        log_metrics: MetricsSink | None = None,
        distill: Distillation | None = None,
    ) -> dict[str, float]:
        """Fine-tune, evaluating on dev each epoch; keeps the best epoch by macro-F1 (early stopping).

        `train` and `dev` are `datasets.Dataset`s (as `stance.data.load_dataset` gives) or pandas frames.
        `distill` adds a teacher's soft targets (gold rows and unlabelled pool rows) and the distillation loss;
        dev stays gold only and is evaluated as without it.
        """
        from transformers import (
            DataCollatorWithPadding,
            EarlyStoppingCallback,
            Trainer,
            TrainerCallback,
            TrainingArguments,
            set_seed,
        )

        torch = _torch()
        self.input_mode = input_mode
        set_seed(seed)  # before the head is initialised, so the same seed gives the same model
        self._load_pretrained(labels)
        train_ds = self.tokenized(train, labels)
        # Dev in token-length order: each eval batch is padded only to its own longest quote, not to the longest
        # of a random batch (several times faster on CPU). The metrics do not depend on the order.
        dev_ds = self.tokenized(dev, labels)
        dev_ds = dev_ds.select(np.argsort([len(ids) for ids in dev_ds["input_ids"]], kind="stable"))

        weights = None
        if train_cfg.get("class_weights"):
            counts = np.bincount(train_ds["labels"], minlength=len(labels)).astype(float)
            weights = torch.tensor(len(train_ds) / (len(labels) * np.maximum(counts, 1.0)), dtype=torch.float)
            log.info("class weights: %s", dict(zip(labels, weights.tolist())))
        gold_rows = len(train_ds)
        if distill is not None:  # after the class weights: those count gold rows only
            train_ds = distill_train_set(train_ds, distill, len(labels), lambda ds: self.tokenized(ds, labels))

        class _WeightedTrainer(Trainer):
            def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
                if weights is None and distill is None:
                    return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
                soft = inputs.pop(SOFT, None)
                targets = inputs.pop("labels")
                outputs = model(**inputs)
                if distill is None:
                    loss = torch.nn.functional.cross_entropy(
                        outputs.logits, targets, weight=weights.to(outputs.logits.device)
                    )
                else:
                    loss = distill_loss(outputs.logits, targets, soft, distill.alpha, distill.temperature, weights)
                return (loss, outputs) if return_outputs else loss

        class _Sink(TrainerCallback):
            """Forward epoch-level train/eval metrics under our stable names."""

            def on_log(self, args, state, control, logs=None, **kwargs):
                if not logs or log_metrics is None:
                    return
                out = {}
                if "loss" in logs:
                    out["train_loss"] = float(logs["loss"])
                for key, value in logs.items():
                    if (
                        key.startswith("eval_")
                        and isinstance(value, (int, float))
                        and not key.endswith(("_runtime", "_per_second"))
                    ):
                        out[key] = float(value)
                if out:
                    out["epoch"] = float(logs.get("epoch", state.epoch or 0))
                    log_metrics(out, int(state.global_step))

        def compute_metrics(pred) -> dict[str, float]:
            logits = pred.predictions[0] if isinstance(pred.predictions, tuple) else pred.predictions
            return classification_metrics(pred.label_ids, np.argmax(logits, axis=-1), labels)

        hf_args = dict(train_cfg.get("hf_args") or {})
        max_steps = int(train_cfg.get("max_steps", -1) or -1)
        # A step budget (smoke runs) evaluates and saves once at the end; otherwise once per epoch.
        schedule: dict[str, Any] = {"eval_strategy": "epoch", "save_strategy": "epoch", "logging_strategy": "epoch"}
        if max_steps > 0:
            schedule = {
                "eval_strategy": "steps",
                "save_strategy": "steps",
                "logging_strategy": "steps",
                "eval_steps": max_steps,
                "save_steps": max_steps,
                "logging_steps": max_steps,
            }
        args = TrainingArguments(
            output_dir=str(Path(work_dir) / "checkpoints"),
            num_train_epochs=float(train_cfg["epochs"]),
            max_steps=max_steps,
            learning_rate=float(train_cfg["lr"]),
            per_device_train_batch_size=int(train_cfg["batch_size"]),
            per_device_eval_batch_size=int(train_cfg.get("eval_batch_size", 64)),
            gradient_accumulation_steps=int(train_cfg.get("grad_accum", 1)),
            weight_decay=float(train_cfg.get("weight_decay", 0.0)),
            warmup_steps=float(train_cfg.get("warmup_ratio", 0.0)),
            lr_scheduler_type=str(train_cfg.get("scheduler", "linear")),
            # batches of similar length waste less compute on padding (matters on CPU)
            train_sampling_strategy=str(train_cfg.get("sampling", "group_by_length")),
            **schedule,
            save_total_limit=1,
            load_best_model_at_end=True,
            metric_for_best_model="macro_f1",
            greater_is_better=True,
            seed=seed,
            data_seed=seed,
            report_to="none",  # we log ourselves, into the run we opened (see tracking/)
            disable_tqdm=not bool(train_cfg.get("progress", True)),
            dataloader_num_workers=0,
            save_only_model=True,
            use_cpu=not torch.cuda.is_available(),
            # the soft targets reach compute_loss only if the Trainer keeps columns its model does not take;
            # dev then holds exactly the model inputs and labels (tokenize_dataset drops everything else)
            **({"remove_unused_columns": False} if distill is not None else {}),
            **hf_args,
        )
        callbacks = [_Sink()]
        patience = int(train_cfg.get("early_stopping_patience", 0) or 0)
        if patience > 0:
            callbacks.append(EarlyStoppingCallback(early_stopping_patience=patience))
        trainer = _WeightedTrainer(
            model=self.model,
            args=args,
            train_dataset=train_ds,
            eval_dataset=dev_ds,
            processing_class=self.tokenizer,
            data_collator=DistillCollator(DataCollatorWithPadding(self.tokenizer)),
            compute_metrics=compute_metrics,
            callbacks=callbacks,
        )
        trainer.train()
        self.model = trainer.model
        best = trainer.state.best_metric
        history = [h for h in trainer.state.log_history if "eval_macro_f1" in h]
        best_entry = max(history, key=lambda h: h["eval_macro_f1"]) if history else {}
        result = {k: float(v) for k, v in best_entry.items() if k.startswith("eval_") and isinstance(v, (int, float))}
        result = {k: v for k, v in result.items() if not k.endswith(("_runtime", "_per_second"))}
        result["best_epoch"] = float(best_entry.get("epoch", math.nan)) if best_entry else math.nan
        if best is not None:
            result["eval_macro_f1"] = float(best)
        if distill is not None:
            result["distill_gold_rows"] = float(gold_rows)
            result["distill_pool_rows"] = float(len(train_ds) - gold_rows)
        del trainer
        return result

    # ---- inference ------------------------------------------------------------------------------
    @property
    def temperature(self) -> float:
        return temperature_of(self.calibration)

    def predict_proba(self, frame: pd.DataFrame, batch_size: int = 64) -> np.ndarray:
        """Calibrated class probabilities in `frame`'s order (logits / the model's temperature, then softmax)."""
        return self._predict(frame, batch_size, self.temperature, log_space=False)

    def predict_scores(self, frame: pd.DataFrame, batch_size: int = 64) -> np.ndarray:
        """Uncalibrated log-probabilities (the logits up to a per-row constant): what a temperature is fitted on."""
        return self._predict(frame, batch_size, 1.0, log_space=True)

    def _predict(self, frame: pd.DataFrame, batch_size: int, temperature: float, log_space: bool) -> np.ndarray:
        """Batches of similar token length, tokenised a window ahead in a background thread
        (`inputs.predict_sorted`), run under `torch.inference_mode`."""
        torch = _torch()
        if self.model is None:
            raise RuntimeError("model is not trained or loaded")
        self.model.eval()
        device = next(self.model.parameters()).device

        def logits(arrays: dict[str, np.ndarray]) -> np.ndarray:
            tensors = {k: torch.from_numpy(v).to(device) for k, v in arrays.items()}
            return self.model(**tensors).logits.float().cpu().numpy()

        with torch.inference_mode():
            return predict_sorted(
                frame,
                self.tokenizer,
                self.input_mode,
                self.max_length,
                batch_size,
                len(self.labels),
                model_input_names(self.tokenizer),
                logits,
                temperature,
                log_space,
            )

    # ---- persistence ----------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(path)
        self.tokenizer.save_pretrained(path)
        manifest = {
            "kind": self.kind,
            "labels": self.labels,
            "input_mode": self.input_mode,
            "max_length": self.max_length,
            "pooling": self.pooling,
            "name": self.name,
            "base": self.pretrained,
            "base_sha256": self.sha256,
        }
        if self.checks:
            manifest["checks"] = self.checks
        if self.calibration:
            manifest["calibration"] = self.calibration
        (path / MANIFEST).write_text(json.dumps(manifest, indent=2))
        return seal(path)

    @classmethod
    def load(cls, path: str | Path, manifest: dict[str, Any] | None = None) -> TransformerClassifier:
        """Load a saved classifier (ours, with a manifest, or any HF sequence-classification folder)."""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from stance.modeling.pooling import MeanPoolClassifier, is_mean_pooled

        path = Path(path)
        manifest = manifest or {}
        mean_pooled = is_mean_pooled(path)
        if mean_pooled:
            model = MeanPoolClassifier.load(path)
        else:
            model = AutoModelForSequenceClassification.from_pretrained(path)
        labels = manifest.get("labels") or [model.config.id2label[i] for i in range(model.config.num_labels)]
        obj = cls(
            str(path),
            max_length=manifest.get("max_length", 256),
            name=manifest.get("name", path.name),
            labels=labels,
            input_mode=manifest.get("input_mode", "text"),
            pooling="mean" if mean_pooled else "cls",
        )
        obj.model = model
        obj.checks = dict(manifest.get("checks") or {})
        obj.calibration = dict(manifest.get("calibration") or {})
        temperature_of(obj.calibration, str(path / MANIFEST))  # a broken record fails here, not at the first batch
        obj.tokenizer = AutoTokenizer.from_pretrained(path)
        return obj
