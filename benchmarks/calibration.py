"""Does `stance_score` mean what it says? Expected calibration error of models on the test split, and whether
temperature scaling fitted on dev would help, in one run (the baseline is the model's own, unscaled scores).

    .venv/bin/python benchmarks/calibration.py --tracking-uri sqlite:///$PWD/mlflow.db \
        --model models:/stance@champion --data news_quotes

Prints one markdown row per model: test macro-F1, test ECE, the temperature T fitted on dev (by negative
log-likelihood) and the test ECE with T. Nothing is written to the store.
"""

from __future__ import annotations

import argparse

import numpy as np

from stance.data import as_frame, load_dataset
from stance.modeling.metrics import classification_metrics, expected_calibration_error
from stance.modeling.predictor import load_predictor

TEMPERATURES = np.round(np.arange(0.1, 3.01, 0.05), 2)


def scaled(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Temperature on log-probabilities is temperature on logits (softmax ignores the shared constant)."""
    logits = np.log(np.clip(probs, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return out / out.sum(axis=1, keepdims=True)


def fit_temperature(probs: np.ndarray, y: np.ndarray) -> float:
    nll = [-np.log(scaled(probs, t)[np.arange(len(y)), y] + 1e-12).mean() for t in TEMPERATURES]
    return float(TEMPERATURES[int(np.argmin(nll))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracking-uri", default=None)
    parser.add_argument("--model", action="append", required=True, help="model URI or folder (repeatable)")
    parser.add_argument("--data", default="news_quotes", help="data config name")
    args = parser.parse_args()
    splits = load_dataset(args.data)
    dev, test = as_frame(splits["dev"]), as_frame(splits["test"])
    print("| model | test macro-F1 | test ECE | T (fitted on dev) | test ECE with T |")
    print("|---|---|---|---|---|")
    for uri in args.model:
        predictor = load_predictor(uri, args.tracking_uri)
        labels = list(predictor.labels)
        ids = {label: i for i, label in enumerate(labels)}
        y_dev = np.array([ids[x] for x in dev["label"]])
        y_test = np.array([ids[x] for x in test["label"]])
        p_dev = predictor.predict_proba(dev, batch_size=64)
        p_test = predictor.predict_proba(test, batch_size=64)
        f1 = classification_metrics(y_test, p_test.argmax(axis=1), labels)["macro_f1"]
        t = fit_temperature(p_dev, y_dev)
        print(
            f"| {uri} | {f1:.3f} | {expected_calibration_error(p_test, y_test):.3f} | {t:.2f} "
            f"| {expected_calibration_error(scaled(p_test, t), y_test):.3f} |"
        )


if __name__ == "__main__":
    main()
