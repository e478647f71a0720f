"""Parquet output whose columns and types may grow from chunk to chunk, with memory kept flat.

A ParquetWriter's schema is fixed when it opens. Chunks are written to one part file while the unified
schema (all columns seen so far, in first-seen order; null columns promoted to the type that turns up,
int to float and so on) stays the same; when it grows, a new part starts. At the end a single part is the
output as it is, several are streamed batch by batch into one file with the final schema.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from stance.io.atomic import discard, new_temp
from stance.io.formats import TableError

_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


def _unify(target: Path, current: pa.Schema, new: pa.Schema) -> pa.Schema:
    try:
        return pa.unify_schemas([current, new], promote_options="permissive")
    except _ARROW_ERRORS as err:
        for field in new:
            if field.name in current.names:
                old = current.field(field.name)
                try:
                    pa.unify_schemas([pa.schema([old]), pa.schema([field])], promote_options="permissive")
                except _ARROW_ERRORS:
                    reason = f"values of type {field.type} cannot be stored with the {old.type} values of earlier rows"
                    raise TableError(target, reason, field=field.name) from None
        raise TableError(target, f"rows cannot be stored with the columns of earlier rows ({err})") from None


def _conform(target: Path, table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with the columns of `schema` in its order; absent columns are nulls."""
    columns = []
    for field in schema:
        if field.name not in table.column_names:
            columns.append(pa.nulls(len(table), field.type))
            continue
        column = table.column(field.name)
        if column.type != field.type:
            try:
                column = column.cast(field.type)
            except _ARROW_ERRORS as err:
                raise TableError(
                    target, f"cannot convert {column.type} to {field.type} ({err})", field=field.name
                ) from None
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def _to_arrow(target: Path, frame: pd.DataFrame) -> pa.Table:
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (*_ARROW_ERRORS, ValueError) as err:
        for name in frame.columns:
            try:
                pa.Array.from_pandas(frame[name])
            except (*_ARROW_ERRORS, ValueError) as column_err:
                reason = f"values of mixed or unsupported types cannot be stored in Parquet ({column_err})"
                raise TableError(target, reason, field=str(name)) from None
        raise TableError(target, f"rows cannot be stored in Parquet ({err})") from None


class ParquetParts:
    """Chunks in, one Parquet file out (see the module docstring); `first` is the first part's path."""

    def __init__(self, target: Path, first: Path):
        self.target = target
        self.parts: list[Path] = []
        self.schema: pa.Schema | None = None
        self._free = first
        self._writer: pq.ParquetWriter | None = None
        self._writer_schema: pa.Schema | None = None
        self._pandas_meta: dict | None = None
        self._pandas_columns: dict[str, list[tuple[pa.DataType, dict]]] = {}

    def _grow(self, schema: pa.Schema) -> None:
        schema = schema.remove_metadata()
        self.schema = schema if self.schema is None else _unify(self.target, self.schema, schema)

    def add_columns(self, names: list) -> None:
        """Columns of a chunk without rows: their names count, but an empty column has no type to give."""
        self._grow(pa.schema([pa.field(str(n), pa.null()) for n in names]))

    def write(self, frame: pd.DataFrame) -> None:
        table = _to_arrow(self.target, frame)
        self._remember_pandas_metadata(table.schema)
        self._grow(table.schema)
        if self._writer is None or not self._writer_schema.equals(self.schema):
            self._open_part()
        self._writer.write_table(_conform(self.target, table, self._writer_schema))

    def _open_part(self) -> None:
        self.close()
        path = self._free if self._free is not None else new_temp(self.target)
        self._free = None
        self.parts.append(path)
        self._writer_schema = self.schema
        self._writer = pq.ParquetWriter(path, self._with_metadata(self.schema))

    def _remember_pandas_metadata(self, schema: pa.Schema) -> None:
        meta = schema.pandas_metadata
        if not meta:
            return
        if self._pandas_meta is None:
            self._pandas_meta = {k: v for k, v in meta.items() if k != "columns"}
        for entry in meta.get("columns", []):
            name = entry.get("field_name", entry.get("name"))
            if name in schema.names:
                seen = self._pandas_columns.setdefault(name, [])
                kind = schema.field(name).type
                if all(t != kind for t, _ in seen):
                    seen.append((kind, entry))

    def _with_metadata(self, schema: pa.Schema) -> pa.Schema:
        """pandas metadata for the columns whose type is the one pandas saw (others read back by their type)."""
        if self._pandas_meta is None:
            return schema
        columns = [
            entry for field in schema for kind, entry in self._pandas_columns.get(field.name, []) if kind == field.type
        ]
        meta = {**self._pandas_meta, "columns": columns}
        return schema.with_metadata({b"pandas": json.dumps(meta).encode()})

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def finish(self) -> Path:
        """Write the single output file; returns its (temp) path."""
        self.close()
        if not self.parts:
            path = self._free if self._free is not None else new_temp(self.target)
            self._free = None
            pq.write_table((self.schema or pa.schema([])).empty_table(), path)
            self.parts.append(path)
            return path
        if len(self.parts) == 1 and self._writer_schema.equals(self.schema):
            return self.parts[0]
        final = new_temp(self.target)
        self.parts.append(final)
        schema = self._with_metadata(self.schema)
        with pq.ParquetWriter(final, schema) as writer:
            for part in self.parts[:-1]:
                for batch in pq.ParquetFile(part).iter_batches(batch_size=65_536):
                    writer.write_table(_conform(self.target, pa.Table.from_batches([batch]), schema))
                discard(part)
        self.parts = [final]
        return final

    def abort(self) -> None:
        self.close()
        discard(*self.parts, self._free)
        self.parts = []
