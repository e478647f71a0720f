"""stance-extract on a folder: sub-folders are read (ids stay unique), nothing is left out without a word."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from stance.config import CONF_DIR
from stance.extract.articles import ArticleError
from stance.workflows.extract import run_extraction

ARTICLE = 'Police chief Omar Diaz said the road was clear.\n\n"Drive carefully," Diaz added.\n'
NESTED = "According to the ministry, 40 people were hurt in the fire.\n"


def cfg_for(inp: Path, out: Path, *extra: str):
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose(config_name="extract", overrides=[f"input={inp}", f"output={out}", *extra])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def make_tree(root: Path) -> Path:
    folder = root / "articles"
    (folder / "sub" / "deeper").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / "story.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "sub" / "story.txt").write_text(NESTED, encoding="utf-8")  # same stem, other folder
    (folder / "sub" / "deeper" / "page.html").write_text(
        f"<html><body><article><p>{NESTED}</p><p>More text follows here, long enough to keep.</p></article></body></html>",
        encoding="utf-8",
    )
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    (folder / "sub" / "photo.png").write_bytes(b"\x89PNG")
    (folder / "sub" / "scan.pdf").write_bytes(b"%PDF-1.4")
    (folder / ".draft.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / ".git" / "HEAD.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


def test_sub_folders_are_read_with_path_ids_and_skips_are_counted(tmp_path, caplog):
    folder = make_tree(tmp_path)
    out = tmp_path / "quotes.jsonl"
    with caplog.at_level(logging.INFO):
        summary = run_extraction(cfg_for(folder, out))
    rows = read_jsonl(out)
    assert summary["articles"] == 3 and summary["rejected"] == 0
    assert {r["article_id"] for r in rows} == {"story", "sub/story", "sub/deeper/page"}
    for r in rows:
        if r["article_id"] == "sub/story":
            assert NESTED[r["start"] : r["end"]] == r["text"]
    assert summary["skipped_files"] == {
        "unsupported type '.pdf'": 2,
        "unsupported type '.png'": 1,
        "hidden (name starts with '.')": 2,
    }
    logged = caplog.text
    assert logged.count("that are not .txt/.html") == 1  # once, not per file
    assert ".draft.txt" in logged and ".git" in logged and "HEAD.txt" not in logged  # a hidden folder is not entered


def test_not_recursive_names_the_sub_folders_in_a_warning(tmp_path, caplog):
    folder = make_tree(tmp_path)
    out = tmp_path / "quotes.jsonl"
    with caplog.at_level(logging.WARNING):
        summary = run_extraction(cfg_for(folder, out, "recursive=false"))
    assert {r["article_id"] for r in read_jsonl(out)} == {"story"}
    assert summary["skipped_files"]["sub-folder (recursive=false)"] == 1
    assert summary["skipped_files"]["unsupported type '.pdf'"] == 1  # only the top level was looked at
    warning = next(r.getMessage() for r in caplog.records if "sub-folders" in r.getMessage())
    assert "recursive=false" in warning and "sub" in warning.split(":")[-1]


def test_a_folder_with_only_other_files_says_what_it_skipped(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(ArticleError, match=r"no \.txt or \.html files.*unsupported type '\.pdf'"):
        run_extraction(cfg_for(folder, tmp_path / "q.jsonl"))
