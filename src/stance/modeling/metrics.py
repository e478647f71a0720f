"""Stable metric names shared by training, evaluation and the MLflow compare view."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score


def label_ids(labels_column: Iterable[str], labels: Sequence[str]) -> np.ndarray:
    """Gold label names as the class indices of `labels` (the model's order), for the metrics below."""
    index = {label: i for i, label in enumerate(labels)}
    try:
        return np.array([index[x] for x in labels_column], dtype=np.int64)
    except KeyError as err:
        raise ValueError(f"label {err.args[0]!r} is not among the model's labels {list(labels)}") from None


def classification_metrics(y_true: Sequence[int], y_pred: Sequence[int], labels: Sequence[str]) -> dict[str, float]:
    """macro_f1, accuracy and f1_<label>, unprefixed (callers add eval_/test_)."""
    idx = list(range(len(labels)))
    per_label = f1_score(y_true, y_pred, labels=idx, average=None, zero_division=0)
    out = {
        "macro_f1": float(f1_score(y_true, y_pred, labels=idx, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
    }
    out.update({f"f1_{label}": float(score) for label, score in zip(labels, per_label)})
    return out


def expected_calibration_error(probs: np.ndarray, y_true: Sequence[int], n_bins: int = 15) -> float:
    """How far `stance_score` (the top probability) is from the accuracy it promises: the gap between mean
    confidence and accuracy in equal-width confidence bins, weighted by the share of quotes in each bin."""
    probs = np.asarray(probs, dtype=float)
    y_true = np.asarray(y_true)
    if probs.ndim != 2 or len(probs) != len(y_true):
        raise ValueError(f"expected probabilities of shape (n, labels) for {len(y_true)} labels, got {probs.shape}")
    if len(y_true) == 0:
        return 0.0
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == y_true
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        member = bins == b
        if member.any():
            ece += member.mean() * abs(correct[member].mean() - confidence[member].mean())
    return float(ece)


def report_text(y_true: Sequence[int], y_pred: Sequence[int], labels: Sequence[str]) -> str:
    return classification_report(
        y_true, y_pred, labels=list(range(len(labels))), target_names=list(labels), digits=4, zero_division=0
    )


def confusion(y_true: Sequence[int], y_pred: Sequence[int], n_labels: int) -> np.ndarray:
    return confusion_matrix(y_true, y_pred, labels=list(range(n_labels)))


def confusion_png(matrix: np.ndarray, labels: Sequence[str], path: str, title: str) -> str:
    """Render a confusion matrix (counts, rows = gold) to PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1.2 * len(labels) + 2.5, 1.1 * len(labels) + 2))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    top = matrix.max() if matrix.size else 0
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            ax.text(
                j, i, int(matrix[i, j]), ha="center", va="center", color="white" if matrix[i, j] > top / 2 else "black"
            )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
