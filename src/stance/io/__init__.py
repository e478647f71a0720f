"""Shared file I/O: streaming table reads, atomic writes, rejects files."""

from stance.io.tables import (
    Chunk,
    FaultHandler,
    RejectsWriter,
    TableError,
    TableWriter,
    count_rows,
    iter_table,
    neutralise,
    read_table,
    table_files,
    table_format,
    write_table,
)

__all__ = [
    "Chunk",
    "FaultHandler",
    "RejectsWriter",
    "TableError",
    "TableWriter",
    "count_rows",
    "iter_table",
    "neutralise",
    "read_table",
    "table_files",
    "table_format",
    "write_table",
]
