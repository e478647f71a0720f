"""How a quote becomes model input: text alone, (target, text) or (text, context); and tokenised, cached."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import datasets

log = logging.getLogger(__name__)

INPUT_MODES = ("text", "target_text", "text_context")
TOKENIZE_VERSION = "1"  # bump when `_encode_batch` changes what it writes, so old caches are not reused


def _has(rows: pd.DataFrame | Mapping[str, Any], column: str) -> bool:
    return column in (rows.columns if isinstance(rows, pd.DataFrame) else rows)


def _strings(values: Any, blank_missing: bool) -> list[str]:
    if blank_missing:
        return ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in values]
    return [str(v) for v in values]


def input_pairs(rows: pd.DataFrame | Mapping[str, Any], mode: str) -> tuple[list[str], list[str] | None]:
    """First and (optional) second segment for a tokenizer or a vectorizer, from a frame or a batch of columns."""
    if mode not in INPUT_MODES:
        raise ValueError(f"input mode must be one of {INPUT_MODES}, got '{mode}'")
    text = _strings(rows["text"], blank_missing=False)
    if mode == "target_text":
        target = _strings(rows["target"], blank_missing=True) if _has(rows, "target") else [""] * len(text)
        return target, text
    if mode == "text_context":
        context = _strings(rows["context"], blank_missing=True) if _has(rows, "context") else [""] * len(text)
        return text, context
    return text, None


def joined_text(frame: pd.DataFrame, mode: str, sep: str = " || ") -> list[str]:
    """One string per row, for models that take a single text (TF-IDF)."""
    first, second = input_pairs(frame, mode)
    if second is None:
        return first
    return [f"{a}{sep}{b}" for a, b in zip(first, second)]


def tokenizer_signature(tokenizer: Any) -> str:
    """A hash of what decides the token ids: vocabulary, normalisation, templates, truncation side.

    The fast tokenizer's truncation/padding state is left out: it changes with each call, not with the model.
    """
    state: dict[str, Any] = {
        "class": type(tokenizer).__name__,
        "truncation_side": getattr(tokenizer, "truncation_side", None),
        "model_max_length": getattr(tokenizer, "model_max_length", None),
    }
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        spec = json.loads(backend.to_str())
        spec.pop("truncation", None)
        spec.pop("padding", None)
        state["backend"] = spec
    else:
        from datasets.fingerprint import Hasher

        state["pickled"] = Hasher.hash(tokenizer)
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def _encode_batch(
    batch: Mapping[str, list],
    tokenizer: Any,
    max_length: int,
    input_mode: str,
    label_ids: Mapping[str, int],
    names: Sequence[str] | None,
) -> dict[str, list]:
    first, second = input_pairs(batch, input_mode)
    out = dict(tokenizer(first, second, truncation=True, max_length=max_length))
    if "label" in batch:
        values = [names[v] for v in batch["label"]] if names is not None else [str(v) for v in batch["label"]]
        unknown = sorted(set(values) - set(label_ids))
        if unknown:
            raise ValueError(f"labels {unknown} are not among the model's labels {list(label_ids)}")
        out["labels"] = [label_ids[v] for v in values]
    return out


def tokenize_dataset(
    dataset: datasets.Dataset,
    tokenizer: Any,
    max_length: int,
    input_mode: str,
    labels: Sequence[str],
) -> datasets.Dataset:
    """Token ids (+ `labels` as ids into `labels`) through a batched, cached `Dataset.map`.

    The cache key is the data's fingerprint plus the tokenizer, max_length, input mode and label order,
    so changing any of them tokenises again and nothing else does. A dataset read from disk (as
    `stance.data.load_dataset` returns) caches next to its Arrow files; an in-memory one is not cached.
    """
    import datasets as hf

    if input_mode not in INPUT_MODES:
        raise ValueError(f"input mode must be one of {INPUT_MODES}, got '{input_mode}'")
    label = dataset.features.get("label")
    names = list(label.names) if isinstance(label, hf.ClassLabel) else None
    key = [
        TOKENIZE_VERSION,
        dataset._fingerprint,
        tokenizer_signature(tokenizer),
        int(max_length),
        input_mode,
        list(labels),
        names,
    ]
    fingerprint = hashlib.sha256(json.dumps(key).encode()).hexdigest()[:32]
    return dataset.map(
        _encode_batch,
        batched=True,
        fn_kwargs={
            "tokenizer": tokenizer,
            "max_length": int(max_length),
            "input_mode": input_mode,
            "label_ids": {x: i for i, x in enumerate(labels)},
            "names": names,
        },
        remove_columns=dataset.column_names,
        new_fingerprint=fingerprint,
        load_from_cache_file=True,
        desc="tokenising",
    )
