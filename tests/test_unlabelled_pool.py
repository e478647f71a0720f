"""The unlabelled quote pool: stand-off PolNeAR rows rebuilt by the loader, nothing from the corpus or test split."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from stance.config import PROJECT_ROOT
from stance.data.sources import unlabelled_pool
from stance.io import TableError

CORPUS = PROJECT_ROOT / "data" / "news_quotes"
POOL = CORPUS / "unlabelled_pool.parquet"


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _write_pool(tmp_path, quote_sha: str):
    article = 'Headline\nThe senator said the claims were "utterly baseless and false" on Monday.\nNext line.'
    folder = tmp_path / "polnear" / "train" / "text"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(article, encoding="utf-8")
    start = article.index("utterly")
    end = article.index('" on')
    rows = [
        {
            "id": "news-cc:x:0-20",
            "source": "news-cc",
            "article_id": "x",
            "polnear_split": None,
            "start": 0,
            "end": 20,
            "context_start": 0,
            "context_end": 30,
            "text_sha1": "",
            "text": "we must act now, all of us",
            "context": "ctx",
        },
        {
            "id": f"polnear:a.txt:{start}-{end}",
            "source": "polnear",
            "article_id": "a.txt",
            "polnear_split": "train",
            "start": start,
            "end": end,
            "context_start": 0,
            "context_end": len(article),
            "text_sha1": quote_sha,
            "text": None,
            "context": None,
        },
    ]
    path = tmp_path / "pool.parquet"
    pd.DataFrame(rows).to_parquet(path, index=False)
    return path, article[start:end], tmp_path / "polnear"


def test_loader_rebuilds_polnear_text_from_the_local_copy(tmp_path):
    path, quote, polnear = _write_pool(tmp_path, _sha("utterly baseless and false"))
    frame = unlabelled_pool(path, polnear).set_index("source")
    assert frame.loc["polnear", "text"] == quote == "utterly baseless and false"
    assert "Headline" in frame.loc["polnear", "context"]
    assert frame.loc["news-cc", "text"] == "we must act now, all of us"


def test_loader_rejects_a_changed_polnear_copy_and_works_without_one(tmp_path, caplog):
    path, _, polnear = _write_pool(tmp_path, _sha("something else"))
    with pytest.raises(TableError, match="do not match the PolNeAR copy"):
        unlabelled_pool(path, polnear)
    frame = unlabelled_pool(path, tmp_path / "missing")
    assert list(frame["source"]) == ["news-cc"]
    assert "PolNeAR copy not found" in caplog.text


def test_shipped_pool_is_large_standoff_and_disjoint_from_the_corpus():
    pool = pd.read_parquet(POOL)
    # 9,112 rows: all the extractor yields beyond the corpus and the test articles (data/README.md)
    assert len(pool) >= 9000 and pool["id"].is_unique
    pol = pool[pool["source"] == "polnear"]
    assert pol[["text", "context", "cue"]].isna().all().all(), "PolNeAR text must never be stored"
    news = pool[pool["source"] == "news-cc"]
    assert news["text"].notna().all() and (news["end"] - news["start"] == news["text"].str.len()).all()
    assert (pol["polnear_split"] == "train").all()
    corpus = [
        json.loads(x)
        for f in ("news_cc.jsonl", "polnear_standoff.jsonl")
        for x in (CORPUS / f).read_text(encoding="utf-8").splitlines()
    ]
    assert not set(pool["id"]) & {r["id"] for r in corpus}
    test_articles = {(r["source"], r["article_id"]) for r in corpus if r["split"] == "test"}
    assert not set(zip(pool["source"], pool["article_id"])) & test_articles
    assert set(pool["corpus_split"]) <= {"train", "dev", ""}


def test_shipped_polnear_rows_resolve_in_the_local_copy(tmp_path):
    polnear = PROJECT_ROOT.parent / "shared" / "data" / "polnear"
    if not polnear.is_dir():
        pytest.skip("no PolNeAR copy at ../shared/data/polnear")
    pool = pd.read_parquet(POOL)
    sample = pd.concat(
        [pool[pool["source"] == "polnear"].sample(40, random_state=0), pool[pool["source"] == "news-cc"].head(5)]
    )
    path = tmp_path / "sample.parquet"
    sample.to_parquet(path, index=False)
    frame = unlabelled_pool(path, polnear)  # raises if any offset or SHA-1 does not match
    assert len(frame) == 45 and frame["text"].str.strip().str.len().gt(0).all()
    pol = frame[frame["source"] == "polnear"]
    assert all(hashlib.sha1(t.encode("utf-8")).hexdigest()[:12] == h for t, h in zip(pol["text"], pol["text_sha1"]))
