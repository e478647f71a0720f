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
from stance.io import FaultHandler, RejectsWriter, TableError, TableWriter, count_rows, iter_table, table_files
from stance.modeling.predictor import load_predictor, predict_frame
from stance.runners import runner_name

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


def classify_chunk(
    frame: pd.DataFrame,
    lines: list[int],
    source: Path,
    predictor: Any,
    fields: dict[str, str | None],
    required: list[str],
    batch_size: int,
    on_fault: FaultHandler | None,
) -> pd.DataFrame:
    """One chunk of input rows -> the rows that can be classified, with their predictions added.

    A row that cannot be classified raises a TableError naming file, line and field, or, given `on_fault`, is
    passed to it (error, row) and left out. Both runners call this, so they keep and reject the same rows.
    """
    problems, texts = _check_rows(frame, fields, required)
    for i, problem in enumerate(problems):
        if problem is not None:
            error = TableError(source, problem[1], line=lines[i], field=problem[0])
            if on_fault is None:
                raise error
            on_fault(error, frame.iloc[i].to_dict())
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
    return pd.concat([frame, predicted], axis=1)


def model_fields(cfg: DictConfig, input_mode: str) -> tuple[dict[str, str | None], list[str]]:
    """The input columns (`fields.*`) and the roles the model reads, refusing a mode whose column is unset."""
    fields = {"text": str(cfg.fields.text), "target": cfg.fields.get("target"), "context": cfg.fields.get("context")}
    required = ["text"] + {"target_text": ["target"], "text_context": ["context"]}.get(input_mode, [])
    for role in required:
        if not fields.get(role):
            raise ValueError(f"the model reads '{role}' (input mode {input_mode}); set fields.{role}")
    return fields, required


def check_paths(cfg: DictConfig) -> tuple[list[Path], Path, str]:
    """The input tables (a file, or every table in a folder), the output, and on_error; bad settings raise."""
    source = Path(cfg.input)
    output = Path(cfg.output)
    if source.resolve() == output.resolve():
        raise ValueError(f"{output}: output must differ from input")
    on_error = str(cfg.get("on_error", "raise"))
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got '{on_error}'")
    return table_files(source), output, on_error


def run_summary(
    source: str,
    output: Path,
    written: int,
    rejected: int,
    rejects_path: Path | None,
    elapsed: float,
    predictor: Any,
    **extra: Any,
) -> dict[str, Any]:
    """What a classify run returns (and the CLI logs), the same for the local and the Ray runner."""
    return {
        "input": source,
        "output": str(output),
        "rows": written,
        "rejected": rejected,
        "rejects_file": str(rejects_path) if rejects_path else None,
        "seconds": round(elapsed, 3),
        "quotes_per_s": round(written / elapsed, 1) if elapsed > 0 else None,
        "labels": list(predictor.labels),
        **extra,
    }


def run_classify(cfg: DictConfig) -> dict[str, Any]:
    """Classify every row of `cfg.input` (a table, or a folder of them) into `cfg.output`, keeping all input fields.

    Memory stays flat: rows are read, classified and written one chunk at a time. The output is a
    temp file until the last chunk is written, so an interrupted run leaves nothing behind.
    `runner=ray` hands the same work to a Ray actor pool (`stance.runners.ray_classify`).
    """
    if runner_name(cfg) == "ray":
        from stance.runners.ray_classify import ray_classify

        return ray_classify(cfg)
    files, output, on_error = check_paths(cfg)
    source = Path(cfg.input)
    tracking_uri = cfg.tracking.uri if cfg.get("tracking") else None
    predictor = load_predictor(
        str(cfg.model_uri), tracking_uri, bool(cfg.get("allow_pickle_weights", False)), **inference_settings(cfg)
    )
    fields, required = model_fields(cfg, predictor.input_mode)
    batch_size = int(cfg.batch_size)
    total = sum(count_rows(path) or 0 for path in files) if cfg.get("progress", True) else None
    rejects = RejectsWriter(output)
    written = 0
    started = time.time()
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="quote", disable=not cfg.get("progress", True), dynamic_ncols=True, desc="classify")

    def reject(err: TableError, row: dict | None) -> None:
        log.warning("skipping %s", err)
        reason = err.reason if err.field is None else f"field '{err.field}': {err.reason}"
        rejects.add(err.path, err.line, reason, row)

    on_fault = reject if on_error == "skip" else None
    try:
        with TableWriter(output, csv_safe=bool(cfg.get("csv_safe", True))) as writer:
            for path in files:
                for chunk in iter_table(path, chunk_size=int(cfg.chunk_size), on_fault=on_fault):
                    frame = classify_chunk(
                        chunk.frame, chunk.lines, path, predictor, fields, required, batch_size, on_fault
                    )
                    writer.write(frame)
                    written += len(frame)
                    bar.update(len(chunk.frame))
    except BaseException:
        rejects.abort()
        raise
    finally:
        bar.close()
    rejects_path = rejects.commit()
    elapsed = time.time() - started
    backend = getattr(predictor, "backend", getattr(predictor, "kind", "?"))
    summary = run_summary(
        str(source), output, written, rejects.count, rejects_path, elapsed, predictor, backend=backend
    )
    log.info(
        "classified %d rows (%d rejected) in %.1fs on %s -> %s",
        written,
        rejects.count,
        elapsed,
        summary["backend"],
        output,
    )
    return summary
