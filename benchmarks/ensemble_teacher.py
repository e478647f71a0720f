"""Test macro-F1 of an ensemble of stance models (the mean of their probabilities) beside each member's.

What `stance-soft-labels teacher=[a,b,c]` hands a student is this mean over the train split and the pool; this
script scores the same mean on the news-quote test split, which the soft-label command never touches.

    .venv/bin/python benchmarks/ensemble_teacher.py --model models:/stance/3 --model models:/stance/2 \\
        --model models:/stance/7 --threads 1
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

from stance.config import PROJECT_ROOT  # noqa: E402
from stance.data import as_frame, load_dataset  # noqa: E402
from stance.modeling.metrics import classification_metrics, label_ids  # noqa: E402
from stance.modeling.predictor import load_predictor  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", action="append", required=True, help="repeatable: a model URI or folder")
    ap.add_argument("--tracking-uri", default=f"sqlite:///{PROJECT_ROOT}/mlflow.db")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", help="also write the result here")
    args = ap.parse_args()
    test = as_frame(load_dataset("news_quotes")["test"])
    rows, probs, labels = [], [], None
    for uri in args.model:
        model = load_predictor(uri, args.tracking_uri, backend="torch", threads=args.threads)
        labels = labels or list(model.labels)
        if list(model.labels) != labels:
            raise SystemExit(f"{uri}: labels {list(model.labels)} differ from the first model's {labels}")
        p = model.predict_proba(test)
        probs.append(p)
        metrics = classification_metrics(label_ids(test["label"], labels), p.argmax(1), labels)
        rows.append({"model": uri, "test_macro_f1": round(metrics["macro_f1"], 4)})
        print(json.dumps(rows[-1]), flush=True)
    mean = np.mean(probs, axis=0)
    metrics = classification_metrics(label_ids(test["label"], labels), mean.argmax(1), labels)
    result = {
        "members": rows,
        "ensemble_test_macro_f1": round(metrics["macro_f1"], 4),
        "ensemble_per_label": {label: round(metrics[f"f1_{label}"], 3) for label in labels},
        "test_rows": len(test),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
