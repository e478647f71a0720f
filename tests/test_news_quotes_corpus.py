"""The shipped news-quote corpus itself: schema, splits by article, stand-off offsets, data-card counts."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from stance.config import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "data" / "news_quotes"
POLNEAR = PROJECT_ROOT.parent / "shared" / "data" / "polnear"
LABELS = ["supportive", "critical", "dismissive", "urging_action", "neutral"]
SPLITS = ["train", "dev", "test"]


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (CORPUS / name).read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def news() -> list[dict]:
    return rows("news_cc.jsonl")


@pytest.fixture(scope="module")
def standoff() -> list[dict]:
    return rows("polnear_standoff.jsonl")


def test_schema(news, standoff):
    common = {"id", "source", "article_id", "split", "start", "end", "type", "speaker", "label", "annotator"}
    for r in news:
        assert common | {"text", "context"} <= set(r), r["id"]
        assert r["label"] in LABELS and r["split"] in SPLITS and r["type"] in ("direct", "indirect", "mixed")
        assert r["text"].strip() and r["end"] > r["start"] >= 0
        assert len(r["text"]) == r["end"] - r["start"]
    for r in standoff:
        assert common | {"polnear_split", "context_start", "context_end", "text_sha1"} <= set(r), r["id"]
        assert r["label"] in LABELS and r["split"] in SPLITS
        assert "text" not in r and "context" not in r, "PolNeAR text must never be stored in the repository"
    ids = [r["id"] for r in news + standoff]
    assert len(ids) == len(set(ids))


def test_news_cc_quotes_come_from_the_shared_articles(news):
    source = PROJECT_ROOT.parent / "shared" / "data" / "news-cc" / "articles.jsonl"
    if not source.exists():
        pytest.skip("../shared/data/news-cc not present")
    articles = {a["id"]: a["text"] for a in map(json.loads, source.read_text(encoding="utf-8").splitlines())}
    for r in news:
        assert articles[r["article_id"]][r["start"] : r["end"]] == r["text"], r["id"]


def test_no_article_in_two_splits(news, standoff):
    seen: dict[str, set[str]] = {}
    for r in news + standoff:
        seen.setdefault(f"{r['source']}|{r['article_id']}", set()).add(r["split"])
    assert all(len(s) == 1 for s in seen.values()), [a for a, s in seen.items() if len(s) > 1][:5]


def test_standoff_offsets_resolve_in_polnear_copy(standoff):
    if not POLNEAR.is_dir():
        pytest.skip("no PolNeAR copy at ../shared/data/polnear")
    cache: dict[Path, str] = {}
    for r in standoff:
        path = POLNEAR / r["polnear_split"] / "text" / r["article_id"]
        text = cache.setdefault(path, path.read_text(encoding="utf-8"))
        quote = text[r["start"] : r["end"]]
        assert quote.strip(), r["id"]
        assert hashlib.sha1(quote.encode("utf-8")).hexdigest()[:12] == r["text_sha1"], r["id"]
        assert 0 <= r["context_start"] <= r["start"] and r["end"] <= r["context_end"] <= len(text)


def test_label_counts_match_the_data_card(news, standoff):
    card = (PROJECT_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    counts = Counter((r["split"], r["label"]) for r in news + standoff)
    table = {}
    for line in card.splitlines():
        m = re.match(r"\|\s*(train|dev|test)\s*\|" + r"\s*([\d,]+)\s*\|" * 6, line)
        if m:
            table[m.group(1)] = [int(x.replace(",", "")) for x in m.groups()[1:]]
    assert set(table) == set(SPLITS), "data/README.md needs a label-count row per split"
    for split, values in table.items():
        expected = [counts[(split, label)] for label in LABELS]
        assert values == expected + [sum(expected)], split


def test_corpus_meets_its_size_targets(news, standoff):
    labels = Counter(r["label"] for r in news + standoff)
    assert sum(labels.values()) >= 2500
    assert min(labels[label] for label in LABELS) >= 200, labels
    doubles = rows("double_annotation.jsonl")
    assert len(doubles) >= 400
    assert all(d["final"] in LABELS + ["skip"] for d in doubles)
