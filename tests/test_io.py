"""stance.io: format detection, streaming reads with true line numbers, atomic writes, row counts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from stance.io import RejectsWriter, TableError, TableWriter, count_rows, iter_table, read_table, write_table

FORMATS = ["jsonl", "csv", "parquet"]


def _leftovers(folder: Path) -> list[str]:
    """Temp files a writer may have left beside its target."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_then_stream_round_trip_in_chunks(tmp_path, fmt):
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(7)], "text": [f"Zitat «{i}», naïve — ok" for i in range(7)]})
    path = write_table(frame, tmp_path / f"t.{fmt}")
    chunks = list(iter_table(path, chunk_size=3))
    assert [len(c.frame) for c in chunks] == [3, 3, 1]
    back = pd.concat([c.frame for c in chunks], ignore_index=True)
    assert back["text"].tolist() == frame["text"].tolist()
    assert back["id"].tolist() == frame["id"].tolist()
    lines = [n for c in chunks for n in c.lines]
    # JSONL: line i; CSV: header on line 1; Parquet: 1-based row numbers
    expected = {"jsonl": list(range(1, 8)), "csv": list(range(2, 9)), "parquet": list(range(1, 8))}[fmt]
    assert lines == expected


def test_unsupported_extension_is_refused_for_reading_and_writing(tmp_path):
    path = tmp_path / "quotes.txt"
    path.write_text("hello\n")
    with pytest.raises(TableError, match=r"quotes\.txt.*unsupported extension '\.txt'"):
        list(iter_table(path))
    with pytest.raises(TableError, match="unsupported extension"):
        TableWriter(tmp_path / "out.xlsx")
    assert not list(tmp_path.glob("*.tmp"))


def test_writer_leaves_nothing_when_the_block_raises(tmp_path):
    target = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError, match="boom"):
        with TableWriter(target) as writer:
            writer.write(pd.DataFrame({"a": [1, 2]}))
            # while writing, only a temp file exists and the target does not
            assert not target.exists()
            assert writer.tmp.exists() and writer.tmp.parent == tmp_path
            raise RuntimeError("boom")
    assert not target.exists()
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_interrupted_writer_keeps_the_previous_file_intact(tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    old = pd.DataFrame({"a": ["old-1", "old-2"]})
    write_table(old, target)
    before = target.read_bytes()
    with pytest.raises(KeyboardInterrupt):
        with TableWriter(target) as writer:
            writer.write(pd.DataFrame({"a": ["new"] * 5}))
            raise KeyboardInterrupt
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_commit_replaces_target_atomically(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("a\nold\n")
    with TableWriter(target) as writer:
        writer.write(pd.DataFrame({"a": ["x", "y"]}))
        writer.write(pd.DataFrame({"a": ["z"]}))
    assert pd.read_csv(target)["a"].tolist() == ["x", "y", "z"]
    assert writer.rows == 3
    assert _leftovers(tmp_path) == []


def test_parquet_chunks_with_other_columns_are_merged(tmp_path):
    # columns are the union of all chunks' (a field first seen late is kept); see test_io_hardening for conflicts
    target = tmp_path / "out.parquet"
    with TableWriter(target) as writer:
        writer.write(pd.DataFrame({"a": [1.5], "b": ["x"]}))
        writer.write(pd.DataFrame({"c": ["y"]}))
    back = pd.read_parquet(target)
    assert list(back.columns) == ["a", "b", "c"] and back["c"].isna().tolist() == [True, False] and back["c"][1] == "y"
    assert _leftovers(tmp_path) == []


def test_csv_multiline_cells_keep_true_line_numbers(tmp_path):
    path = tmp_path / "quotes.csv"
    path.write_text(
        "id,text\n"  # line 1
        'a,"first line\nsecond line\nthird line"\n'  # lines 2-4
        "b,plain\n"  # line 5
        "\n"  # line 6: blank, skipped
        'c,"x\ny"\n'  # lines 7-8
        "d,last\n",  # line 9
        encoding="utf-8",
    )
    frame, lines = read_table(path)
    assert frame["id"].tolist() == ["a", "b", "c", "d"]
    assert frame["text"].iloc[0] == "first line\nsecond line\nthird line"
    assert lines == [2, 5, 7, 9]
    # an error after a multi-line cell points at the real line of the bad record
    bad = tmp_path / "bad.csv"
    bad.write_text('id,text\na,"one\ntwo\nthree"\nb,ok\nc,too,many\n', encoding="utf-8")
    with pytest.raises(TableError) as err:
        read_table(bad)
    assert (
        err.value.line == 6 and "bad.csv, line 6" in str(err.value) and "expected 2 fields, found 3" in str(err.value)
    )


def test_csv_empty_cells_stay_empty_strings(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("id,text\n1,\n2,NA\n", encoding="utf-8")
    frame, _ = read_table(path)
    assert frame["text"].tolist() == ["", "NA"]


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("bad.jsonl", '{"text": "ok"}\n\n{"text": broken}\n', 3),
        ("array.jsonl", '{"text": "ok"}\n["not", "an", "object"]\n', 2),
    ],
)
def test_jsonl_errors_name_the_line(tmp_path, name, content, line):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TableError) as err:
        list(iter_table(path))
    assert err.value.line == line
    assert str(err.value).startswith(f"{path}, line {line}:")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_non_utf8_text_names_file_and_line(tmp_path, fmt):
    # enough good lines that the bad byte is far past the decoder's first buffer
    good = b'{"text": "fine"}\n' if fmt == "jsonl" else b"fine,x\n"
    header = b"" if fmt == "jsonl" else b"text,label\n"
    bad = b'{"text": "caf\xe9"}\n' if fmt == "jsonl" else b"caf\xe9,x\n"
    path = tmp_path / f"latin1.{fmt}"
    path.write_bytes(header + good * 3000 + bad + good)
    bad_line = 3001 + (1 if fmt == "csv" else 0)
    with pytest.raises(TableError, match="not UTF-8") as err:
        list(iter_table(path))
    assert err.value.path == str(path)
    assert err.value.line == bad_line, str(err.value)


def test_corrupt_parquet_and_empty_and_missing_files(tmp_path):
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1 this is not parquet at all")
    with pytest.raises(TableError, match=r"corrupt\.parquet: unreadable Parquet file"):
        list(iter_table(corrupt))
    empty = tmp_path / "empty.jsonl"
    empty.touch()
    with pytest.raises(TableError, match=r"empty\.jsonl: file is empty"):
        list(iter_table(empty))
    with pytest.raises(TableError, match=r"nope\.csv: file not found"):
        list(iter_table(tmp_path / "nope.csv"))
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n\n  \n")
    with pytest.raises(TableError, match=r"blank\.jsonl: file has no rows"):
        read_table(blank)


def test_count_rows(tmp_path):
    frame = pd.DataFrame({"text": [f"t{i}" for i in range(11)]})
    for fmt in FORMATS:
        assert count_rows(write_table(frame, tmp_path / f"c.{fmt}")) == 11, fmt
    # a last line without a trailing newline is still a row
    no_newline = tmp_path / "n.jsonl"
    no_newline.write_text('{"text": "a"}\n{"text": "b"}', encoding="utf-8")
    assert count_rows(no_newline) == 2 == len(read_table(no_newline)[0])
    header_only = tmp_path / "h.csv"
    header_only.write_text("text\n")
    assert count_rows(header_only) == 0


def test_rejects_writer_writes_reason_and_line_only_when_used(tmp_path):
    output = tmp_path / "out.parquet"
    unused = RejectsWriter(output)
    assert unused.commit() is None and not (tmp_path / "out.parquet.rejects.jsonl").exists()
    rejects = RejectsWriter(output)
    rejects.add("in.jsonl", 4, "field 'text': missing or empty", {"id": "q4", "text": ""})
    rejects.add("in.jsonl", 9, "field 'text': missing or empty", {"id": "q9"})
    path = rejects.commit()
    assert path == tmp_path / "out.parquet.rejects.jsonl"
    records = [json.loads(x) for x in path.read_text().splitlines()]
    assert [r["line"] for r in records] == [4, 9] and rejects.count == 2
    assert records[0] == {
        "source": "in.jsonl",
        "line": 4,
        "reason": "field 'text': missing or empty",
        "row": {"id": "q4", "text": ""},
    }


def test_empty_first_chunk_does_not_fix_the_parquet_schema(tmp_path):
    # e.g. classify with on_error=skip when every row of the first chunk is rejected
    target = tmp_path / "out.parquet"
    with TableWriter(target) as writer:
        writer.write(pd.DataFrame({"text": pd.Series([], dtype=object), "stance": [], "score": []}))
        writer.write(pd.DataFrame({"text": ["a", "b"], "stance": ["pro", "con"], "score": [0.5, 0.75]}))
    back = pd.read_parquet(target)
    assert back["stance"].tolist() == ["pro", "con"] and back["score"].tolist() == [0.5, 0.75]


@pytest.mark.parametrize("fmt", FORMATS)
def test_writer_with_no_rows_still_commits_a_file(tmp_path, fmt):
    target = tmp_path / f"empty.{fmt}"
    with TableWriter(target) as writer:
        writer.write(pd.DataFrame({"a": pd.Series([], dtype=object)}))
    assert target.exists() and writer.rows == 0 and _leftovers(tmp_path) == []
