"""Loading and validating labelled stance data (JSONL, CSV, Parquet)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from stance.io import TableError, read_table

log = logging.getLogger(__name__)

REQUIRED = ("text", "label")
OPTIONAL = ("id", "target", "context", "split")
INPUT_MODES = ("text", "target_text", "text_context")
# values of a `split` column (case-insensitive) and the split each one means; a blank cell is train
SPLIT_NAMES = {"": "train", "train": "train", "dev": "dev", "validation": "dev", "val": "dev", "test": "test"}


def is_blank(value: object) -> bool:
    """None, NaN or only whitespace."""
    return value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""


def validate_frame(
    frame: pd.DataFrame,
    labels: Sequence[str],
    source: str,
    lines: Sequence[int] | None = None,
    input_mode: str = "text",
) -> pd.DataFrame:
    """Check columns, text and labels; return a clean frame with string columns.

    Errors name the file, the line (or row) and the field, so a user can fix the file directly.
    """
    if input_mode not in INPUT_MODES:
        raise ValueError(f"data.input must be one of {INPUT_MODES}, got '{input_mode}'")
    lines = list(lines) if lines is not None else list(range(1, len(frame) + 1))
    for column in REQUIRED:
        if column not in frame.columns:
            raise TableError(source, f"missing required column (columns found: {list(frame.columns)})", field=column)
    needed = {"target_text": "target", "text_context": "context"}.get(input_mode)
    if needed and needed not in frame.columns:
        raise TableError(source, f"data.input={input_mode} needs this column", field=needed)
    allowed = set(labels)
    for i, (text, label) in enumerate(zip(frame["text"].tolist(), frame["label"].tolist())):
        if is_blank(text):
            raise TableError(source, "text is missing or empty", line=lines[i], field="text")
        if is_blank(label):
            raise TableError(source, "label is missing or empty", line=lines[i], field="label")
        if str(label).strip() not in allowed:
            raise TableError(
                source, f"unknown label '{label}'; expected one of {sorted(allowed)}", line=lines[i], field="label"
            )
    if needed == "target":
        for i, value in enumerate(frame["target"].tolist()):
            if is_blank(value):
                raise TableError(
                    source, "target is missing or empty (data.input=target_text)", line=lines[i], field="target"
                )
    out = pd.DataFrame({"text": frame["text"].astype(str), "label": frame["label"].astype(str).str.strip()})
    for column in OPTIONAL:
        if column in frame.columns:
            out[column] = frame[column].where(~frame[column].isna(), "").astype(str)
    if "split" in out.columns:
        out["split"] = _split_names(out["split"].tolist(), source, lines)
    if "id" not in out.columns:
        out["id"] = [f"{Path(source).stem}:{n}" for n in lines]
    return out.reset_index(drop=True)


def _split_names(values: Sequence[str], source: str, lines: Sequence[int]) -> list[str]:
    """Canonical split per row (train/dev/test); an unknown value is an error, not a silent train row."""
    out = []
    for i, value in enumerate(values):
        name = SPLIT_NAMES.get(str(value).strip().lower())
        if name is None:
            raise TableError(
                source,
                f"unknown split '{value}'; expected one of {sorted(set(SPLIT_NAMES) - {''})}",
                line=lines[i],
                field="split",
            )
        out.append(name)
    return out


def load_labelled(path: str | Path, labels: Sequence[str], input_mode: str = "text") -> pd.DataFrame:
    """Read one labelled file (format from its extension) and validate it."""
    frame, lines = read_table(path)
    return validate_frame(frame, labels, str(path), lines, input_mode)
