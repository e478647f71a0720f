"""stance.io under hostile conditions: late and sparse columns, null-then-string Parquet columns, BOM and CRLF
input, per-row faults reported instead of raised, kill -9 leftovers, file modes, CSV formula neutralisation."""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hydra import compose, initialize_config_dir

from stance.config import CONF_DIR
from stance.io import RejectsWriter, TableError, TableWriter, iter_table, read_table, write_table

FORMATS = ["jsonl", "csv", "parquet"]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _read_raw(path: Path) -> pd.DataFrame:
    """Read an output without stance.io (CSV cells stay strings)."""
    if path.suffix == ".jsonl":
        return pd.DataFrame([json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()])
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.read_parquet(path)


# 1. columns are the union of all chunks', in first-seen order


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_column_first_seen_after_the_first_chunk_is_kept(tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    with TableWriter(target) as writer:
        writer.write(pd.DataFrame({"id": ["a", "b"], "text": ["x", "y"]}))
        writer.write(pd.DataFrame({"id": ["c"], "late": ["L"], "text": ["z"]}))
        writer.write(pd.DataFrame({"id": ["d"], "text": ["w"], "later": ["M"]}))
    out = _read_raw(target)
    assert list(out.columns) == ["id", "text", "late", "later"]
    assert out["id"].tolist() == ["a", "b", "c", "d"]
    assert out["late"].tolist()[2] == "L" and out["later"].tolist()[3] == "M"
    empty = "" if fmt == "csv" else None
    assert [None if v is None or v != v else v for v in out["late"]] == [empty, empty, "L", empty]
    assert _leftovers(tmp_path) == []


def test_late_columns_in_many_chunks_keep_every_value_in_csv(tmp_path):
    target = tmp_path / "out.csv"
    rows = [{"id": str(i), **({f"k{i % 7}": f"v{i}"} if i >= 3 else {})} for i in range(40)]
    with TableWriter(target) as writer:
        for start in range(0, len(rows), 4):
            writer.write(pd.DataFrame(rows[start : start + 4]))
    back, lines = read_table(target)
    assert len(back) == 40 and lines == list(range(2, 42))
    for i, row in enumerate(rows):
        for key, value in row.items():
            assert back.loc[i, key] == value


# 2. Parquet types are promoted across chunks; real conflicts are clear errors naming the field


def test_parquet_column_null_in_the_first_chunk_and_text_later(tmp_path):
    target = tmp_path / "out.parquet"
    with TableWriter(target) as writer:
        writer.write(pd.DataFrame({"id": ["a", "b"], "note": [None, None], "n": [1, 2]}))
        writer.write(pd.DataFrame({"id": ["c"], "note": ["now text"], "n": [2.5]}))
    out = pd.read_parquet(target)
    assert out["note"].tolist()[2] == "now text" and out["note"].isna().tolist() == [True, True, False]
    assert out["n"].tolist() == [1.0, 2.0, 2.5]
    assert str(pq.read_schema(target).field("note").type) in ("string", "large_string")


def test_parquet_type_conflict_names_the_field_and_leaves_nothing(tmp_path):
    target = tmp_path / "out.parquet"
    with pytest.raises(TableError) as err:
        with TableWriter(target) as writer:
            writer.write(pd.DataFrame({"id": ["a"], "n": [1]}))
            writer.write(pd.DataFrame({"id": ["b"], "n": ["not a number"]}))
    assert err.value.field == "n" and str(err.value).startswith(f"{target}, field 'n':")
    assert not target.exists() and _leftovers(tmp_path) == []
    with pytest.raises(TableError) as err:
        with TableWriter(target) as writer:
            writer.write(pd.DataFrame({"id": ["a", "b"], "mixed": [1, "x"]}))
    assert err.value.field == "mixed"
    assert not target.exists() and _leftovers(tmp_path) == []


# 4. byte-order marks and CRLF line endings


def test_csv_with_bom_and_crlf_reads_the_first_column(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes('text,id\r\n"first, quoted",1\r\nsecond,2\r\n'.encode("utf-8-sig"))
    frame, lines = read_table(path)
    assert list(frame.columns) == ["text", "id"]
    assert frame["text"].tolist() == ["first, quoted", "second"] and lines == [2, 3]


def test_jsonl_with_bom_and_crlf(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes('{"text": "a"}\r\n{"text": "b"}\r\n'.encode("utf-8-sig"))
    frame, lines = read_table(path)
    assert frame["text"].tolist() == ["a", "b"] and lines == [1, 2]


# 5. per-row faults go to a callback when one is given; raising stays the default


def test_jsonl_row_faults_are_reported_and_reading_goes_on(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"id": 1}\n{"id": broken}\n[1, 2]\n{"id": "caf\xe9"}\n\n{"id": 6}\n')
    faults: list[tuple[int | None, str, object]] = []
    chunks = list(iter_table(path, chunk_size=1, on_fault=lambda err, row: faults.append((err.line, err.reason, row))))
    assert [n for c in chunks for n in c.lines] == [1, 6]
    assert [c.frame["id"].tolist()[0] for c in chunks] == [1, 6]
    assert [f[0] for f in faults] == [2, 3, 4]
    assert "invalid JSON" in faults[0][1] and "expected a JSON object, got list" in faults[1][1]
    assert "not UTF-8" in faults[2][1]
    assert faults[0][2] == {"raw": '{"id": broken}'}
    with pytest.raises(TableError) as err:  # default: the first fault raises
        list(iter_table(path))
    assert err.value.line == 2


def test_csv_row_faults_are_reported_and_reading_goes_on(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b'id,text\n1,ok\n2,too,many\n3,"multi\nline"\n4,caf\xe9\n5,last\n')
    faults: list[TableError] = []
    frame_chunks = list(iter_table(path, chunk_size=2, on_fault=lambda err, row: faults.append(err)))
    frame = pd.concat([c.frame for c in frame_chunks], ignore_index=True)
    assert frame["id"].tolist() == ["1", "3", "5"] and frame["text"].tolist() == ["ok", "multi\nline", "last"]
    assert [n for c in frame_chunks for n in c.lines] == [2, 4, 7]
    assert [(f.line, f.reason.split(" (")[0]) for f in faults] == [
        (3, "expected 2 fields, found 3"),
        (6, "not UTF-8 text"),
    ]


# 6. temp names carry the pid; stale temps of dead writers are removed, live ones never


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_name_carries_the_pid(tmp_path):
    with TableWriter(tmp_path / "out.jsonl") as writer:
        assert re.fullmatch(rf"\.out\.jsonl\.{os.getpid()}\.\w+\.tmp", writer.tmp.name), writer.tmp.name
        writer.write(pd.DataFrame({"a": [1]}))


def test_stale_temps_of_dead_processes_are_removed_live_ones_kept(tmp_path, caplog):
    dead = tmp_path / f".out.csv.{_dead_pid()}.abc123.tmp"
    dead.write_text("half")
    live_proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f".out.csv.{live_proc.pid}.xyz789.tmp"
        live.write_text("in progress")
        other = tmp_path / f".out.csv.rejects.jsonl.{_dead_pid()}.abc.tmp"  # another output's temp
        other.write_text("x")
        with caplog.at_level(logging.INFO, logger="stance.io"):
            with TableWriter(tmp_path / "out.csv") as writer:
                writer.write(pd.DataFrame({"a": ["1"]}))
        assert not dead.exists() and live.exists() and other.exists()
        assert any(dead.name in r.getMessage() for r in caplog.records)
        RejectsWriter(tmp_path / "out.csv").commit()
        assert not other.exists()
    finally:
        live_proc.kill()
        live_proc.wait()


def test_kill_9_leftover_is_cleaned_by_the_next_writer(tmp_path):
    target = tmp_path / "big.parquet"
    script = (
        "import os, signal, pandas as pd\n"
        "from stance.io import TableWriter\n"
        f"w = TableWriter({str(target)!r})\n"
        "w.write(pd.DataFrame({'text': ['x' * 1000] * 2000}))\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.run([sys.executable, "-c", script], env=env)
    assert proc.returncode == -signal.SIGKILL
    assert len(_leftovers(tmp_path)) == 1 and not target.exists()
    write_table(pd.DataFrame({"text": ["new"]}), target)
    assert _leftovers(tmp_path) == [] and pd.read_parquet(target)["text"].tolist() == ["new"]


def test_rejects_file_of_an_earlier_run_is_removed_when_a_run_has_none(tmp_path):
    output = tmp_path / "out.jsonl"
    first = RejectsWriter(output)
    first.add("in.jsonl", 3, "field 'text': missing or empty", {"id": "x"})
    path = first.commit()
    assert path is not None and path.exists()
    assert RejectsWriter(output).commit() is None
    assert not path.exists()


# 7. committed files get the user's umask, not mkstemp's 0600


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o007, 0o660)])
def test_outputs_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        for fmt in FORMATS:
            path = write_table(pd.DataFrame({"a": ["1"]}), tmp_path / f"out.{fmt}")
            assert path.stat().st_mode & 0o777 == mode, fmt
        rejects = RejectsWriter(tmp_path / "out.csv")
        rejects.add("in.csv", 2, "bad", {"a": "1"})
        assert rejects.commit().stat().st_mode & 0o777 == mode
    finally:
        os.umask(old)


# 8. CSV formula neutralisation


DANGEROUS = ["=1+2", "+33 1", "-5 below", "@SUM(A1)", "\tTab", "\rCR", "safe", "'quoted", ""]


def test_csv_cells_and_headers_that_start_a_formula_are_neutralised(tmp_path):
    target = tmp_path / "out.csv"
    mixed = pd.Series([-7, "-7"] * (len(DANGEROUS) // 2) + [None], dtype=object)  # object column: ints and text
    frame = pd.DataFrame(
        {"text": DANGEROUS, "=cmd": ["x"] * len(DANGEROUS), "n": [-1] * len(DANGEROUS), "mixed": mixed}
    )
    write_table(frame, target)
    with open(target, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["text", "'=cmd", "n", "mixed"]
    assert [r[3] for r in rows[1:]] == ["-7", "'-7"] * (len(DANGEROUS) // 2) + [""]
    assert [r[0] for r in rows[1:]] == [
        "'=1+2",
        "'+33 1",
        "'-5 below",
        "'@SUM(A1)",
        "'\tTab",
        "'\rCR",
        "safe",
        "'quoted",
        "",
    ]
    assert {r[2] for r in rows[1:]} == {"-1"}  # numbers are left alone


def test_csv_safe_false_keeps_raw_values(tmp_path):
    target = tmp_path / "out.csv"
    with TableWriter(target, csv_safe=False) as writer:
        writer.write(pd.DataFrame({"text": DANGEROUS, "=cmd": ["x"] * len(DANGEROUS)}))
    with open(target, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["text", "=cmd"] and [r[0] for r in rows[1:]] == DANGEROUS


@pytest.mark.parametrize("name", ["classify", "extract"])
def test_csv_safe_is_on_in_the_configs(name):
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(name, overrides=["input=a.jsonl", "output=b.csv"])
    assert cfg.csv_safe is True


def test_extract_passes_csv_safe_to_the_writer(tmp_path, monkeypatch):
    from stance.workflows import extract as extract_module

    seen: list[bool] = []
    real = extract_module.TableWriter

    def recording(path, **kwargs):
        seen.append(kwargs.get("csv_safe", True))
        return real(path, **kwargs)

    monkeypatch.setattr(extract_module, "TableWriter", recording)
    articles = tmp_path / "articles.jsonl"
    articles.write_text(json.dumps({"id": "a1", "text": '"We will win," she said.'}) + "\n", encoding="utf-8")
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose("extract", overrides=[f"input={articles}", f"output={tmp_path / 'q.csv'}", "csv_safe=false"])
    extract_module.run_extraction(cfg)
    assert seen == [False]


def test_csv_rows_of_empty_cells_are_rows_not_blank_lines(tmp_path):
    # ",," is a row whose cells are empty (a reader rejects it as such), not a blank line to pass over silently
    path = tmp_path / "empty_cells.csv"
    path.write_text("id,text\r\n1,a\r\n,\r\n\r\n   \r\n2,b\r\n", encoding="utf-8")
    frame, lines = read_table(path)
    assert frame["id"].tolist() == ["1", "", "2"] and lines == [2, 3, 6]
    single = tmp_path / "single.csv"
    write_table(pd.DataFrame({"text": ["a", "", "b"]}), single)
    assert read_table(single)[0]["text"].tolist() == ["a", "", "b"]
