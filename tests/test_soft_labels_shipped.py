"""The teacher soft labels shipped with the corpus (data/news_quotes/soft_labels/): they load against the corpus
labels, cover the gold train split and the pool, hold nothing of dev or test, and name the teacher they came from.

Reads only ids and splits (no PolNeAR text), so it runs without the shared data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stance.config import PROJECT_ROOT
from stance.data.soft_labels import read_soft_labels

CORPUS = PROJECT_ROOT / "data" / "news_quotes"
SOFT = CORPUS / "soft_labels" / "teacher_mpnet.parquet"  # the default of distill=teacher and of make demo
# every shipped file: the seed-1 teacher, and the three-seed ensemble (teacher_mpnet3.parquet)
SHIPPED = sorted((CORPUS / "soft_labels").glob("*.parquet"))
LABELS = ["supportive", "critical", "dismissive", "urging_action", "neutral"]


def _corpus() -> pd.DataFrame:
    rows = []
    for name in ("news_cc.jsonl", "polnear_standoff.jsonl"):
        for line in (CORPUS / name).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            rows.append({"id": r["id"], "split": r["split"], "article_id": r["article_id"], "source": r["source"]})
    return pd.DataFrame(rows)


def test_default_soft_labels_are_shipped():
    assert SOFT.is_file(), f"{SOFT} is missing: `stance-train distill=teacher` and `make demo` need it"


@pytest.fixture(scope="module", params=SHIPPED, ids=[p.stem for p in SHIPPED])
def soft(request):
    return read_soft_labels(request.param, LABELS)


def test_shipped_soft_labels_cover_train_and_pool_and_nothing_held_out(soft):
    corpus = _corpus()
    pool = pd.read_parquet(CORPUS / "unlabelled_pool.parquet", columns=["id", "article_id", "source"])
    split_of = dict(zip(corpus["id"], corpus["split"]))
    ids = pd.Series(soft.ids)
    sets = pd.Series(soft.sets)
    train_ids = set(corpus.loc[corpus["split"] == "train", "id"])
    # every gold train quote has the teacher's distribution, and the train set holds only train quotes
    assert set(ids[sets == "train"]) == train_ids
    # pool rows are pool quotes, and none comes from an article of dev or test
    pool_ids = set(ids[sets == "pool"])
    assert pool_ids and pool_ids <= set(pool["id"])
    held_articles = set((corpus["source"] + ":" + corpus["article_id"])[corpus["split"].isin(["dev", "test"])].tolist())
    used = pool[pool["id"].isin(pool_ids)]
    assert not set((used["source"] + ":" + used["article_id"]).tolist()) & held_articles
    assert not [i for i in soft.ids if split_of.get(i) in ("dev", "test")]
    assert len(set(soft.ids)) == len(soft.ids)


def test_shipped_soft_labels_are_distributions_from_a_named_teacher(soft):
    assert soft.labels == LABELS
    assert np.isfinite(soft.probs).all() and (soft.probs >= 0).all()
    assert np.allclose(soft.probs.sum(axis=1), 1.0, atol=1e-3)
    # a teacher, not a constant: its top label varies and it is confident on some quotes
    top = soft.probs.argmax(axis=1)
    assert len(set(top.tolist())) == len(LABELS)
    assert soft.probs.max(axis=1).mean() > 0.4
    teacher = soft.meta["teacher"]
    members = teacher.get("members") or [teacher]  # an ensemble names each of its teachers
    assert all(m["manifest_sha256"] and m["run_id"] for m in members)
    assert Path(str(soft.meta.get("pool", ""))).name == "unlabelled_pool.parquet"
