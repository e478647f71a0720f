"""Training throughput: stance-train's fine-tuning (`TransformerClassifier.fit`) vs a plain transformers Trainer.

    .venv/bin/python benchmarks/train_throughput.py                     # 30 steps each, 2 rounds, one thread
    .venv/bin/python benchmarks/train_throughput.py --steps 30 --rounds 3

Same data (the news-quote train split through `stance.data.load_dataset("news_quotes")`), same model (MiniLM,
the folder conf/model/minilm.yaml points at), batch 32, lr 1e-4, max length 128, a fixed number of optimizer
steps, one torch thread each. Ours is `fit` with conf/train/default.yaml (mean pooling, class weights,
length-grouped batches) and `train.max_steps`; the baseline is the script a user would write from the
transformers docs: `AutoModelForSequenceClassification`, `DataCollatorWithPadding`, `Trainer(...).train()`,
then `trainer.predict(dev)` (what `evaluate` runs, with the predictions kept). Training examples/s count only
the optimizer steps (from the Trainer's `on_train_begin` to its last `on_step_end`; model loading, tokenising
and saving are outside). Eval quotes/s:
ours is the dev evaluation `fit` runs (dev in token-length order); the baseline's is `trainer.predict` on
dev in file order, and the same baseline model is also evaluated on dev in length order, which must give
the same predictions. Rounds alternate which system goes first; ratios are taken within a round.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from stance.config import CONF_DIR  # noqa: E402
from stance.data import load_dataset  # noqa: E402
from stance.modeling.checkpoints import minilm_dir  # noqa: E402
from stance.modeling.metrics import classification_metrics  # noqa: E402
from stance.modeling.transformer import TransformerClassifier  # noqa: E402

TIMES: list[dict] = []  # one entry per Trainer.train / Trainer.evaluate call


class StepTimer(transformers.TrainerCallback):
    def on_train_begin(self, args, state, control, **kwargs):
        self.start, self.last, self.steps = time.perf_counter(), None, 0

    def on_step_end(self, args, state, control, **kwargs):
        self.last, self.steps = time.perf_counter(), state.global_step


def _instrument() -> None:
    train, evaluate = transformers.Trainer.train, transformers.Trainer.evaluate

    def timed_train(self, *args, **kwargs):
        timer = StepTimer()
        self.add_callback(timer)
        out = train(self, *args, **kwargs)
        TIMES.append({"kind": "train", "seconds": timer.last - timer.start, "steps": timer.steps})
        return out

    def timed_evaluate(self, eval_dataset=None, *args, **kwargs):
        rows = len(eval_dataset if eval_dataset is not None else self.eval_dataset)
        start = time.perf_counter()
        out = evaluate(self, eval_dataset, *args, **kwargs)
        TIMES.append({"kind": "eval", "seconds": time.perf_counter() - start, "rows": rows, "metrics": out})
        return out

    transformers.Trainer.train, transformers.Trainer.evaluate = timed_train, timed_evaluate


def run_ours(data, labels: list[str], steps: int, batch: int, seed: int) -> tuple[dict, dict]:
    train_cfg = OmegaConf.to_container(OmegaConf.load(CONF_DIR / "train" / "default.yaml"))
    train_cfg.update(max_steps=steps, batch_size=batch, progress=False, early_stopping_patience=0)
    clf = TransformerClassifier(str(minilm_dir()), max_length=128, pooling="mean")
    TIMES.clear()
    with tempfile.TemporaryDirectory() as work:
        clf.fit(data["train"], data["dev"], labels, "text", train_cfg, seed, work)
    return next(t for t in TIMES if t["kind"] == "train"), next(t for t in TIMES if t["kind"] == "eval")


def run_plain(data, labels: list[str], steps: int, batch: int, seed: int) -> tuple[dict, dict, dict, bool]:
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        Trainer,
        TrainingArguments,
    )

    folder = str(minilm_dir())
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=len(labels))

    def encode(split):
        ds = split.map(lambda b: tok(b["text"], truncation=True, max_length=128), batched=True)
        return ds.rename_column("label", "labels").remove_columns(
            [c for c in ds.column_names if c not in ("input_ids", "attention_mask", "token_type_ids", "label")]
        )

    train_ds, dev_ds = encode(data["train"]), encode(data["dev"])

    def compute_metrics(pred):
        return classification_metrics(pred.label_ids, np.argmax(pred.predictions, axis=-1), labels)

    with tempfile.TemporaryDirectory() as work:
        args = TrainingArguments(
            output_dir=work, max_steps=steps, per_device_train_batch_size=batch, per_device_eval_batch_size=128,
            learning_rate=1e-4, seed=seed, report_to="none", save_strategy="no", eval_strategy="no",
            disable_tqdm=True, use_cpu=True,
        )  # fmt: skip
        trainer = Trainer(
            model=model, args=args, train_dataset=train_ds, data_collator=DataCollatorWithPadding(tok),
            compute_metrics=compute_metrics,
        )  # fmt: skip
        TIMES.clear()
        trainer.train()
        order = np.argsort([len(ids) for ids in dev_ds["input_ids"]], kind="stable")
        evals = []
        for ds in (dev_ds, dev_ds.select(order)):  # dev in file order (the Trainer's usual), then by length
            start = time.perf_counter()
            out = trainer.predict(ds, metric_key_prefix="eval")
            evals.append({"seconds": time.perf_counter() - start, "rows": len(ds), "metrics": out.metrics,
                          "pred": out.predictions.argmax(-1)})  # fmt: skip
    train_t = next(t for t in TIMES if t["kind"] == "train")
    eval_file, eval_sorted = evals
    by_length = np.empty_like(eval_sorted["pred"])
    by_length[order] = eval_sorted["pred"]
    return train_t, eval_file, eval_sorted, bool((eval_file["pred"] == by_length).all())


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-eval", type=int, default=None, help="dev quotes (stratified sample), all if unset")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    _instrument()
    data = load_dataset("news_quotes", overrides=[f"data.max_eval={args.max_eval}"] if args.max_eval else [])
    labels = list(data["train"].features["label"].names)
    ex_s: dict[str, list[float]] = {"stance": [], "plain": []}
    eval_q: dict[str, list[float]] = {"stance (dev by length)": [], "plain (dev in file order)": [],
                                      "plain model, dev by length": []}  # fmt: skip
    same, f1 = [], []
    for r in range(args.rounds):
        for system in ["stance", "plain"] if r % 2 == 0 else ["plain", "stance"]:
            if system == "stance":
                train_t, eval_t = run_ours(data, labels, args.steps, args.batch_size, args.seed)
                eval_q["stance (dev by length)"].append(eval_t["rows"] / eval_t["seconds"])
            else:
                train_t, eval_file, eval_sorted, identical = run_plain(
                    data, labels, args.steps, args.batch_size, args.seed
                )
                eval_q["plain (dev in file order)"].append(eval_file["rows"] / eval_file["seconds"])
                eval_q["plain model, dev by length"].append(eval_sorted["rows"] / eval_sorted["seconds"])
                same.append(identical)
                f1.append((eval_file["metrics"]["eval_macro_f1"], eval_sorted["metrics"]["eval_macro_f1"]))
            rate = train_t["steps"] * args.batch_size / train_t["seconds"]
            ex_s[system].append(rate)
            print(f"round {r + 1} {system}: {train_t['steps']} steps, {rate:.2f} examples/s", flush=True)

    print(
        f"\nnews_quotes train ({len(data['train'])} quotes), dev {len(data['dev'])}; MiniLM {minilm_dir()}; "
        f"{args.steps} steps of {args.batch_size}, {args.rounds} rounds, torch threads 1; {platform.machine()}, "
        f"{os.cpu_count()} CPUs, torch {torch.__version__}, transformers {transformers.__version__}, "
        f"load average at the end {os.getloadavg()[0]:.1f}"
    )
    print("\n| training | examples/s (median) | per round |\n|---|---|---|")
    for name, rates in ex_s.items():
        print(f"| {name} | {statistics.median(rates):.2f} | {', '.join(f'{x:.2f}' for x in rates)} |")
    ratios = [a / b for a, b in zip(ex_s["stance"], ex_s["plain"])]
    print(f"| **stance / plain** | **{statistics.median(ratios):.2f}x** | {', '.join(f'{x:.2f}' for x in ratios)} |")
    print("\n| dev evaluation | quotes/s (median) | per round |\n|---|---|---|")
    for name, rates in eval_q.items():
        print(f"| {name} | {statistics.median(rates):.1f} | {', '.join(f'{x:.1f}' for x in rates)} |")
    sorted_gain = [a / b for a, b in zip(eval_q["plain model, dev by length"], eval_q["plain (dev in file order)"])]
    print(f"\n- same model, dev by length vs file order: {statistics.median(sorted_gain):.2f}x quotes/s")
    print(f"- same predictions in both orders: {all(same)}; macro-F1 (file order, by length): {f1}")


if __name__ == "__main__":
    main(sys.argv[1:])
