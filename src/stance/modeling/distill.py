"""Knowledge distillation for the transformer's `fit`: the combined loss, and the train set with soft targets.

Per batch: (1 - alpha) * class-weighted cross-entropy over rows with a gold label (pool rows carry -100)
+ alpha * T^2 * KL(teacher_T || student_T) over rows with teacher probabilities, where
teacher_T = softmax(log p / T) and student_T = softmax(logits / T) (Hinton et al. 2015; T^2 keeps the soft
gradients on the scale of the hard ones). A row without teacher probabilities has an all-zero soft target.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

SOFT = "soft_targets"  # the dataset column and batch key of the teacher's probabilities
IGNORE = -100  # label of a row with no gold label (a pool row), as torch's cross_entropy ignores it
_EPS = 1e-12


@dataclass
class Distillation:
    """What `TransformerClassifier.fit` needs to distil: the loss knobs and the rows the teacher labelled.

    `train_soft` is aligned with the gold train rows (NaN rows: no teacher probabilities), or None;
    `pool` holds model inputs (text, target, context) and `pool_soft` its teacher probabilities."""

    alpha: float
    temperature: float
    pool: pd.DataFrame
    pool_soft: np.ndarray
    train_soft: np.ndarray | None = None

    def __post_init__(self) -> None:
        check_knobs(self.alpha, self.temperature)


def check_knobs(alpha: float, temperature: float) -> None:
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"distill.alpha must be in [0, 1], got {alpha}")
    if not temperature > 0:
        raise ValueError(f"distill.temperature must be > 0, got {temperature}")


def distill_loss(
    logits: Any,
    labels: Any,
    soft: Any | None,
    alpha: float,
    temperature: float,
    weight: Any | None = None,
) -> Any:
    """The combined loss of one batch (a scalar tensor), finite even when the batch has no gold row."""
    import torch
    import torch.nn.functional as F

    gold = labels != IGNORE
    if gold.any():
        w = weight.to(logits.device) if weight is not None else None
        hard = F.cross_entropy(logits[gold], labels[gold], weight=w)
    else:
        hard = logits.sum() * 0.0  # keeps the graph; no NaN from a mean over nothing
    if soft is None:  # evaluation batches (dev) have gold labels only
        return hard
    has_soft = soft.sum(dim=-1) > 0.5
    if has_soft.any():
        t = float(temperature)
        teacher = torch.softmax(torch.log(soft[has_soft].float().clamp_min(_EPS)) / t, dim=-1)
        student = torch.log_softmax(logits[has_soft].float() / t, dim=-1)
        kl = F.kl_div(student, teacher, reduction="batchmean") * (t * t)
    else:
        kl = logits.sum() * 0.0
    return (1.0 - alpha) * hard + alpha * kl


def soft_rows(probs: np.ndarray | None, n: int, n_labels: int) -> list[list[float]]:
    """Per-row soft targets for a dataset column: the probabilities, or zeros where there are none."""
    if probs is None:
        return [[0.0] * n_labels for _ in range(n)]
    clean = np.where(np.isfinite(probs), probs, 0.0).astype(np.float32)
    return clean.tolist()


def distill_train_set(
    train_ds: Any,
    spec: Distillation,
    n_labels: int,
    tokenize: Callable[[Any], Any],
) -> Any:
    """Tokenised gold train rows plus tokenised pool rows (label -100), each with a `soft_targets` column.

    `train_ds` is already tokenised (cached by `inputs.tokenize_dataset`); the column is added afterwards, so
    the tokenisation cache key never sees it. `tokenize` turns a `datasets.Dataset` of inputs into token ids.
    """
    import datasets

    soft_feature = datasets.Sequence(datasets.Value("float32"), length=n_labels)
    gold = train_ds.add_column(SOFT, soft_rows(spec.train_soft, len(train_ds), n_labels), feature=soft_feature)
    gold = gold.cast_column("labels", datasets.Value("int64"))
    if len(spec.pool) == 0:
        return gold
    columns = [c for c in ("id", "text", "target", "context") if c in spec.pool.columns]
    pool_in = datasets.Dataset.from_pandas(spec.pool[columns].astype(str).reset_index(drop=True), preserve_index=False)
    pool = tokenize(pool_in)
    pool = pool.add_column("labels", [IGNORE] * len(pool), feature=datasets.Value("int64"))
    pool = pool.add_column(SOFT, soft_rows(spec.pool_soft, len(pool), n_labels), feature=soft_feature)
    pool = pool.select_columns(gold.column_names).cast(gold.features)
    log.info("distillation: %d gold + %d pool rows in the train set", len(gold), len(pool))
    return datasets.concatenate_datasets([gold, pool])


class DistillCollator:
    """Pads the token columns with the wrapped collator and stacks the soft targets as a float tensor."""

    def __init__(self, base: Callable[[list[dict]], Any]):
        self.base = base

    def __call__(self, features: list[dict]) -> Any:
        import torch

        if not features or SOFT not in features[0]:
            return self.base(features)
        soft = torch.tensor([f[SOFT] for f in features], dtype=torch.float32)
        batch = self.base([{k: v for k, v in f.items() if k != SOFT} for f in features])
        batch[SOFT] = soft
        return batch
