"""Streaming reads of JSONL, CSV and Parquet with true line numbers.

A row that cannot be read (invalid JSON, not an object, wrong number of CSV fields, bytes that are not UTF-8)
raises a TableError naming file and line, or, when the caller passes `on_fault`, is reported to it and
skipped, so a skip-mode run goes on. A UTF-8 byte-order mark and CRLF line endings are accepted.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from stance.io.formats import Chunk, FaultHandler, TableError, table_format

BOM = b"\xef\xbb\xbf"
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of a byte that is not UTF-8


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise TableError(path, "file not found")
    if path.is_dir():
        raise TableError(path, "is a directory, expected a file")
    if path.stat().st_size == 0:
        raise TableError(path, "file is empty")


def _report(on_fault: FaultHandler | None, err: TableError, row: dict | None) -> None:
    if on_fault is None:
        raise err
    on_fault(err, row)


def _utf8_reason(raw: bytes) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return f"not UTF-8 text ({err.reason} at byte {err.start + 1} of the line)"
    return "not UTF-8 text"


def _printable(raw: bytes) -> str:
    """Line bytes as text for a rejects file: bytes that are not UTF-8 appear as \\xNN escapes."""
    return raw.decode("utf-8", "backslashreplace").rstrip("\r\n")


def _iter_jsonl(path: Path, chunk_size: int, on_fault: FaultHandler | None) -> Iterator[Chunk]:
    rows: list[dict] = []
    lines: list[int] = []
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if lineno == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                _report(on_fault, TableError(path, _utf8_reason(raw), line=lineno), {"raw": _printable(raw)})
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as err:
                reason = f"invalid JSON ({err.msg} at column {err.colno})"
                _report(on_fault, TableError(path, reason, line=lineno), {"raw": text.rstrip("\r\n")})
                continue
            if not isinstance(obj, dict):
                reason = f"expected a JSON object, got {type(obj).__name__}"
                _report(on_fault, TableError(path, reason, line=lineno), {"raw": text.rstrip("\r\n")})
                continue
            rows.append(obj)
            lines.append(lineno)
            if len(rows) >= chunk_size:
                yield Chunk(pd.DataFrame.from_records(rows), lines)
                rows, lines = [], []
    if rows:
        yield Chunk(pd.DataFrame.from_records(rows), lines)


class _Lines:
    """Text lines for csv.reader, noting which ones held bytes that are not UTF-8 (kept as escapes meanwhile)."""

    def __init__(self, fh: Iterable[str]):
        self._fh = fh
        self.count = 0
        self.bad: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        for line in self._fh:
            self.count += 1
            if _ESCAPED_BYTE.search(line):
                self.bad.append((self.count, _utf8_reason(line.encode("utf-8", "surrogateescape"))))
            yield line

    def faults_until(self, line: int) -> list[tuple[int, str]]:
        """The bad lines up to `line`, removed from the list."""
        done = [b for b in self.bad if b[0] <= line]
        self.bad = self.bad[len(done) :]
        return done


def _cells(record: list[str]) -> list[str]:
    return [c.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") for c in record]


def _iter_csv(path: Path, chunk_size: int, on_fault: FaultHandler | None) -> Iterator[Chunk]:
    # Empty cells stay "" (reported as empty), never NaN. Lines are counted as the csv module reads them, so
    # multi-line quoted cells keep true line numbers.
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        source = _Lines(fh)
        reader = csv.reader(source)
        try:
            try:
                header = next(reader)
            except StopIteration:
                raise TableError(path, "file is empty") from None
            for line, reason in source.faults_until(reader.line_num):
                raise TableError(path, reason, line=line)
            if len(set(header)) != len(header):
                raise TableError(path, "duplicate column names in header", line=1)
            rows: list[list[str]] = []
            lines: list[int] = []
            start = reader.line_num + 1
            for record in reader:
                bad = source.faults_until(reader.line_num)
                if bad:
                    _report(on_fault, TableError(path, bad[0][1], line=bad[0][0]), {"raw": _cells(record)})
                elif not record or (len(record) == 1 and record[0] != "" and not record[0].strip()):
                    pass  # a blank or whitespace-only line; [""] is a quoted empty cell, ",," a row of empty cells
                elif len(record) != len(header):
                    reason = f"expected {len(header)} fields, found {len(record)}"
                    _report(on_fault, TableError(path, reason, line=start), {"raw": record})
                else:
                    rows.append(record)
                    lines.append(start)
                start = reader.line_num + 1
                if len(rows) >= chunk_size:
                    yield Chunk(pd.DataFrame(rows, columns=header, dtype=object), lines)
                    rows, lines = [], []
            if rows:
                yield Chunk(pd.DataFrame(rows, columns=header, dtype=object), lines)
        except csv.Error as err:
            raise TableError(path, f"malformed CSV: {err}", line=reader.line_num or None) from None


def _iter_parquet(path: Path, chunk_size: int, on_fault: FaultHandler | None) -> Iterator[Chunk]:
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


def iter_table(
    path: str | os.PathLike, chunk_size: int = 10_000, on_fault: FaultHandler | None = None
) -> Iterator[Chunk]:
    """Stream a table in chunks so memory stays flat however large the file is.

    Without `on_fault` the first unreadable row raises a TableError; with it, each such row is passed to
    `on_fault(error, {"raw": ...})` and reading goes on. Faults of the whole file always raise.
    """
    path = Path(path)
    fmt = table_format(path)
    _check_readable(path)
    reader = {"jsonl": _iter_jsonl, "csv": _iter_csv, "parquet": _iter_parquet}[fmt]
    yield from reader(path, chunk_size, on_fault)


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
