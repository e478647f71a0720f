"""What every table reader and writer shares: the formats by extension, the error type and the chunk type."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


class TableError(ValueError):
    """A problem with an input or output table, naming the file, the line and the field."""

    def __init__(self, path: str | os.PathLike, message: str, line: int | None = None, field: str | None = None):
        self.path = str(path)
        self.line = line
        self.field = field
        self.reason = message
        where = self.path
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")


# Called with a per-row fault (bad JSON line, wrong field count, non-UTF-8 line) and what could be read of the row,
# as {"raw": <line text or cells>}; a reader given one goes on with the next row instead of raising.
FaultHandler = Callable[[TableError, "dict | None"], None]


def table_format(path: str | os.PathLike) -> str:
    """Return 'jsonl', 'csv' or 'parquet' from the file extension, or raise a clear error."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise TableError(path, f"unsupported extension '{suffix}'; use one of {sorted(set(FORMATS))}")
    return FORMATS[suffix]


def table_files(path: str | os.PathLike) -> list[Path]:
    """The tables to read for `path`: the file itself, or every .jsonl/.csv/.parquet under a folder (sub-folders
    included, hidden names left out) in sorted relative-path order, so every runner reads them in the same order."""
    path = Path(path)
    if not path.is_dir():
        table_format(path)
        return [path]
    found = sorted(
        (p for p in path.rglob("*") if p.suffix.lower() in FORMATS and p.is_file()),
        key=lambda p: p.relative_to(path).parts,
    )
    files = [p for p in found if not any(part.startswith(".") for part in p.relative_to(path).parts)]
    if not files:
        raise TableError(path, f"no {'/'.join(sorted(set(FORMATS)))} files in the folder")
    return files


@dataclass
class Chunk:
    """A block of rows and the 1-based source line (JSONL, CSV) or row number (Parquet) of each."""

    frame: pd.DataFrame
    lines: list[int]
