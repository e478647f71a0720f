"""stance-extract end to end: folder and table inputs, output formats, bad articles, atomic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from stance.config import CONF_DIR
from stance.extract.articles import ArticleError
from stance.workflows.extract import run_extraction

ARTICLE_A = 'Police chief Omar Diaz said the road was clear.\n\n"Drive carefully," Diaz added.\n'
ARTICLE_B = "According to the ministry, 40 people were hurt in the fire.\n"


def cfg_for(tmp_path: Path, inp, out, *extra: str):
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose(config_name="extract", overrides=[f"input={inp}", f"output={out}", *extra])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_folder_of_txt_and_html_to_jsonl(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    html = f"<html><body><nav>Home | News</nav><article><p>{ARTICLE_B}</p><p>More text follows here, long enough to keep.</p></article></body></html>"
    (folder / "b.html").write_text(html, encoding="utf-8")
    out = tmp_path / "quotes.jsonl"
    summary = run_extraction(cfg_for(tmp_path, folder, out))
    rows = read_jsonl(out)
    assert summary["articles"] == 2 and summary["quotes"] == len(rows) > 0
    assert {r["article_id"] for r in rows} == {"a", "b"}
    a_rows = [r for r in rows if r["article_id"] == "a"]
    for r in a_rows:
        assert ARTICLE_A[r["start"] : r["end"]] == r["text"]
    assert any(r["type"] == "direct" and r["speaker"] == "Omar Diaz" for r in a_rows)
    assert set(rows[0]) >= {"quote_id", "spans", "cue", "speaker_mention", "speaker_role", "speaker_type", "context"}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_table_input_and_output_formats(tmp_path, fmt):
    frame = pd.DataFrame({"id": ["a", "b"], "text": [ARTICLE_A, ARTICLE_B]})
    inp = tmp_path / f"articles.{fmt}"
    if fmt == "jsonl":
        frame.to_json(inp, orient="records", lines=True)
    elif fmt == "csv":
        frame.to_csv(inp, index=False)
    else:
        frame.to_parquet(inp)
    out = tmp_path / f"quotes.{fmt}"
    summary = run_extraction(cfg_for(tmp_path, inp, out))
    if fmt == "jsonl":
        got = pd.DataFrame(read_jsonl(out))
    elif fmt == "csv":
        got = pd.read_csv(out)
    else:
        got = pd.read_parquet(out)
    assert len(got) == summary["quotes"] > 0
    texts = dict(zip(frame["id"], frame["text"]))
    for row in got.itertuples():
        assert texts[row.article_id][int(row.start) : int(row.end)] == row.text


def test_bad_articles_raise_with_their_name(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE_A, encoding="utf-8")
    (folder / "latin1.txt").write_bytes("caf\xe9 said so".encode("latin-1"))
    out = tmp_path / "quotes.jsonl"
    with pytest.raises(ArticleError, match="latin1.txt.*not UTF-8"):
        run_extraction(cfg_for(tmp_path, folder, out))
    assert not out.exists()
    assert not list(tmp_path.glob(".quotes.jsonl.*"))  # no temp file left behind


def test_skip_lists_rejects_and_processes_the_rest(tmp_path):
    inp = tmp_path / "articles.jsonl"
    lines = [
        {"id": "a", "text": ARTICLE_A},
        {"id": "empty", "text": "   "},
        {"id": "notext"},
        {"id": "a", "text": ARTICLE_B},
        {"id": "b", "text": ARTICLE_B},
    ]
    inp.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out = tmp_path / "quotes.jsonl"
    summary = run_extraction(cfg_for(tmp_path, inp, out, "on_error=skip"))
    assert summary["articles"] == 2 and summary["rejected"] == 3
    rejects = read_jsonl(Path(str(out) + ".rejects.jsonl"))
    assert [r["line"] for r in rejects] == [2, 3, 4]
    assert "empty article" in rejects[0]["reason"]
    assert "missing text" in rejects[1]["reason"]
    assert "duplicate article id 'a'" in rejects[2]["reason"]
    assert {r["article_id"] for r in read_jsonl(out)} == {"a", "b"}


def test_missing_text_column_is_a_clear_error(tmp_path):
    inp = tmp_path / "articles.csv"
    inp.write_text("id,body\na,hello there\n", encoding="utf-8")
    with pytest.raises(ArticleError, match="no 'text' column"):
        run_extraction(cfg_for(tmp_path, inp, tmp_path / "q.jsonl"))


def test_console_script_runs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x.txt").write_text(ARTICLE_B, encoding="utf-8")
    out = tmp_path / "q.jsonl"
    cmd = [
        sys.executable,
        "-m",
        "stance.cli.extract",
        f"input={folder}",
        f"output={out}",
        f"hydra.run.dir={tmp_path}/run",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert read_jsonl(out)[0]["cue"] == "According to"
