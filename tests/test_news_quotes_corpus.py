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
    assert sum(labels.values()) >= 6000
    assert min(labels[label] for label in LABELS) >= 400, labels
    doubles = rows("double_annotation.jsonl")
    assert all(d["final"] in LABELS + ["skip"] for d in doubles)
    assert len({d["cand_id"] for d in doubles}) == len(doubles)


# sha256 of the sorted (id, label, text or text_sha1) triples of the 541 test rows of round 1 (commit 2aa5991)
TEST_SPLIT_SHA256 = "3aaa7038d646f99ee963e0045833713ec721eb8856fbdb8e1ecad5eb6d5b96c7"


def test_test_split_is_unchanged_since_round_1(news, standoff):
    test = sorted(
        (r["id"], r["label"], r.get("text") or r["text_sha1"]) for r in news + standoff if r["split"] == "test"
    )
    assert len(test) == 541
    assert hashlib.sha256(json.dumps(test, ensure_ascii=False).encode()).hexdigest() == TEST_SPLIT_SHA256


def test_round_2_went_to_train_and_dev_only_and_was_doubly_annotated(news, standoff):
    new = [r for r in news + standoff if r["annotator"].startswith("ann_h")]
    assert len(new) >= 2500
    assert {r["split"] for r in new} <= {"train", "dev"}
    test_articles = {(r["source"], r["article_id"]) for r in news + standoff if r["split"] == "test"}
    assert not {(r["source"], r["article_id"]) for r in new} & test_articles
    labelled = rows("round2/labels_ann_h.jsonl")
    doubles = [d for d in rows("double_annotation.jsonl") if d["pass1_annotator"] == "ann_h"]
    assert len(doubles) >= 0.15 * len(labelled), (len(doubles), len(labelled))
    by_id = {r["id"]: r for r in new}
    for d in doubles:
        assert d["resolution"] == ("agreed" if d["pass1"] == d["pass2"] else "adjudicated")
        if d["final"] != "skip":
            assert by_id[d["cand_id"]]["label"] == d["final"], d
        else:
            assert d["cand_id"] not in by_id


def test_stats_agreement_is_recomputed_from_the_doubles():
    stats = json.loads((CORPUS / "stats.json").read_text(encoding="utf-8"))
    doubles = rows("double_annotation.jsonl")
    assert stats["agreement"]["items"] == len(doubles)
    observed = sum(d["pass1"] == d["pass2"] for d in doubles) / len(doubles)
    assert abs(stats["agreement"]["observed_agreement"] - observed) < 1e-12
    assert stats["quotes"] == sum(stats["label_counts"]["all"].values())
