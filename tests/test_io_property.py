"""Property: whatever rows go through TableWriter (late and sparse fields, odd unicode, quotes, commas, newlines,
leading formula characters) come back from iter_table with every row and every non-null field."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance.io import TableWriter, iter_table

CHUNK = 3
KEYS = ["a", "b", "c", "d", "e"]

# text with the characters that break naive CSV/JSON writers; surrogates cannot be encoded and are excluded
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["=1+1", "-x", "+", "@", "a,b", '"q"', "l1\nl2", "l1\r\nl2", "\ttab", " ", "naïve — «ok»"]),
)
ROW = st.dictionaries(st.sampled_from(KEYS), st.one_of(st.none(), TEXT), max_size=len(KEYS))


@st.composite
def tables(draw) -> list[dict]:
    """Rows with an id; each other key appears only in some rows, some only after the first chunk."""
    rows = draw(st.lists(ROW, min_size=1, max_size=12))
    late = draw(st.sampled_from(KEYS))
    for i, row in enumerate(rows):
        if i < CHUNK:
            row.pop(late, None)
    return [{"id": f"r{i}", **row} for i, row in enumerate(rows)]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=tables())
def test_nothing_is_lost_through_writer_and_reader(fmt, rows):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"t.{fmt}"
        with TableWriter(path, csv_safe=False) as writer:
            for start in range(0, len(rows), CHUNK):
                writer.write(pd.DataFrame(rows[start : start + CHUNK], dtype=object))
        back = pd.concat([c.frame for c in iter_table(path, chunk_size=4)], ignore_index=True)
        leftovers = [p.name for p in Path(folder).iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert back["id"].tolist() == [r["id"] for r in rows]
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is None:
                continue
            got = back.loc[i, key]
            assert got == value, (fmt, i, key, value, got)
    written_keys = {k for r in rows for k, v in r.items()}
    assert written_keys <= set(back.columns)
