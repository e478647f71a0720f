"""Shared file I/O: streaming table reads, atomic writes, rejects files."""

from stance.io.tables import (
    Chunk,
    RejectsWriter,
    TableError,
    TableWriter,
    count_rows,
    iter_table,
    read_table,
    table_format,
    write_table,
)

__all__ = [
    "Chunk",
    "RejectsWriter",
    "TableError",
    "TableWriter",
    "count_rows",
    "iter_table",
    "read_table",
    "table_format",
    "write_table",
]
