"""int8 against float: test macro-F1 of a trained model on both, and agreement of their predictions on real quotes.

For a trained model this runs exactly the check `stance-train` runs at the end (`stance.modeling.backends.
check_int8`: export, quantise, score the test split), on a copy of the model folder, and reports the seconds it
took. For a bare encoder (`--encoder mpnet`, a fresh head: no trained model exists) only the agreement of the
predictions is measured; a random head puts the classes close together, so that agreement is a pessimistic proxy.

    .venv/bin/python benchmarks/int8_accuracy.py --model /path/to/model --quotes 1000
    .venv/bin/python benchmarks/int8_accuracy.py --encoder mpnet --quotes 200
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

from classify_throughput import ROOT, model_folder, quotes  # noqa: E402
from stance.modeling.predictor import load_local  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models:/stance@champion")
    ap.add_argument("--encoder", choices=["minilm", "mpnet"])
    ap.add_argument("--tracking-uri", default=f"sqlite:///{ROOT}/mlflow.db")
    ap.add_argument("--quotes", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="stance-int8-"))
    result: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    try:
        folder = Path(shutil.copytree(model_folder(args, tmp), tmp / "copy"))
        cache = tmp / "cache"
        if not args.encoder:
            from stance.data import as_frame, load_dataset
            from stance.modeling.backends import check_int8

            labels = json.loads((folder / "stance_model.json").read_text())["labels"]
            test = as_frame(load_dataset("news_quotes")["test"])
            float_model = load_local(folder, backend="torch", threads=args.threads)
            from stance.modeling.metrics import classification_metrics, label_ids

            y_true = label_ids(test["label"], labels)
            float_f1 = classification_metrics(y_true, float_model.predict_proba(test).argmax(1), labels)["macro_f1"]
            result["int8_check"] = check_int8(folder, float_model, test, float_f1, cache)
        data = quotes(args.quotes)
        fp32 = load_local(folder, backend="torch", threads=args.threads).predict_proba(data)
        int8 = load_local(folder, backend="onnx", quantize=True, cache_dir=cache, threads=args.threads)
        p8 = int8.predict_proba(data)
        result.update(
            {
                "model": f"{args.encoder} (fresh mean-pooled head)" if args.encoder else args.model,
                "quotes": len(data),
                "int8_graph": int8.backend,  # the graph the check chose (onnx-int8, or onnx-int8-mixed)
                "argmax_agreement": round(float((fp32.argmax(1) == p8.argmax(1)).mean()), 4),
                "max_abs_prob_diff": round(float(np.abs(fp32 - p8).max()), 4),
                "mean_abs_prob_diff": round(float(np.abs(fp32 - p8).mean()), 5),
            }
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text)


if __name__ == "__main__":
    main()
