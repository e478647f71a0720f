"""Atomic table writers: rows go to a temp file beside the target, `commit()` renames it into place.

Columns are the union of all chunks' columns in first-seen order, so a field that first turns up late is
never dropped. CSV cells (and header names) that a spreadsheet would run as a formula are neutralised by
default (see `neutralise`).
"""

from __future__ import annotations

import csv
import json
import logging
import os
from pathlib import Path
from typing import Any

import pandas as pd

from stance.io.atomic import discard, new_temp, publish, remove_stale_temps
from stance.io.formats import TableError, table_format

log = logging.getLogger(__name__)

# CRLF row ends, as RFC 4180 and the csv module's default: with "\n" alone the csv module leaves a cell holding a
# bare "\r" unquoted, and readers then split the row there.
CSV_LINE_END = "\r\n"

# OWASP CSV injection: a cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix a string that would start a spreadsheet formula with a single quote; leave anything else."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for i in range(frame.shape[1]):
        values = frame.iloc[:, i]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
            risky = values.str.startswith(FORMULA_START).fillna(False).astype(bool)  # vectorised for text columns
            if risky.any():
                out.isetitem(i, values.mask(risky, "'" + values))
        elif values.dtype == object:
            out.isetitem(i, values.map(neutralise))
    return out


def _json_default(value: Any) -> Any:
    """Values json cannot write by itself: bytes, numpy scalars and arrays, timestamps."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "backslashreplace")
    if hasattr(value, "item") and not hasattr(value, "__len__"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _jsonable(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
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


def jsonable_row(row: dict | None) -> dict[str, Any]:
    """A row as JSON-ready values (missing -> None, numpy -> Python), as rejects files record it."""
    return {str(k): _jsonable(v) for k, v in (row or {}).items()}


def _json_line(record: dict) -> str:
    return json.dumps({k: _jsonable(v) for k, v in record.items()}, ensure_ascii=False, default=_json_default) + "\n"


class TableWriter:
    """Append chunks to a temp file beside the target; `commit()` renames it into place.

    Used as a context manager: leaving the block with an exception (including Ctrl-C) deletes the temp
    file, so an interrupted run never leaves a half-written output; temps of killed runs are removed by the
    next writer of the same target. `csv_safe` neutralises formula-like CSV cells and header names.
    """

    def __init__(self, path: str | os.PathLike, csv_safe: bool = True):
        self.path = Path(path)
        self.format = table_format(self.path)
        self.csv_safe = csv_safe
        self.path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(self.path)
        self.tmp = new_temp(self.path)
        self.rows = 0
        self._fh = None
        self._columns: list = []  # CSV: every column seen, first-seen order
        self._header: list | None = None  # CSV: the columns the temp file's header names
        self._parquet = None
        if self.format == "parquet":
            from stance.io.parquet_parts import ParquetParts

            self._parquet = ParquetParts(self.path, self.tmp)

    def write(self, frame: pd.DataFrame) -> None:
        """Append a chunk; its new columns join the output (earlier rows get empty cells there)."""
        if self.format == "jsonl":
            self.write_records(frame.to_dict(orient="records"))
            return
        if self.format == "csv":
            self._write_csv(frame)
        elif frame.empty:
            self._parquet.add_columns(list(frame.columns))
        else:
            self._parquet.write(frame)
        self.rows += len(frame)

    def write_records(self, records: list[dict]) -> None:
        """JSONL only: write plain dicts without building a frame."""
        if self.format != "jsonl":
            raise TableError(self.path, "write_records is for JSONL output")
        if self._fh is None:
            self._fh = open(self.tmp, "w", encoding="utf-8")
        self._fh.writelines(_json_line(rec) for rec in records)
        self.rows += len(records)

    def _write_csv(self, frame: pd.DataFrame) -> None:
        known = set(self._columns)
        self._columns.extend(c for c in frame.columns if c not in known)
        out = frame.reindex(columns=self._columns)
        if self.csv_safe:
            out = _neutralised(out)
        if self._header is None:
            self._header = list(self._columns)
            out.to_csv(
                self.tmp,
                index=False,
                header=self._header_names(),
                mode="w",
                encoding="utf-8",
                lineterminator=CSV_LINE_END,
            )
        elif not out.empty:
            out.to_csv(self.tmp, index=False, header=False, mode="a", encoding="utf-8", lineterminator=CSV_LINE_END)

    def _header_names(self) -> list[str]:
        names = [str(c) for c in self._columns]
        return [neutralise(n) for n in names] if self.csv_safe else names

    def _finish_csv(self) -> None:
        """Columns first seen after the header was written: rewrite the file once, streaming, with the full header."""
        if self._header is None or self._header == self._columns:
            return
        final = new_temp(self.path)
        try:
            with (
                open(self.tmp, encoding="utf-8", newline="") as src,
                open(final, "w", encoding="utf-8", newline="") as dst,
            ):
                reader = csv.reader(src)
                writer = csv.writer(dst, lineterminator=CSV_LINE_END)
                next(reader, None)
                writer.writerow(self._header_names())
                width = len(self._columns)
                for record in reader:
                    writer.writerow(record + [""] * (width - len(record)))
        except BaseException:
            discard(final)
            raise
        discard(self.tmp)
        self.tmp = final
        self._header = list(self._columns)

    def _close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._parquet is not None:
            self._parquet.close()

    def commit(self) -> Path:
        """Finish the temp file (full CSV header, one Parquet file) and rename it over the target."""
        try:
            self._close()
            if self.format == "csv":
                self._finish_csv()
            elif self.format == "parquet":
                self.tmp = self._parquet.finish()
            return publish(self.tmp, self.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Delete every temp file of this writer; the target, if any, is left as it was."""
        self._close()
        if self._parquet is not None:
            self._parquet.abort()
        discard(self.tmp)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def write_table(frame: pd.DataFrame, path: str | os.PathLike, csv_safe: bool = True) -> Path:
    """Write a whole frame atomically."""
    with TableWriter(path, csv_safe=csv_safe) as writer:
        writer.write(frame)
    return writer.path


class RejectsWriter:
    """Collects rejected rows (with the reason) into `<output>.rejects.jsonl`, written atomically.

    `commit()` after a run without rejects removes the rejects file of an earlier run for the same output,
    so what lies beside an output always belongs to it.
    """

    def __init__(self, output: str | os.PathLike):
        self.path = Path(str(output) + ".rejects.jsonl")
        self._writer: TableWriter | None = None
        self.count = 0
        if self.path.parent.is_dir():
            remove_stale_temps(self.path)

    def add(self, source: str, line: int | None, reason: str, row: dict | None = None) -> None:
        if self._writer is None:
            self._writer = TableWriter(self.path)
        rec = {
            "source": source,
            "line": line,
            "reason": reason,
            "row": jsonable_row(row),
        }
        self._writer.write_records([rec])
        self.count += 1

    def commit(self) -> Path | None:
        if self._writer is None:
            if self.path.exists():
                discard(self.path)
                log.info("removed %s of an earlier run: this run rejected nothing", self.path)
            return None
        return self._writer.commit()

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.abort()
