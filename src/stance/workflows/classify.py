"""`run_classify(cfg)`: stream a quote file through a stance model, chunk by chunk, into a new file."""

from __future__ import annotations

import logging
import numbers
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from stance.config import inference_settings
from stance.io import RejectsWriter, TableError, TableWriter, count_rows, iter_table
from stance.modeling.predictor import load_predictor, predict_frame

log = logging.getLogger(__name__)


def _kind(value: Any) -> str:
    """A value's type in the words of JSON, whichever reader produced it (numpy scalars and arrays included)."""
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, numbers.Integral):
        return "int"
    if isinstance(value, numbers.Real):
        return "float"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def _as_text(value: Any) -> tuple[str | None, str | None]:
    """(text, None) for a value the model can read, (None, reason) otherwise; UTF-8 bytes count as text."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None, "missing or empty"
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError as err:
            return None, f"bytes that are not UTF-8 ({err.reason} at byte {err.start + 1})"
    if not isinstance(value, str):
        return None, f"expected a string, got {_kind(value)}"
    if not value.strip():
        return None, "missing or empty"
    return value, None


def _check_rows(
    frame: pd.DataFrame, fields: dict[str, str | None], required: list[str]
) -> tuple[list[tuple[str, str] | None], dict[str, list[str | None]]]:
    """(field, reason) per row that cannot be classified (None for a good row), and each required column's text."""
    problems: list[tuple[str, str] | None] = [None] * len(frame)
    texts: dict[str, list[str | None]] = {}
    for role in required:
        column = str(fields[role])
        if column not in frame.columns:
            return [(column, "missing")] * len(frame), {}
        texts[column] = []
        for i, value in enumerate(frame[column].tolist()):
            text, reason = _as_text(value)
            texts[column].append(text)
            if problems[i] is None and reason is not None:
                problems[i] = (column, reason)
    return problems, texts


def run_classify(cfg: DictConfig) -> dict[str, Any]:
    """Classify every row of `cfg.input` into `cfg.output`, keeping all input fields.

    Memory stays flat: rows are read, classified and written one chunk at a time. The output is a
    temp file until the last chunk is written, so an interrupted run leaves nothing behind.
    """
    source = Path(cfg.input)
    output = Path(cfg.output)
    if source.resolve() == output.resolve():
        raise ValueError(f"{output}: output must differ from input")
    on_error = str(cfg.get("on_error", "raise"))
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got '{on_error}'")
    tracking_uri = cfg.tracking.uri if cfg.get("tracking") else None
    predictor = load_predictor(
        str(cfg.model_uri), tracking_uri, bool(cfg.get("allow_pickle_weights", False)), **inference_settings(cfg)
    )
    fields = {"text": str(cfg.fields.text), "target": cfg.fields.get("target"), "context": cfg.fields.get("context")}
    required = ["text"] + {"target_text": ["target"], "text_context": ["context"]}.get(predictor.input_mode, [])
    for role in required:
        if not fields.get(role):
            raise ValueError(f"the model reads '{role}' (input mode {predictor.input_mode}); set fields.{role}")
    batch_size = int(cfg.batch_size)
    total = count_rows(source) if cfg.get("progress", True) else None
    rejects = RejectsWriter(output)
    written = 0
    started = time.time()
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="quote", disable=not cfg.get("progress", True), dynamic_ncols=True, desc="classify")

    def reject_unreadable(err: TableError, row: dict | None) -> None:
        log.warning("skipping %s", err)
        reason = err.reason if err.field is None else f"field '{err.field}': {err.reason}"
        rejects.add(str(source), err.line, reason, row)

    on_fault = reject_unreadable if on_error == "skip" else None
    try:
        with TableWriter(output, csv_safe=bool(cfg.get("csv_safe", True))) as writer:
            for chunk in iter_table(source, chunk_size=int(cfg.chunk_size), on_fault=on_fault):
                frame = chunk.frame
                problems, texts = _check_rows(frame, fields, required)
                bad = [i for i, p in enumerate(problems) if p is not None]
                for i in bad:
                    column, reason = problems[i]
                    if on_error == "raise":
                        raise TableError(source, reason, line=chunk.lines[i], field=column)
                    rejects.add(str(source), chunk.lines[i], f"field '{column}': {reason}", frame.iloc[i].to_dict())
                good = [i for i, p in enumerate(problems) if p is None]
                frame = frame.iloc[good]
                for column, values in texts.items():  # decoded bytes become text in the output too
                    frame[column] = [values[i] for i in good]
                model_input = pd.DataFrame(
                    {role: frame.get(str(fields[role]), pd.Series(dtype=object)) for role in required},
                    index=frame.index,
                )
                predicted = predict_frame(predictor, model_input, batch_size=batch_size)
                clash = [c for c in predicted.columns if c in frame.columns]
                if clash:
                    log.warning("input already has columns %s; they are replaced by the new predictions", clash)
                    frame = frame.drop(columns=clash)
                writer.write(pd.concat([frame, predicted], axis=1))
                written += len(frame)
                bar.update(len(chunk.frame))
    except BaseException:
        rejects.abort()
        raise
    finally:
        bar.close()
    rejects_path = rejects.commit()
    elapsed = time.time() - started
    summary = {
        "input": str(source),
        "output": str(output),
        "rows": written,
        "rejected": rejects.count,
        "rejects_file": str(rejects_path) if rejects_path else None,
        "seconds": round(elapsed, 3),
        "quotes_per_s": round(written / elapsed, 1) if elapsed > 0 else None,
        "labels": list(predictor.labels),
        "backend": getattr(predictor, "backend", getattr(predictor, "kind", "?")),
    }
    log.info(
        "classified %d rows (%d rejected) in %.1fs on %s -> %s",
        written,
        rejects.count,
        elapsed,
        summary["backend"],
        output,
    )
    return summary
