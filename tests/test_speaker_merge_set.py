"""The cross-article speaker merge set: schema, labels, stand-off offsets into PolNeAR, no article text, scorer."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter

import pytest

from stance.config import PROJECT_ROOT

SET = PROJECT_ROOT / "data" / "speaker_merge"
POLNEAR_TEXT = PROJECT_ROOT.parent / "shared" / "data" / "polnear" / "train" / "text"
KINDS = {
    "shared-surname-different-person": False,
    "unrelated-common": False,
    "variant": True,
    "title+surname": True,
    "same-full-name": True,
    "bare-surname-same-person": True,
    "nickname/initials": True,
}
SIDE_FIELDS = {"file", "source_start", "source_end", "cue_start", "cue_end", "content_start", "content_end", "mention"}
NOT_NAMES = {"he", "she", "they", "it", "we", "i", "you", "who", "his", "her", "the campaign", "officials"}


def _load_score_module():
    spec = importlib.util.spec_from_file_location(
        "speaker_merge_score", PROJECT_ROOT / "scripts/speaker_merge/score.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


score_mod = _load_score_module()


@pytest.fixture(scope="module")
def pairs() -> list[dict]:
    return score_mod.load_pairs(SET / "pairs.jsonl")


def test_schema_and_unique_ids(pairs):
    ids = [p["pair_id"] for p in pairs]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"mp-\d{4}", i) for i in ids)
    for p in pairs:
        assert {"pair_id", "a", "b", "same", "canonical_a", "canonical_b", "kind"} <= set(p), p["pair_id"]
        for side in ("a", "b"):
            s = p[side]
            assert set(s) == SIDE_FIELDS, p["pair_id"]
            assert 0 <= s["source_start"] < s["source_end"], p["pair_id"]
            assert s["cue_start"] < s["cue_end"] and s["content_start"] < s["content_end"], p["pair_id"]
            assert s["source_end"] - s["source_start"] == len(s["mention"]), p["pair_id"]


def test_sides_are_in_different_articles(pairs):
    assert all(p["a"]["file"] != p["b"]["file"] for p in pairs)


def test_same_is_whether_both_sides_name_one_person(pairs):
    for p in pairs:
        assert p["same"] == (p["canonical_a"] == p["canonical_b"]), p["pair_id"]
        assert KINDS[p["kind"]] == p["same"], p["pair_id"]


def test_size_and_both_classes(pairs):
    counts = Counter(p["same"] for p in pairs)
    assert len(pairs) >= 130
    assert counts[True] >= 40 and counts[False] >= 40
    # the hard negatives the set exists for
    assert Counter(p["kind"] for p in pairs)["shared-surname-different-person"] >= 40


def test_mentions_are_name_like(pairs):
    for p in pairs:
        for side in ("a", "b"):
            m = p[side]["mention"].strip()
            assert m.lower() not in NOT_NAMES, (p["pair_id"], m)
            assert re.search(r"\b[A-Z][a-z]", m), (p["pair_id"], m)  # a capitalised name, not a role noun


def test_no_article_text_is_stored(pairs):
    """Only stand-off data may be committed: every string is a short name, label or file name."""
    for p in pairs:
        assert len(p["canonical_a"]) <= 40 and len(p["canonical_b"]) <= 40, p["pair_id"]
        assert len(p.get("note", "")) <= 120, p["pair_id"]
        for side in ("a", "b"):
            assert len(p[side]["mention"]) <= 60 and len(p[side]["file"]) <= 80, p["pair_id"]
    for n, line in enumerate((SET / "resolved.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("#"):
            key, mention, person = line.split("\t")
            assert len(mention) <= 60 and len(person) <= 40 and len(key) <= 90, n


def test_resolved_table_covers_every_side(pairs):
    resolved = {}
    for line in (SET / "resolved.tsv").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            key, mention, person = line.split("\t")
            resolved[key] = (mention, person)
    for p in pairs:
        for side in ("a", "b"):
            assert resolved[score_mod.side_key(p[side])] == (p[side]["mention"], p[f"canonical_{side}"]), p["pair_id"]


def test_offsets_resolve_in_polnear_copy(pairs):
    if not POLNEAR_TEXT.is_dir():
        pytest.skip("no PolNeAR copy at ../shared/data/polnear")
    cache: dict[str, str] = {}
    for p in pairs:
        for side in ("a", "b"):
            s = p[side]
            text = cache.setdefault(s["file"], (POLNEAR_TEXT / s["file"]).read_text(encoding="utf-8"))
            assert text[s["source_start"] : s["source_end"]] == s["mention"], p["pair_id"]
            for f in ("cue", "content"):
                assert 0 <= s[f"{f}_start"] < s[f"{f}_end"] <= len(text), (p["pair_id"], f)
                assert text[s[f"{f}_start"] : s[f"{f}_end"]].strip(), (p["pair_id"], f)


def test_readme_counts_match_the_data(pairs):
    readme = (SET / "README.md").read_text(encoding="utf-8")
    counts = Counter(p["kind"] for p in pairs)
    for kind, n in counts.items():
        assert re.search(rf"\| {re.escape(kind)} \| (true|false) \| {n} \|", readme), kind
    assert f"{len(pairs)} pairs: {sum(p['same'] for p in pairs)} same person" in readme


def _ids(pairs: list[dict], person_of) -> dict[str, str | None]:
    return {score_mod.side_key(p[s]): person_of(p, s) for p in pairs for s in ("a", "b")}


def test_score_perfect_table(pairs):
    r = score_mod.score(pairs, _ids(pairs, lambda p, s: p[f"canonical_{s}"]))
    assert (r["precision"], r["recall"], r["found"], r["fp"], r["fn"]) == (1.0, 1.0, len(pairs), 0, 0)


def test_score_counts_false_merges_and_missing_quotes():
    toy = [
        {"pair_id": "p1", "a": {"file": "x", "source_start": 1}, "b": {"file": "y", "source_start": 2}, "same": True},
        {"pair_id": "p2", "a": {"file": "x", "source_start": 5}, "b": {"file": "z", "source_start": 3}, "same": False},
        {"pair_id": "p3", "a": {"file": "y", "source_start": 9}, "b": {"file": "z", "source_start": 4}, "same": True},
        {"pair_id": "p4", "a": {"file": "w", "source_start": 0}, "b": {"file": "z", "source_start": 8}, "same": True},
    ]
    # p1 merged (tp), p2 wrongly merged (fp), p3 split (fn), p4 has a side the table never found
    pred = {"x:1": "s1", "y:2": "s1", "x:5": "s2", "z:3": "s2", "y:9": "s3", "z:4": "s4", "w:0": None, "z:8": "s5"}
    r = score_mod.score(toy, pred)
    assert (r["tp"], r["fp"], r["fn"], r["tn"]) == (1, 1, 1, 0)
    assert r["not_found"] == ["p4"] and r["found"] == 3
    assert r["precision"] == pytest.approx(0.5) and r["recall"] == pytest.approx(0.5)
    assert r["recall_all"] == pytest.approx(1 / 3)


def test_score_cli_bars_and_bad_input(tmp_path, capsys):
    good = tmp_path / "pred.json"
    pairs = score_mod.load_pairs(SET / "pairs.jsonl")
    surname_only = _ids(pairs, lambda p, s: p[f"canonical_{s}"].split()[-1])
    good.write_text(json.dumps(surname_only), encoding="utf-8")
    assert score_mod.main([str(good), "--min-precision", "0.95"]) == 1  # surnames merge Bill and Hillary
    assert "precision" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    assert score_mod.main([str(bad)]) == 2
    assert str(bad) in capsys.readouterr().err
    broken = tmp_path / "pairs.jsonl"
    broken.write_text('{"pair_id": "x", "a": {"file": "f"}, "b": {}, "same": true}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"pairs.jsonl:1: missing field a.source_start"):
        score_mod.load_pairs(broken)
