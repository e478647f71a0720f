"""Does `stance_score` mean what it says? Temperature scaling fitted on dev, judged on test, without training.

    .venv/bin/python benchmarks/calibration.py --model /work/models/minilm-demo
    .venv/bin/python benchmarks/calibration.py --tracking-uri sqlite:///$PWD/mlflow.db --model models:/stance@champion

For each model (a folder, an MLflow model folder or a model URI; repeatable): its raw (uncalibrated) scores on the
dev and test splits, the temperature T that `stance-train` would fit on dev (`stance.modeling.calibration`, the
same code), and test ECE and NLL before and after T. Never fits on test. Prints one markdown row per model;
nothing is written anywhere.
"""

from __future__ import annotations

import argparse
import logging
import time

from stance.data import as_frame, load_dataset
from stance.modeling.calibration import calibrate, nll, softmax, temperature_of
from stance.modeling.metrics import classification_metrics, expected_calibration_error, label_ids
from stance.modeling.predictor import load_predictor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracking-uri", default=None)
    parser.add_argument("--model", action="append", required=True, help="model folder or URI (repeatable)")
    parser.add_argument("--data", default="news_quotes", help="data config name")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    splits = load_dataset(args.data)
    dev, test = as_frame(splits["dev"]), as_frame(splits["test"])
    rows = []
    for uri in args.model:
        started = time.perf_counter()
        predictor = load_predictor(uri, args.tracking_uri)  # torch backend: the float model
        labels = list(predictor.labels)
        y_dev, y_test = label_ids(dev["label"], labels), label_ids(test["label"], labels)
        s_dev = predictor.predict_scores(dev, batch_size=args.batch_size)  # raw, whatever the manifest says
        s_test = predictor.predict_scores(test, batch_size=args.batch_size)
        record = calibrate(s_dev, y_dev)
        t = temperature_of(record)
        f1 = classification_metrics(y_test, s_test.argmax(axis=1), labels)["macro_f1"]
        assert (softmax(s_test, t).argmax(axis=1) == s_test.argmax(axis=1)).all()  # T never changes a label
        rows.append(
            f"| {uri} | {len(dev)} / {len(test)} | {f1:.3f} | {t:.3f} "
            f"| {record.get('dev_nll_before', nll(s_dev, y_dev)):.4f} → {nll(s_dev, y_dev, t):.4f} "
            f"| {expected_calibration_error(softmax(s_test), y_test):.3f} → "
            f"{expected_calibration_error(softmax(s_test, t), y_test):.3f} "
            f"| {nll(s_test, y_test):.4f} → {nll(s_test, y_test, t):.4f} | {time.perf_counter() - started:.0f} s |"
        )
    print("| model | dev / test quotes | test macro-F1 | T (fitted on dev) | dev NLL | test ECE | test NLL | wall |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
