"""One bad article never costs the others: on_error=skip lists every per-article fault and goes on,
on_error=raise stops with an error naming the article's file (or table line)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from stance.config import CONF_DIR
from stance.extract.articles import ArticleError
from stance.extract.rules import RuleExtractor
from stance.workflows.extract import run_extraction

GOOD = 'Police chief Omar Diaz said the road was clear.\n\n"Drive carefully," Diaz added.\n'
LONG = "The mayor said the bridge would reopen in May.\n\n" * 60  # about 2,900 characters
BOOM = "The minister said the BOOMWORD plan was sound.\n"


def cfg_for(inp: Path, out: Path, *extra: str):
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose(config_name="extract", overrides=[f"input={inp}", f"output={out}", *extra])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def exploding_extractor(monkeypatch):
    """The rule extractor, failing (as a bug would) on any article that holds BOOMWORD."""
    find = RuleExtractor.find

    def failing_find(self, art):
        if "BOOMWORD" in art.text:
            raise RuntimeError("simulated bug")
        return find(self, art)

    monkeypatch.setattr(RuleExtractor, "find", failing_find)


def write_folder(root: Path) -> Path:
    folder = root / "articles"
    folder.mkdir()
    (folder / "a_good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b_long.txt").write_text(LONG, encoding="utf-8")
    (folder / "c_binary.txt").write_bytes(b"abc\x00def said the man")
    (folder / "d_empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "e_latin1.txt").write_bytes("caf\xe9 said so".encode("latin-1"))
    (folder / "f_boom.txt").write_text(BOOM, encoding="utf-8")
    (folder / "g_good.txt").write_text(GOOD.replace("Diaz", "Ruiz"), encoding="utf-8")
    return folder


def test_skip_lists_every_article_fault_and_keeps_the_good_ones(tmp_path, exploding_extractor):
    folder = write_folder(tmp_path)
    out = tmp_path / "quotes.jsonl"
    summary = run_extraction(cfg_for(folder, out, "on_error=skip", "extract.max_chars=2000", "extract.batch_size=3"))
    assert summary["articles"] == 2 and summary["rejected"] == 5
    assert {r["article_id"] for r in read_jsonl(out)} == {"a_good", "g_good"}
    rejects = {Path(r["source"]).name: r["reason"] for r in read_jsonl(Path(str(out) + ".rejects.jsonl"))}
    assert set(rejects) == {"b_long.txt", "c_binary.txt", "d_empty.txt", "e_latin1.txt", "f_boom.txt"}
    assert "exceeds extract.max_chars=2000" in rejects["b_long.txt"] and "'b_long'" in rejects["b_long.txt"]
    assert "binary" in rejects["c_binary.txt"] and "empty" in rejects["d_empty.txt"]
    assert "not UTF-8" in rejects["e_latin1.txt"]
    assert "RuntimeError: simulated bug" in rejects["f_boom.txt"]


def test_raise_names_the_file_of_a_too_long_article(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b_long.txt").write_text(LONG, encoding="utf-8")
    out = tmp_path / "quotes.jsonl"
    with pytest.raises(ArticleError, match=r"b_long\.txt: article 'b_long': \d+ characters exceeds extract\.max_chars"):
        run_extraction(cfg_for(folder, out, "extract.max_chars=2000"))
    assert not out.exists() and not list(tmp_path.glob("quotes.jsonl*"))  # nothing half-written


def test_raise_names_the_table_line_of_an_article_that_breaks_the_extractor(tmp_path, exploding_extractor):
    table = tmp_path / "articles.jsonl"
    pd.DataFrame({"id": ["a", "b", "c"], "text": [GOOD, BOOM, GOOD]}).to_json(table, orient="records", lines=True)
    with pytest.raises(ArticleError, match=r"articles\.jsonl, line 2: article 'b': quote extraction failed"):
        run_extraction(cfg_for(table, tmp_path / "quotes.jsonl"))


def test_skip_in_a_table_keeps_order_and_line_numbers(tmp_path, exploding_extractor):
    table = tmp_path / "articles.jsonl"
    ids = ["a", "b", "c", "d", "e"]
    texts = [GOOD, LONG, GOOD.replace("Diaz", "Ruiz"), BOOM, GOOD.replace("Diaz", "Cruz")]
    pd.DataFrame({"id": ids, "text": texts}).to_json(table, orient="records", lines=True)
    out = tmp_path / "quotes.jsonl"
    summary = run_extraction(cfg_for(table, out, "on_error=skip", "extract.max_chars=2000", "extract.batch_size=2"))
    assert summary["articles"] == 3 and summary["rejected"] == 2
    got = list(dict.fromkeys(r["article_id"] for r in read_jsonl(out)))
    assert got == ["a", "c", "e"]
    rejects = read_jsonl(Path(str(out) + ".rejects.jsonl"))
    assert [(r["line"], r["row"]["id"]) for r in rejects] == [(2, "b"), (4, "d")]


class _RecordingNlp:
    """Wraps the spaCy pipeline and records every text that enters nlp.pipe."""

    def __init__(self, nlp):
        self.nlp, self.seen = nlp, []
        self.max_length = nlp.max_length

    def pipe(self, items, **kwargs):
        def record():
            for item in items:
                self.seen.append(item[0] if isinstance(item, tuple) else item)
                yield item

        return self.nlp.pipe(record(), **kwargs)

    def __call__(self, text):
        self.seen.append(text)
        return self.nlp(text)


def test_too_long_article_never_enters_the_pipe(extractor):
    from stance.extract.pipeline import ArticleFault, QuoteExtractor

    spy = _RecordingNlp(extractor.nlp)
    small = QuoteExtractor(extractor.extractor, extractor.attributor, max_chars=2000, nlp=spy)
    faults: list = []
    out = dict(small.extract_many([("a", GOOD), ("long", LONG), ("c", GOOD)], on_error=faults.append))
    assert list(out) == ["a", "c"] and out["a"]
    assert [f.article_id for f in faults] == ["long"] and "max_chars=2000" in str(faults[0])
    assert LONG not in spy.seen and spy.seen.count(GOOD) == 2
    with pytest.raises(ArticleFault, match="article 'long'"):
        list(small.extract_many([("a", GOOD), ("long", LONG)]))
