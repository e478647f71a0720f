"""Teacher soft labels as data: one Parquet file of quote ids and class probabilities, stand-off.

Parquet (not JSONL) because the file is numeric and read whole: typed float columns, no float-to-text
round trip, a tenth of the size, and the metadata (teacher, labels, sets) travels inside the same file as a
key-value entry, so it cannot get separated from the numbers it describes. Columns: `id` (the quote id of the
corpus or the unlabelled pool), `set` (`train` | `pool`) and one `p_<label>` per label, rows summing to 1.
No quote text is stored, so a file made from PolNeAR quotes ships without PolNeAR text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stance.io import TableError
from stance.io.atomic import discard, new_temp, publish, remove_stale_temps

log = logging.getLogger(__name__)

FORMAT = "stance-soft-labels-1"
META_KEY = b"stance.soft_labels"
SETS = ("train", "pool")
SUM_TOLERANCE = 1e-3
HELD_OUT = ("dev", "test")
# corpus quote ids are `<source>:<article id>:<start>-<end>` (data/README.md); the article is what must not leak
_QUOTE_ID = re.compile(r"^(?P<article>[^:]+:.+):\d+-\d+$")


def prob_column(label: str) -> str:
    return f"p_{label}"


@dataclass
class SoftLabels:
    """A validated soft-label file: ids, their set, an (n, labels) probability matrix and the file's metadata."""

    path: Path
    ids: list[str]
    sets: list[str]
    probs: np.ndarray
    labels: list[str]
    meta: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""

    def for_set(self, name: str) -> dict[str, np.ndarray]:
        """id -> probability row, for one set (`train` or `pool`)."""
        return {i: self.probs[n] for n, (i, s) in enumerate(zip(self.ids, self.sets)) if s == name}


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_rows(source: str | Path, ids: Sequence[str], sets: Sequence[str], probs: np.ndarray, labels: Sequence[str]):
    """The checks a reader and the writer share; errors name the file, the row (1-based) and the field."""
    if probs.shape != (len(ids), len(labels)):
        raise TableError(source, f"probabilities have shape {probs.shape}, expected ({len(ids)}, {len(labels)})")
    seen: dict[str, int] = {}
    for row, (quote_id, name) in enumerate(zip(ids, sets), start=1):
        if quote_id is None or str(quote_id).strip() == "":
            raise TableError(source, "id is missing or empty", line=row, field="id")
        if quote_id in seen:
            raise TableError(source, f"duplicate id '{quote_id}' (first at row {seen[quote_id]})", line=row, field="id")
        seen[quote_id] = row
        if name not in SETS:
            raise TableError(source, f"unknown set '{name}'; expected one of {list(SETS)}", line=row, field="set")
    bad = ~np.isfinite(probs) | (probs < 0) | (probs > 1)
    if bad.any():
        row, col = (int(x) for x in np.argwhere(bad)[0])
        raise TableError(
            source,
            f"probability {probs[row, col]!r} is not a finite number in [0, 1]",
            row + 1,
            prob_column(labels[col]),
        )
    sums = probs.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > SUM_TOLERANCE)
    if len(off):
        row = int(off[0])
        raise TableError(
            source,
            f"probabilities sum to {sums[row]:.6f}, not 1 (tolerance {SUM_TOLERANCE})",
            row + 1,
            ",".join(prob_column(x) for x in labels),
        )


def write_soft_labels(
    path: str | Path,
    ids: Sequence[str],
    sets: Sequence[str],
    probs: np.ndarray,
    labels: Sequence[str],
    teacher: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Validate and write atomically (temp file beside `path`, renamed on success; no partial file on failure)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    ids = [str(x) for x in ids]
    sets = [str(x) for x in sets]
    probs = np.asarray(probs, dtype=np.float64)
    labels = [str(x) for x in labels]
    _check_rows(path, ids, sets, probs, labels)
    meta = {
        "format": FORMAT,
        "labels": labels,
        "teacher": dict(teacher or {}),
        "sets": sorted(set(sets), key=SETS.index),
        "rows": {name: sets.count(name) for name in SETS},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **(extra or {}),
    }
    columns: dict[str, Any] = {"id": pa.array(ids, pa.string()), "set": pa.array(sets, pa.string())}
    for j, label in enumerate(labels):
        columns[prob_column(label)] = pa.array(probs[:, j], pa.float64())
    table = pa.table(columns).replace_schema_metadata({META_KEY: json.dumps(meta, sort_keys=True).encode()})
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    tmp = new_temp(path)
    try:
        pq.write_table(table, tmp, compression="zstd")
        publish(tmp, path)
    except BaseException:
        discard(tmp)
        raise
    log.info("wrote %d soft labels (%s) to %s", len(ids), meta["rows"], path)
    return path


def read_soft_labels(path: str | Path, labels: Sequence[str]) -> SoftLabels:
    """Read and validate a soft-label file against the training config's `labels` (same names, same order)."""
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.is_file():
        raise TableError(path, "soft-label file not found (make it with `stance-soft-labels teacher=<model uri>`)")
    try:
        table = pq.read_table(path)
    except Exception as err:  # pyarrow raises several types for a file that is not Parquet
        raise TableError(path, f"not a readable Parquet file: {err}") from None
    raw = (table.schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise TableError(path, f"no '{META_KEY.decode()}' metadata: not a soft-label file written by stance")
    meta = json.loads(raw)
    if meta.get("format") != FORMAT:
        raise TableError(path, f"format '{meta.get('format')}' is not {FORMAT}")
    labels = [str(x) for x in labels]
    if list(meta.get("labels") or []) != labels:
        raise TableError(
            path, f"labels {meta.get('labels')} do not match the training config's labels {labels}", field="labels"
        )
    frame = table.to_pandas()
    expected = ["id", "set", *(prob_column(x) for x in labels)]
    missing = [c for c in expected if c not in frame.columns]
    extra = [c for c in frame.columns if c not in expected]
    if missing or extra:
        raise TableError(path, f"columns {list(frame.columns)}: missing {missing}, unexpected {extra}")
    ids = [None if pd.isna(x) else str(x) for x in frame["id"]]
    sets = [str(x) for x in frame["set"]]
    probs = frame[[prob_column(x) for x in labels]].to_numpy(dtype=np.float64)
    _check_rows(path, ids, sets, probs, labels)
    return SoftLabels(path, ids, sets, probs, labels, meta, file_sha256(path))


def article_key(quote_id: str) -> str | None:
    """`<source>:<article id>` of a corpus quote id, None for ids of another shape (a user's own file)."""
    match = _QUOTE_ID.match(str(quote_id))
    return match.group("article") if match else None


@dataclass
class HeldOut:
    """Quote ids and articles of every evaluation split (dev, test and a corpus's extra test sets): nothing of
    them may reach the student's training."""

    ids: set[str]
    articles: set[str]

    @classmethod
    def from_splits(cls, splits: dict[str, pd.DataFrame]) -> HeldOut:
        ids = {str(x) for name, frame in splits.items() if name != "train" for x in frame["id"]}
        return cls(ids, {a for a in map(article_key, ids) if a})

    def pool_mask(self, pool: pd.DataFrame) -> np.ndarray:
        """True for pool rows of a held-out article (by the pool's `corpus_split` or by article id)."""
        mask = np.zeros(len(pool), dtype=bool)
        if "corpus_split" in pool.columns:
            mask |= pool["corpus_split"].fillna("").astype(str).isin(HELD_OUT).to_numpy()
        if {"source", "article_id"} <= set(pool.columns):
            keys = pool["source"].astype(str) + ":" + pool["article_id"].astype(str)
            mask |= keys.isin(self.articles).to_numpy()
        return mask


def pool_inputs(path: str | Path, polnear_dir: str | Path | None) -> pd.DataFrame:
    """The unlabelled pool with model inputs: text, context, and target (= speaker, as the corpus sets it)."""
    from stance.data.sources import unlabelled_pool

    frame = unlabelled_pool(path, polnear_dir)
    frame["target"] = frame["speaker"].fillna("").astype(str) if "speaker" in frame.columns else ""
    frame["context"] = frame["context"].fillna("").astype(str) if "context" in frame.columns else ""
    frame["id"] = frame["id"].astype(str)
    return frame.reset_index(drop=True)


@dataclass
class DistillRows:
    """What the student trains on besides the gold rows: pool rows with their teacher probabilities, and the
    teacher's probabilities for the gold train rows (NaN rows where the file has none)."""

    pool: pd.DataFrame
    pool_probs: np.ndarray
    train_probs: np.ndarray | None
    soft: SoftLabels


def distill_rows(
    soft_path: str | Path,
    pool_path: str | Path | None,
    polnear_dir: str | Path | None,
    splits: dict[str, pd.DataFrame],
    labels: Sequence[str],
    pool_size: int | None,
    use_train_soft: bool,
    seed: int,
) -> DistillRows:
    """Join the soft-label file to the gold train split and the pool, refusing anything of dev or test."""
    soft = read_soft_labels(soft_path, labels)
    held = HeldOut.from_splits(splits)
    leaked = [(n + 1, i) for n, i in enumerate(soft.ids) if i in held.ids]
    if leaked:
        row, quote_id = leaked[0]
        raise TableError(
            soft.path,
            f"id '{quote_id}' is a dev/test quote ({len(leaked)} such rows); dev and test stay gold only",
            row,
            "id",
        )
    pool_soft = soft.for_set("pool")
    pool = pool_inputs(pool_path, polnear_dir) if (pool_path and pool_soft) else pd.DataFrame(columns=["id"])
    pool = pool[pool["id"].isin(set(pool_soft))].reset_index(drop=True)
    bad = held.pool_mask(pool)
    if bad.any():
        first = pool[bad].iloc[0]
        raise TableError(
            soft.path,
            f"{int(bad.sum())} soft-labelled pool rows come from dev/test articles (first: id '{first['id']}', "
            f"article '{first.get('article_id')}'); make the soft labels again, they leave such rows out",
            field="id",
        )
    unmatched = len(pool_soft) - len(pool)
    if unmatched:
        log.warning(
            "%d of %d pool soft labels have no row in the pool %s (PolNeAR copy missing at %s?); they are not used",
            unmatched,
            len(pool_soft),
            pool_path,
            polnear_dir,
        )
    if pool_size is not None and pool_size < len(pool):
        pool = pool.sample(n=int(pool_size), random_state=seed).sort_index().reset_index(drop=True)
    pool_probs = np.array([pool_soft[i] for i in pool["id"]], dtype=np.float32).reshape(len(pool), len(labels))
    train_probs = None
    if use_train_soft:
        train_soft = soft.for_set("train")
        nan = np.full(len(labels), np.nan, dtype=np.float32)
        train_probs = np.array([train_soft.get(str(i), nan) for i in splits["train"]["id"]], dtype=np.float32)
        train_probs = train_probs.reshape(len(splits["train"]), len(labels))
        covered = int(np.isfinite(train_probs[:, 0]).sum())
        if covered < len(train_probs):
            log.warning(
                "%d of %d gold train rows have no teacher probabilities", len(train_probs) - covered, len(train_probs)
            )
    log.info("distillation: %d pool rows, soft labels %s (sha256 %s)", len(pool), soft.path, soft.sha256[:12])
    return DistillRows(
        pool[[c for c in ("id", "text", "target", "context") if c in pool.columns]], pool_probs, train_probs, soft
    )
