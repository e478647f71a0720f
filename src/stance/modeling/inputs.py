"""How a quote becomes model input: text alone, (target, text) or (text, context); and tokenised, cached."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
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


# ---- inference: token-length-sorted batches, tokenised a window ahead in a background thread ---------------------
MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# rows tokenised (and length-sorted) at a time, so short quotes are not padded to long ones. On 10,000 news quotes
# in batches of 64 the padded tokens are 1.126x the real ones with a window of 1,024 and 1.035x with 4,096 (the
# transformers pipeline, batches of 32 in file order: 2.98x); `stance-classify` reads chunks of 4,096 rows.
TOKENIZE_WINDOW = 4096
_DONE = object()


def model_input_names(tokenizer: Any) -> list[str]:
    """The arrays an encoder takes, in the tokenizer's order (MPNet has no token_type_ids, BERT does)."""
    names = [n for n in getattr(tokenizer, "model_input_names", MODEL_INPUTS) if n in MODEL_INPUTS]
    return names if "input_ids" in names else ["input_ids", "attention_mask"]


def _padded(encoded: Mapping[str, list], rows: np.ndarray, names: Sequence[str], pad_id: int) -> dict[str, np.ndarray]:
    ids = [encoded["input_ids"][i] for i in rows]
    width = max(len(x) for x in ids)
    out = {"input_ids": np.full((len(ids), width), pad_id, dtype=np.int64)}
    out["attention_mask"] = np.zeros((len(ids), width), dtype=np.int64)
    types = encoded.get("token_type_ids") if "token_type_ids" in names else None
    if "token_type_ids" in names:
        out["token_type_ids"] = np.zeros((len(ids), width), dtype=np.int64)
    for r, seq in enumerate(ids):
        out["input_ids"][r, : len(seq)] = seq
        out["attention_mask"][r, : len(seq)] = 1
        if types is not None:
            out["token_type_ids"][r, : len(seq)] = types[rows[r]]
    return {n: out[n] for n in names}


def token_batches(
    tokenizer: Any,
    first: list[str],
    second: list[str] | None,
    max_length: int,
    batch_size: int,
    names: Sequence[str],
    window: int = TOKENIZE_WINDOW,
) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
    """(row indices, padded int64 arrays) per batch: each window of rows is tokenised in one call of the fast
    tokenizer, ordered by token count and cut into batches, so a batch is padded only to its own longest quote."""
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    for start in range(0, len(first), window):
        stop = min(start + window, len(first))
        encoded = tokenizer(
            first[start:stop],
            second[start:stop] if second is not None else None,
            truncation=True,
            max_length=max_length,
            return_attention_mask=False,
            return_token_type_ids="token_type_ids" in names,
        )
        lengths = np.fromiter((len(x) for x in encoded["input_ids"]), dtype=np.int64, count=stop - start)
        order = np.argsort(lengths, kind="stable")
        for begin in range(0, len(order), batch_size):
            rows = order[begin : begin + batch_size]
            yield rows + start, _padded(encoded, rows, names, pad_id)


def prefetched(items: Iterator[Any], depth: int = 4) -> Iterator[Any]:
    """Run `items` in a background thread, `depth` items ahead: tokenising (Rust, GIL released) overlaps the
    model. An error in the thread is raised here; leaving the loop early stops the thread."""
    import queue
    import threading

    box: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as err:  # handed to the consumer, which re-raises it
            put(err)

    worker = threading.Thread(target=produce, name="stance-tokenise", daemon=True)
    worker.start()
    try:
        while True:
            item = box.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


def predict_sorted(
    frame: pd.DataFrame,
    tokenizer: Any,
    input_mode: str,
    max_length: int,
    batch_size: int,
    n_labels: int,
    names: Sequence[str],
    logits: Callable[[dict[str, np.ndarray]], np.ndarray],
    temperature: float = 1.0,
    log_space: bool = False,
) -> np.ndarray:
    """Class probabilities for every row of `frame`, in its order, from any backend's `logits(arrays)`:
    the loop both the torch and the ONNX Runtime backends share, so the model's calibration `temperature`
    (logits / T before the softmax, `stance.modeling.calibration`) is applied the same way on each.
    `log_space`: log-probabilities instead (what a temperature is fitted on)."""
    from stance.modeling.calibration import softmax

    first, second = input_pairs(frame, input_mode)
    out = np.zeros((len(first), n_labels), dtype=np.float32)
    if not first:
        return out
    batches = token_batches(tokenizer, first, second, max_length, max(1, int(batch_size)), names)
    for rows, arrays in prefetched(batches):
        out[rows] = softmax(np.asarray(logits(arrays), dtype=np.float32), temperature, log_space)
    return out
