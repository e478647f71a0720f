"""`run_training(cfg) -> metrics`: data -> model -> evaluation -> MLflow, driven by one Hydra config."""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from datasets import DatasetDict
from omegaconf import DictConfig, OmegaConf

from stance.config import DistillConfig, instantiate, safe_target, to_plain, validate_config, validated
from stance.data import as_frame, load_dataset
from stance.data.soft_labels import DistillRows, distill_rows
from stance.modeling.calibration import calibrate, check_method, softmax
from stance.modeling.distill import Distillation, check_knobs
from stance.modeling.metrics import (
    classification_metrics,
    confusion,
    confusion_png,
    expected_calibration_error,
    label_ids,
    report_text,
)
from stance.modeling.predictor import predict_frame
from stance.modeling.pyfunc import StanceModel
from stance.tracking import mlflow_run as tracking

log = logging.getLogger(__name__)

RUN_NAME_SKIP = ("paths.", "tracking.", "hydra.", "+paths", "+tracking")


def run_name(cfg: DictConfig) -> str:
    """Readable name from the command-line overrides, e.g. `model=minilm,train.lr=3e-05`."""
    if cfg.tracking.get("run_name"):
        return str(cfg.tracking.run_name)
    overrides: list[str] = []
    try:
        from hydra.core.hydra_config import HydraConfig

        if HydraConfig.initialized():
            overrides = [o for o in HydraConfig.get().overrides.task if not o.startswith(RUN_NAME_SKIP)]
    except ValueError:
        pass
    base = f"{cfg.model.name}-{cfg.data.name}"
    return (base + " " + ",".join(overrides)).strip()[:250] if overrides else base


def curated_params(cfg: DictConfig, splits: DatasetDict, distill: DistillRows | None = None) -> dict[str, Any]:
    """About 30-60 readable params: our own data/model/train keys, not every Trainer argument."""
    data = to_plain(cfg.data)
    source = data.pop("source", {}) or {}
    params: dict[str, Any] = {"seed": cfg.seed, "task_name": cfg.get("task_name")}
    tracking.flatten("data", {k: v for k, v in data.items()}, params)
    params["data.source"] = source.get("_target_")
    tracking.flatten("data.source", {k: v for k, v in source.items() if k not in ("_target_", "label_map")}, params)
    for name, size in splits.num_rows.items():
        params[f"data.n_{name}"] = size
    model = to_plain(cfg.model)
    params["model.backend"] = model.pop("_target_", None)
    tracking.flatten("model", model, params)
    tracking.flatten("train", to_plain(cfg.train), params)
    params["distill.enabled"] = distill is not None
    if distill is not None:
        node = to_plain(validated(cfg.distill, DistillConfig))
        tracking.flatten("distill", {k: v for k, v in node.items() if k != "enabled"}, params)
        teacher = distill.soft.meta.get("teacher") or {}
        params["distill.soft_labels_sha256"] = distill.soft.sha256
        params["distill.teacher"] = teacher.get("uri")
        params["distill.pool_rows"] = len(distill.pool)
    return params


def distill_settings(cfg: DictConfig) -> DictConfig | None:
    """The validated `distill` group when distillation is on, else None; refuses a model that cannot distil."""
    if cfg.get("distill") is None:
        return None
    node = validated(cfg.distill, DistillConfig)
    if not node.enabled:
        return None
    target = cfg.model.get("_target_")
    if not getattr(safe_target(str(target)), "supports_distill", False):
        raise ValueError(
            f"distill=teacher needs a transformer student; model={cfg.model.name} ({target}) cannot learn from soft "
            "labels. Use distill=none with this model."
        )
    if not node.soft_labels:
        raise ValueError("distill.soft_labels is not set (the teacher's soft-label file)")
    if node.pool_size is not None and int(node.pool_size) < 0:
        raise ValueError(f"distill.pool_size must be null or >= 0, got {node.pool_size}")
    check_knobs(float(node.alpha), float(node.temperature))
    return node


def load_distillation(
    node: DictConfig, cfg: DictConfig, frames: dict[str, pd.DataFrame], labels: list[str], seed: int
) -> tuple[DistillRows, Distillation]:
    """Soft labels joined to the gold train rows and the pool (dev/test refused), as the model's `distill=`."""
    rows = distill_rows(
        str(node.soft_labels),
        str(node.pool) if node.pool else None,
        cfg.data.get("polnear_dir"),
        frames,
        labels,
        None if node.pool_size is None else int(node.pool_size),
        bool(node.use_train_soft),
        seed,
    )
    spec = Distillation(float(node.alpha), float(node.temperature), rows.pool, rows.pool_probs, rows.train_probs)
    return rows, spec


def evaluate(
    model: Any, frame: pd.DataFrame, labels: list[str], batch_size: int
) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
    """Scores `frame` once: macro-F1 etc., `ece` of the calibrated probabilities (what `stance_score` shows, logged
    as test_ece) and `ece_uncalibrated` (the same model without its temperature)."""
    y_true = label_ids(frame["label"], labels)
    scores = model.predict_scores(frame, batch_size=batch_size)
    probs = softmax(scores, model.temperature)  # = model.predict_proba(frame)
    y_pred = probs.argmax(axis=1)
    metrics = classification_metrics(y_true, y_pred, labels)
    metrics["ece"] = expected_calibration_error(probs, y_true)  # does stance_score mean what it says?
    metrics["ece_uncalibrated"] = expected_calibration_error(softmax(scores), y_true)
    return metrics, y_true, y_pred


def _calibrate(model: Any, dev: pd.DataFrame, labels: list[str], method: str, batch_size: int) -> dict[str, float]:
    """Fit the model's temperature on dev (after fit restored the best epoch, before test is scored); the model
    keeps it (`model.calibration`, saved in its manifest). Returns the metrics to log."""
    if method != "none" and len(dev) == 0:
        log.warning("no dev rows: calibration skipped, stance_score is the model's raw probability")
        method = "none"
    if method == "none":
        model.calibration = {"method": "none"}
    else:
        model.calibration = calibrate(model.predict_scores(dev, batch_size=batch_size), label_ids(dev["label"], labels))
    out = {"calibration_temperature": model.temperature}
    out.update({k: float(model.calibration[k]) for k in ("dev_nll_before", "dev_nll_after") if k in model.calibration})
    return out


def _log_eval_artifacts(prefix: str, y_true: np.ndarray, y_pred: np.ndarray, labels: list[str], folder: Path) -> None:
    import mlflow

    report = report_text(y_true, y_pred, labels)
    (folder / f"{prefix}_classification_report.txt").write_text(report)
    matrix = confusion(y_true, y_pred, len(labels))
    png = confusion_png(matrix, labels, str(folder / f"{prefix}_confusion_matrix.png"), f"{prefix}: confusion matrix")
    if mlflow.active_run() is not None:
        mlflow.log_artifact(str(folder / f"{prefix}_classification_report.txt"), "reports")
        mlflow.log_artifact(png, "plots")
        mlflow.log_dict({"labels": labels, "matrix": matrix.tolist()}, f"reports/{prefix}_confusion_matrix.json")


def _should_log_model(cfg: DictConfig) -> bool:
    value = cfg.tracking.get("log_model", "auto")
    if isinstance(value, str) and value.lower() == "auto":
        return not os.environ.get(tracking.SWEEP_ENV)  # sweeps compare runs; the winner is retrained and logged
    return bool(value)


def _int8_check(
    cfg: DictConfig, model: Any, saved: Path, test: pd.DataFrame, metrics: dict, batch_size: int, tracked: bool
) -> None:
    """Export + int8-quantise the saved model, score test with it, record the outcome in its manifest (what
    `classify.backend=auto` reads), as metrics and as the run tag `stance.onnx_int8_check`."""
    from stance.modeling.backends import check_int8

    cache_dir = cfg.train.get("onnx_cache_dir") or Path(cfg.paths.root_dir) / ".cache" / "onnx"
    record = check_int8(saved, model, test, metrics["test_macro_f1"], cache_dir, batch_size)
    if "test_macro_f1" in record:
        metrics["test_macro_f1_onnx_int8"] = record["test_macro_f1"]
    metrics["onnx_int8_check_s"] = record["seconds"]
    if tracked:
        import mlflow

        mlflow.set_tag("stance.onnx_int8_check", "passed" if record["passed"] else "failed")
        if "scheme" in record:
            mlflow.set_tag("stance.onnx_int8_scheme", record["scheme"])


def run_training(cfg: DictConfig) -> dict[str, float]:
    """Train, evaluate on dev each epoch and on test at the end, log everything, return the metrics."""
    start = time.time()
    validate_config(cfg)  # unknown keys and wrong types fail here, before any data is read
    distill_node = distill_settings(cfg)
    calibration = check_method(cfg.train.get("calibration", "temperature"))
    seed = int(cfg.seed)
    labels = list(cfg.data.labels)
    output_dir = Path(cfg.paths.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    splits = load_dataset(cfg)
    log.info("data %s: %s", cfg.data.name, splits.num_rows)
    frames = {name: as_frame(part) for name, part in splits.items()}  # evaluation and TF-IDF read frames
    distill_data, distill = (
        load_distillation(distill_node, cfg, frames, labels, seed) if distill_node is not None else (None, None)
    )
    tags = {
        "git_commit": tracking.git_commit(cfg.paths.root_dir),
        "data_hash": tracking.data_hash(frames),
        "data": str(cfg.data.name),
        "model": str(cfg.model.name),
        **tracking.package_versions(),
        **({"stance.distilled": "true"} if distill is not None else {}),
        **{str(k): str(v) for k, v in (to_plain(cfg.tracking.get("tags")) or {}).items()},
    }
    t = cfg.tracking
    eval_batch = int(cfg.train.get("eval_batch_size", 64))
    metrics: dict[str, float] = {}
    with tracking.tracked_run(bool(t.enabled), t.uri, t.experiment, t.get("artifact_dir"), run_name(cfg), tags) as run:
        if run is not None:
            import mlflow

            tracking.log_params(curated_params(cfg, splits, distill_data))
            mlflow.log_text(OmegaConf.to_yaml(cfg, resolve=True), "config/resolved.yaml")
            mlflow.log_dict({"labels": labels, "label2id": {x: i for i, x in enumerate(labels)}}, "label_map.json")
        model = instantiate(cfg.model, labels=labels, input_mode=cfg.data.input)
        # backends that tokenise through `datasets` (the transformer) take the Datasets, the others frames
        fit_input = splits if getattr(model, "takes_datasets", False) else frames
        fit_metrics = model.fit(
            fit_input["train"],
            fit_input["dev"],
            labels,
            cfg.data.input,
            to_plain(cfg.train),
            seed,
            output_dir,
            log_metrics=tracking.log_metrics,
            **({"distill": distill} if distill is not None else {}),
        )
        metrics.update(fit_metrics)
        metrics.update(_calibrate(model, frames["dev"], labels, calibration, eval_batch))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for name, frame in ((k, v) for k, v in frames.items() if k not in ("train", "dev")):
                scores, y_true, y_pred = evaluate(model, frame, labels, eval_batch)
                metrics.update({f"{name}_{k}": v for k, v in scores.items()})
                if run is not None:
                    _log_eval_artifacts(name, y_true, y_pred, labels, folder)
                log.info("%s: macro-F1 %.4f accuracy %.4f", name, scores["macro_f1"], scores["accuracy"])
        saved = model.save(output_dir / "model")
        if model.kind == "transformer" and cfg.train.get("onnx_check", False) and "test_macro_f1" in metrics:
            _int8_check(cfg, model, saved, frames["test"], metrics, eval_batch, run is not None)
        metrics["train_wall_s"] = time.time() - start
        tracking.log_metrics({k: v for k, v in metrics.items() if not k.startswith("eval_")})
        if run is not None and "eval_macro_f1" in fit_metrics:
            tracking.log_metrics({"best_eval_macro_f1": fit_metrics["eval_macro_f1"]})
        if run is not None and _should_log_model(cfg):
            test = frames["test"]
            example = test.head(3)[[c for c in ("text", "target", "context") if c in test.columns]]
            example = example.reset_index(drop=True)
            result = tracking.log_and_register(
                StanceModel(),
                saved,
                example,
                predict_frame(model, example),
                t.get("registered_model"),
                t.get("champion_alias", "champion"),
                float(metrics.get("eval_macro_f1", -math.inf)),
                metric="best_eval_macro_f1",
            )
            metrics_info = {k: str(v) for k, v in result.items()}
            import mlflow

            mlflow.set_tags({f"model.{k}": v for k, v in metrics_info.items()})
            log.info("logged model: %s", metrics_info)
        if run is not None:
            metrics["run_id"] = run.info.run_id  # type: ignore[assignment]
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str))
    log.info("metrics: %s", {k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()})
    return metrics
