"""Streaming reads and atomic writes of JSONL, CSV and Parquet tables.

Every command that reads or writes rows (training data, quote files, article files, extraction
output) goes through here, so that format detection, line numbers in errors and the
temp-file-and-rename rule live in one place.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)

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


def table_format(path: str | os.PathLike) -> str:
    """Return 'jsonl', 'csv' or 'parquet' from the file extension, or raise a clear error."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise TableError(path, f"unsupported extension '{suffix}'; use one of {sorted(set(FORMATS))}")
    return FORMATS[suffix]


@dataclass
class Chunk:
    """A block of rows and the 1-based source line (JSONL, CSV) or row number (Parquet) of each."""

    frame: pd.DataFrame
    lines: list[int]


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise TableError(path, "file not found")
    if path.is_dir():
        raise TableError(path, "is a directory, expected a file")
    if path.stat().st_size == 0:
        raise TableError(path, "file is empty")


def _utf8_error(path: Path, err: UnicodeDecodeError) -> TableError:
    """Name the first line that is not UTF-8 (the decoder's own offset is relative to its buffer)."""
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as line_err:
                reason = f"not UTF-8 text ({line_err.reason} at byte {line_err.start + 1} of the line)"
                return TableError(path, reason, line=lineno)
    return TableError(path, f"not UTF-8 text ({err.reason})")


def _iter_jsonl(path: Path, chunk_size: int) -> Iterator[Chunk]:
    rows: list[dict] = []
    lines: list[int] = []
    with open(path, encoding="utf-8") as fh:
        try:
            for lineno, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError as err:
                    raise TableError(path, f"invalid JSON ({err.msg} at column {err.colno})", line=lineno) from None
                if not isinstance(obj, dict):
                    raise TableError(path, f"expected a JSON object, got {type(obj).__name__}", line=lineno)
                rows.append(obj)
                lines.append(lineno)
                if len(rows) >= chunk_size:
                    yield Chunk(pd.DataFrame.from_records(rows), lines)
                    rows, lines = [], []
        except UnicodeDecodeError as err:
            raise _utf8_error(path, err) from None
    if rows:
        yield Chunk(pd.DataFrame.from_records(rows), lines)


def _iter_csv(path: Path, chunk_size: int) -> Iterator[Chunk]:
    # keep_default_na=False so an empty cell stays "" (reported as empty), not NaN.
    # Lines are tracked through the csv module so that multi-line quoted cells keep true line numbers.
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise TableError(path, "file is empty") from None
            if len(set(header)) != len(header):
                raise TableError(path, "duplicate column names in header", line=1)
            rows: list[list[str]] = []
            lines: list[int] = []
            start = reader.line_num + 1
            for record in reader:
                if not record or all(not cell.strip() for cell in record):
                    start = reader.line_num + 1
                    continue
                if len(record) != len(header):
                    raise TableError(path, f"expected {len(header)} fields, found {len(record)}", line=start)
                rows.append(record)
                lines.append(start)
                start = reader.line_num + 1
                if len(rows) >= chunk_size:
                    yield Chunk(pd.DataFrame(rows, columns=header, dtype=object), lines)
                    rows, lines = [], []
            if rows:
                yield Chunk(pd.DataFrame(rows, columns=header, dtype=object), lines)
    except UnicodeDecodeError as err:
        raise _utf8_error(path, err) from None
    except csv.Error as err:
        raise TableError(path, f"malformed CSV: {err}") from None


def _iter_parquet(path: Path, chunk_size: int) -> Iterator[Chunk]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as err:  # pyarrow raises several types for corrupt files
        raise TableError(path, f"unreadable Parquet file ({err})") from None
    row = 1
    for batch in pf.iter_batches(batch_size=chunk_size):
        frame = batch.to_pandas()
        yield Chunk(frame, list(range(row, row + len(frame))))
        row += len(frame)


def iter_table(path: str | os.PathLike, chunk_size: int = 10_000) -> Iterator[Chunk]:
    """Stream a table in chunks so memory stays flat however large the file is."""
    path = Path(path)
    fmt = table_format(path)
    _check_readable(path)
    reader = {"jsonl": _iter_jsonl, "csv": _iter_csv, "parquet": _iter_parquet}[fmt]
    yield from reader(path, chunk_size)


def read_table(path: str | os.PathLike) -> tuple[pd.DataFrame, list[int]]:
    """Read a whole table; returns the frame and each row's source line."""
    frames, lines = [], []
    for chunk in iter_table(path):
        frames.append(chunk.frame)
        lines.extend(chunk.lines)
    if not frames:
        raise TableError(path, "file has no rows")
    return pd.concat(frames, ignore_index=True), lines


def count_rows(path: str | os.PathLike) -> int | None:
    """Cheap row count for progress bars (Parquet metadata, or newline count for text files)."""
    path = Path(path)
    fmt = table_format(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        with contextlib.suppress(Exception):
            return pq.ParquetFile(path).metadata.num_rows
        return None
    n = 0
    last = b"\n"
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            n += block.count(b"\n")
            last = block[-1:]
    n += last != b"\n"  # a last line without a trailing newline is still a row
    return max(n - (1 if fmt == "csv" else 0), 0)


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


class TableWriter:
    """Append chunks to a temp file beside the target; `commit()` renames it into place.

    Used as a context manager: leaving the block with an exception (including Ctrl-C) deletes
    the temp file, so an interrupted run never leaves a half-written output.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.format = table_format(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        self.tmp = Path(tmp)
        self.rows = 0
        self._fh = None
        self._parquet = None
        self._schema = None
        self._columns: list[str] | None = None

    def write(self, frame: pd.DataFrame) -> None:
        # An empty chunk has no types to give (an empty column reads as float), so it must not fix the Parquet schema.
        if frame.empty and (self.rows or self.format == "parquet"):
            return
        if self.format == "jsonl":
            if self._fh is None:
                self._fh = open(self.tmp, "w", encoding="utf-8")
            for rec in frame.to_dict(orient="records"):
                self._fh.write(json.dumps({k: _jsonable(v) for k, v in rec.items()}, ensure_ascii=False) + "\n")
        elif self.format == "csv":
            if self._columns is None:
                self._columns = list(frame.columns)
                frame.to_csv(self.tmp, index=False, mode="w")
            else:
                frame.reindex(columns=self._columns).to_csv(self.tmp, index=False, header=False, mode="a")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._parquet is None:
                self._schema = table.schema
                self._parquet = pq.ParquetWriter(self.tmp, self._schema)
            else:
                try:
                    table = table.select(self._schema.names).cast(self._schema)
                except (pa.ArrowInvalid, KeyError, ValueError) as err:
                    raise TableError(self.path, f"rows after the first chunk have a different schema: {err}") from None
            self._parquet.write_table(table)
        self.rows += len(frame)

    def _close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None

    def commit(self) -> Path:
        self._close()
        if self.rows == 0 and self.format == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.table({}), self.tmp)
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        self._close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def write_table(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a whole frame atomically."""
    with TableWriter(path) as writer:
        writer.write(frame)
    return writer.path


class RejectsWriter:
    """Collects rejected rows (with the reason) into `<output>.rejects.jsonl`, written atomically."""

    def __init__(self, output: str | os.PathLike):
        self.path = Path(str(output) + ".rejects.jsonl")
        self._writer: TableWriter | None = None
        self.count = 0

    def add(self, source: str, line: int | None, reason: str, row: dict | None = None) -> None:
        if self._writer is None:
            self._writer = TableWriter(self.path)
        rec = {
            "source": source,
            "line": line,
            "reason": reason,
            "row": {k: _jsonable(v) for k, v in (row or {}).items()},
        }
        self._writer.write(
            pd.DataFrame([{"source": rec["source"], "line": rec["line"], "reason": rec["reason"], "row": rec["row"]}])
        )
        self.count += 1

    def commit(self) -> Path | None:
        if self._writer is None:
            return None
        return self._writer.commit()

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.abort()
