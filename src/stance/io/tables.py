"""Streaming reads and atomic writes of JSONL, CSV and Parquet tables.

Every command that reads or writes rows (training data, quote files, article files, extraction output)
goes through here, so that format detection, line numbers in errors and the temp-file-and-rename rule live
in one place. The code lives in `formats`, `readers`, `writers`, `parquet_parts` and `atomic`; this module
keeps the names importable from `stance.io.tables`.
"""

from stance.io.formats import FORMATS, Chunk, FaultHandler, TableError, table_files, table_format
from stance.io.readers import count_rows, iter_table, read_table
from stance.io.writers import RejectsWriter, TableWriter, neutralise, write_table

__all__ = [
    "FORMATS",
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
