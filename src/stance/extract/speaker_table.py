"""`finalize_speakers`: the post-pass that gives every quote a corpus-wide `speaker_id` and writes speakers.csv.

It works on a finished quotes file (JSONL, CSV or Parquet, as `stance-extract` writes it), so any runner (the
local workflow, a Ray job) calls it once at the end. It reads the file twice: first to collect each article's
speaker names, then to copy every row and every field unchanged with `speaker_id` beside `speaker` (null when
the quote has no speaker). Both outputs go to temp files and are renamed into place only when both are
complete, so a failure leaves the quotes file as it was and no half-written table. The merge rules are in
`speaker_merge`; the table's columns are `speaker_merge.TABLE_COLUMNS`.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from stance.config import instantiate
from stance.extract.speaker_merge import (
    DEFAULT_MERGER,
    TABLE_COLUMNS,
    SpeakerIndex,
    SpeakerMerger,
    SpeakerTable,
    text_or_none,
)
from stance.io import TableError, TableWriter, table_format
from stance.io.atomic import discard, new_temp, publish, remove_stale_temps
from stance.io.readers import BOM
from stance.io.writers import CSV_LINE_END

log = logging.getLogger(__name__)

SPEAKER_ID = "speaker_id"
NEEDED = ("article_id", "speaker", "speaker_type", "speaker_mention", "speaker_role")
REQUIRED = ("article_id", "speaker")
ChunkHook = Callable[[pd.DataFrame], None]


def build_merger(extract_cfg: Any = None) -> SpeakerMerger:
    """The merge strategy from the `extract` config node (its `speaker_table`), or the default one."""
    node = extract_cfg.get("speaker_table") if extract_cfg is not None else None
    return instantiate(node or DEFAULT_MERGER)


def speakers_path(quotes_path: str | os.PathLike, speakers: str | os.PathLike) -> Path:
    """Where the table goes: a relative path is taken beside the quotes file."""
    path = Path(speakers)
    return path if path.is_absolute() else Path(quotes_path).parent / path


class Staged:
    """A finished temp file, renamed over `path` by `commit()` (with the user's umask) or deleted by `abort()`."""

    def __init__(self, path: Path, tmp: Path):
        self.path, self.tmp = path, tmp

    def commit(self) -> Path:
        return publish(self.tmp, self.path)

    def abort(self) -> None:
        discard(self.tmp)


# ---- reading the rows back, each format as written (every field kept exactly) ----


def _jsonl_records(path: Path) -> Iterator[tuple[int, dict]]:
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if lineno == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as err:
                raise TableError(path, f"not a JSON line ({err})", line=lineno) from None
            if not isinstance(obj, dict):
                raise TableError(path, f"expected a JSON object, got {type(obj).__name__}", line=lineno)
            yield lineno, obj


def _csv_records(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    fh = open(path, encoding="utf-8-sig", newline="")
    reader = csv.reader(fh)
    header = next(reader, None)
    if header is None:
        fh.close()
        raise TableError(path, "file is empty (expected a header line)", line=1)

    def rows() -> Iterator[tuple[int, list[str]]]:
        with fh:
            start = reader.line_num + 1
            for record in reader:
                if record:
                    if len(record) != len(header):
                        raise TableError(path, f"expected {len(header)} fields, found {len(record)}", line=start)
                    yield start, record
                start = reader.line_num + 1

    return header, rows()


def _check_text(path: Path, line: int | None, column: str, value: Any) -> None:
    if value is not None and not isinstance(value, str) and not (isinstance(value, float) and value != value):
        raise TableError(path, f"expected text or null, got {type(value).__name__}", line=line, field=column)


def _missing(path: Path, columns: list[str]) -> None:
    for column in REQUIRED:
        if column not in columns:
            raise TableError(path, f"no '{column}' column: not a quotes file", line=1, field=column)


def _batches(path: Path, chunk_size: int) -> Iterator[dict[str, list]]:
    """The speaker columns in chunks of rows, as {column: values}."""
    fmt = table_format(path)
    cols: dict[str, list] = {c: [] for c in NEEDED}
    if fmt in ("jsonl", "csv"):
        if fmt == "jsonl":
            records: Iterator[tuple[int, dict]] = _jsonl_records(path)
        else:
            header, rows = _csv_records(path)
            _missing(path, header)
            records = ((line, dict(zip(header, record))) for line, record in rows)
        for lineno, obj in records:
            for c in REQUIRED:
                if c not in obj:
                    raise TableError(path, f"no '{c}' in the row: not a quote record", line=lineno, field=c)
            for c in NEEDED:
                if c != "article_id":
                    _check_text(path, lineno, c, obj.get(c))
                cols[c].append(obj.get(c))
            if len(cols["speaker"]) >= chunk_size:
                yield cols
                cols = {c: [] for c in NEEDED}
        if cols["speaker"]:
            yield cols
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(path)
        except Exception as err:  # pyarrow raises several types for corrupt files
            raise TableError(path, f"unreadable Parquet file ({err})") from None
        names = pf.schema_arrow.names
        if pf.metadata.num_rows == 0:
            return
        _missing(path, names)
        for c in ("speaker", "speaker_type", "speaker_mention", "speaker_role"):
            kind = pf.schema_arrow.field(c).type if c in names else pa.null()
            if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind)):
                raise TableError(path, f"expected a text column, got {kind}", field=c)
        present = [c for c in NEEDED if c in names]
        for batch in pf.iter_batches(batch_size=chunk_size, columns=present):
            data = batch.to_pydict()
            yield {c: data.get(c, [None] * batch.num_rows) for c in NEEDED}


def collect_speakers(
    path: str | os.PathLike, index: SpeakerIndex | None = None, chunk_size: int = 10_000
) -> SpeakerIndex:
    """First pass: every quote's speaker name, type, mention and role, by article."""
    index = index if index is not None else SpeakerIndex()
    if not Path(path).is_file():
        raise TableError(path, "file not found")
    if Path(path).stat().st_size == 0 and table_format(path) == "jsonl":
        return index  # no quotes at all
    for cols in _batches(Path(path), chunk_size):
        for row in zip(*(cols[c] for c in NEEDED)):
            article_id, speaker, kind, mention, role = row
            index.observe(article_id, speaker, kind, mention, role)
    return index


# ---- writing the rows back with speaker_id ----


class _ChunkFeed:
    """Hands rewritten rows to `on_chunk` as frames of `columns` plus speaker_id, 10,000 rows at a time."""

    def __init__(self, on_chunk: ChunkHook | None, columns: list[str]):
        self.on_chunk, self.columns, self.pending = on_chunk, [*columns, SPEAKER_ID], []

    def add(self, record: dict) -> None:
        if self.on_chunk is not None:
            self.pending.append(record)
            if len(self.pending) >= 10_000:
                self.flush()

    def flush(self) -> None:
        if self.on_chunk is not None and self.pending:
            self.on_chunk(pd.DataFrame({c: [r.get(c) for r in self.pending] for c in self.columns}))
            self.pending = []


def _with_id(record: dict, speaker_id: str | None) -> dict:
    """The record with speaker_id right after speaker (or in its old place when it had one)."""
    if SPEAKER_ID in record:
        return {**record, SPEAKER_ID: speaker_id}
    out: dict = {}
    for key, value in record.items():
        out[key] = value
        if key == "speaker":
            out[SPEAKER_ID] = speaker_id
    return out


def _write_jsonl(src: Path, tmp: Path, table: SpeakerTable, on_chunk: ChunkHook | None, columns: list[str]) -> int:
    n, feed = 0, _ChunkFeed(on_chunk, columns)
    with open(tmp, "w", encoding="utf-8") as out:
        if src.stat().st_size == 0:
            return 0
        for _, obj in _jsonl_records(src):
            record = _with_id(obj, table.speaker_id(obj.get("article_id"), obj.get("speaker"), obj.get("speaker_type")))
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
            feed.add(record)
    feed.flush()
    return n


def _write_csv(src: Path, tmp: Path, table: SpeakerTable, on_chunk: ChunkHook | None, columns: list[str]) -> int:
    header, rows = _csv_records(src)
    _missing(src, header)
    replace = SPEAKER_ID in header
    at = {c: header.index(c) for c in NEEDED if c in header}
    out_header = header if replace else [*header[: at["speaker"] + 1], SPEAKER_ID, *header[at["speaker"] + 1 :]]
    n, feed = 0, _ChunkFeed(on_chunk, columns)
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator=CSV_LINE_END)
        writer.writerow(out_header)
        for _, record in rows:
            kind = record[at["speaker_type"]] if "speaker_type" in at else None
            speaker_id = table.speaker_id(record[at["article_id"]], record[at["speaker"]], kind) or ""
            if replace:
                record[header.index(SPEAKER_ID)] = speaker_id
            else:
                record.insert(at["speaker"] + 1, speaker_id)
            writer.writerow(record)
            n += 1
            if on_chunk is not None:
                feed.add(dict(zip(out_header, record)))
    feed.flush()
    return n


def _write_parquet(src: Path, tmp: Path, table: SpeakerTable, on_chunk: ChunkHook | None, columns: list[str]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(src)
    names = pf.schema_arrow.names
    if pf.metadata.num_rows == 0 and not set(REQUIRED) <= set(names):  # no quotes at all: nothing to add
        shutil.copyfile(src, tmp)
        return 0
    _missing(src, names)
    schema = pf.schema_arrow
    id_field = pa.field(SPEAKER_ID, pa.string())
    if SPEAKER_ID in names:
        at = names.index(SPEAKER_ID)
        schema = schema.set(at, id_field)
    else:
        at = names.index("speaker") + 1
        schema = schema.insert(at, id_field)
    n = 0
    with pq.ParquetWriter(tmp, schema) as writer:
        for batch in pf.iter_batches(batch_size=10_000):
            data = batch.to_pydict()
            kinds = data.get("speaker_type", [None] * batch.num_rows)
            ids = [table.speaker_id(a, s, k) for a, s, k in zip(data["article_id"], data["speaker"], kinds)]
            part = pa.Table.from_batches([batch])
            if SPEAKER_ID in names:
                part = part.set_column(at, id_field, pa.array(ids, pa.string()))
            else:
                part = part.add_column(at, id_field, pa.array(ids, pa.string()))
            writer.write_table(part.cast(schema))
            n += batch.num_rows
            if on_chunk is not None:
                on_chunk(pd.DataFrame({**{c: data[c] for c in columns}, SPEAKER_ID: ids}))
    return n


def write_speaker_ids(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    table: SpeakerTable,
    on_chunk: ChunkHook | None = None,
    columns: list[str] | None = None,
) -> Staged:
    """Second pass: `src` copied to a temp file beside `dst` with a speaker_id per row; `commit()` publishes it.

    `on_chunk` (optional) sees each chunk as a frame of `columns` plus speaker_id (the pipeline's tallies).
    """
    src, dst = Path(src), Path(dst)
    fmt = table_format(src)
    if table_format(dst) != fmt:
        raise TableError(dst, f"must have the same format as {src} ({fmt})")
    remove_stale_temps(dst)
    tmp = new_temp(dst)
    write = {"jsonl": _write_jsonl, "csv": _write_csv, "parquet": _write_parquet}[fmt]
    try:
        rows = write(src, tmp, table, on_chunk, list(columns or []))
    except BaseException:
        discard(tmp)
        raise
    log.info("%d quotes of %s given a speaker_id", rows, src)
    return Staged(dst, tmp)


def stage_table(table: SpeakerTable, path: str | os.PathLike, csv_safe: bool = True) -> TableWriter:
    """speakers.csv (or .jsonl/.parquet) as a temp file; the caller commits or aborts it."""
    writer = TableWriter(path, csv_safe=csv_safe)
    try:
        writer.write(pd.DataFrame(table.rows, columns=TABLE_COLUMNS))
    except BaseException:
        writer.abort()
        raise
    return writer


def finalize_speakers(
    quotes_path: str | os.PathLike,
    speakers: str | os.PathLike = "speakers.csv",
    extract_cfg: Any = None,
    csv_safe: bool = True,
) -> dict[str, Any]:
    """Merge the speakers of a finished quotes file into one table, write it (`speakers`, relative to the quotes'
    folder) and rewrite the quotes file with a `speaker_id` column. Returns counts for the log and the tests."""
    quotes_path = Path(quotes_path)
    merger = build_merger(extract_cfg)
    index = collect_speakers(quotes_path)
    table = index.build(merger)
    target = speakers_path(quotes_path, speakers)
    if target.resolve() == quotes_path.resolve():
        raise ValueError(f"speakers table {target} would overwrite the quotes file")
    staged_table = stage_table(table, target, csv_safe)
    try:
        staged_quotes = write_speaker_ids(quotes_path, quotes_path, table)
    except BaseException:
        staged_table.abort()
        raise
    staged_quotes.commit()
    staged_table.commit()
    kinds: dict[str, int] = {}
    for row in table.rows:
        kinds[row["speaker_type"]] = kinds.get(row["speaker_type"], 0) + 1
    summary = {
        "speakers": len(table),
        "by_type": kinds,
        "ambiguous": sum(1 for r in table.rows if r["ambiguous"]),
        "quotes": index.quotes,
        "quotes_with_speaker": index.with_speaker,
        "path": str(target),
    }
    log.info("%d speakers (%s) for %d quotes -> %s", len(table), kinds, index.with_speaker, target)
    return summary


__all__ = [
    "SPEAKER_ID",
    "Staged",
    "build_merger",
    "collect_speakers",
    "finalize_speakers",
    "speakers_path",
    "stage_table",
    "text_or_none",
    "write_speaker_ids",
]
