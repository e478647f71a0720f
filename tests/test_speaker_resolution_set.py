"""Integrity of the speaker-resolution measurement set (data/speaker_resolution) and its agreement script."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from stance.config import PROJECT_ROOT

SET_DIR = PROJECT_ROOT / "data" / "speaker_resolution"
SCRIPTS = PROJECT_ROOT / "scripts" / "speaker_resolution"
POLNEAR = PROJECT_ROOT.parent / "shared" / "data" / "polnear"
KINDS = ("pronoun", "role", "surname", "group")
TYPES = {"person", "organization", "group", "document", "unnamed"}
# Longer than any name or short mention: a longer string would be article text, which must never be committed.
MAX_STRING = 120

sys.path.insert(0, str(SCRIPTS))
import agreement  # noqa: E402


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def items() -> list[dict]:
    """items.jsonl (tune and heldout halves) and any further set (items_tune2.jsonl, items_tune3.jsonl)."""
    from show_items import item_files

    return [row for path in item_files(SET_DIR / "items.jsonl") for row in _rows(path)]


@pytest.fixture(scope="module")
def label_files() -> dict[str, list[dict]]:
    return {p.name: _rows(p) for p in sorted(SET_DIR.glob("labels_*.jsonl"))}


def test_items_are_unique_balanced_and_split_by_article(items):
    ids = [it["item_id"] for it in items]
    assert len(ids) == len(set(ids))
    assert len(items) >= 300
    kinds = Counter(it["kind"] for it in items)
    assert set(kinds) == set(KINDS)
    assert min(kinds.values()) >= 75
    halves = {h: {it["file"] for it in items if it["half"] == h} for h in ("tune", "heldout", "tune2", "tune3")}
    assert all(halves.values())
    assert not halves["tune"] & halves["heldout"]
    assert not halves["tune2"] & (halves["tune"] | halves["heldout"])  # drawn from other articles
    assert not halves["tune3"] & (halves["tune"] | halves["heldout"] | halves["tune2"])
    for half in halves:
        per_kind = Counter(it["kind"] for it in items if it["half"] == half)
        assert min(per_kind[k] for k in KINDS) >= 35, (half, per_kind)
    assert all(it["polnear_split"] == "train" for it in items)
    for it in items:
        assert it["source_start"] < it["source_end"] and it["cue_start"] < it["cue_end"]
        assert it["content_start"] < it["content_end"]


def test_committed_files_hold_no_article_text(items, label_files):
    for name, rows in {"items.jsonl": items, **label_files}.items():
        for row in rows:
            for key, value in row.items():
                if isinstance(value, str):
                    assert len(value) < MAX_STRING, (name, row["item_id"], key)


def test_labels_point_at_items_of_their_half(items, label_files):
    half = {it["item_id"]: it["half"] for it in items}
    assert label_files, "no labels_*.jsonl in data/speaker_resolution"
    for name, rows in label_files.items():
        wanted = name.removesuffix(".jsonl").rsplit("_", 1)[-1]  # labels_a_tune2.jsonl -> tune2
        ids = [r["item_id"] for r in rows]
        assert len(ids) == len(set(ids)), name
        for row in rows:
            assert half.get(row["item_id"]) == wanted, (name, row["item_id"])
            assert row["expected"] is None or (isinstance(row["expected"], str) and row["expected"].strip())
            assert row["speaker_type"] in TYPES, (name, row["item_id"])
            assert row["pass"] in {"A", "B"} and row["annotator"]


def test_pass_b_sample_follows_its_fixed_rule(items, label_files):
    from show_items import pass_b_ids

    sample = pass_b_ids(items)
    kinds = Counter(it["kind"] for it in items if it["item_id"] in set(sample))
    assert len(sample) >= 55 and min(kinds[k] for k in KINDS) >= 12
    mine = label_files.get("labels_b_heldout.jsonl")
    if mine is not None:
        assert sorted(r["item_id"] for r in mine) == sorted(sample)


def test_offsets_match_the_shared_articles_and_the_kind_rules(items):
    if not (POLNEAR / "train" / "text").is_dir():
        pytest.skip("no PolNeAR copy at ../shared/data/polnear")
    from select_items import classify

    dev = {p.name for p in (POLNEAR / "dev" / "text").glob("*.txt")}
    texts: dict[str, str] = {}
    for it in items:
        assert it["file"] not in dev
        path = POLNEAR / "train" / "text" / it["file"]
        text = texts.setdefault(it["file"], path.read_text(encoding="utf-8"))
        for part in ("source", "cue", "content"):
            assert 0 <= it[f"{part}_start"] < it[f"{part}_end"] <= len(text), (it["item_id"], part)
        assert text[it["source_start"] : it["source_end"]] == it["mention"], it["item_id"]
        assert classify(it["mention"], text) == it["kind"], it["item_id"]


def test_normalise_ignores_case_punctuation_accents_and_keeps_null():
    assert agreement.normalise("  C. Stewart  Verdery Jr. ") == agreement.normalise("c stewart verdery jr")
    assert agreement.normalise("Ilia Calderón") == agreement.normalise("ILIA CALDERON")
    assert agreement.normalise("Jeb Bush") != agreement.normalise("George Bush")
    assert agreement.normalise(None) is None


def test_cohen_kappa_matches_a_worked_example():
    # 10 items: both say yes on 4, both no on 3, A yes/B no on 2, A no/B yes on 1.
    pairs = [("y", "y")] * 4 + [("n", "n")] * 3 + [("y", "n")] * 2 + [("n", "y")]
    po, pe = 0.7, 0.6 * 0.5 + 0.4 * 0.5
    assert agreement.cohen_kappa(pairs) == pytest.approx((po - pe) / (1 - pe))
    assert agreement.cohen_kappa([("a", "a")] * 3) is None  # chance agreement 1: undefined
    assert agreement.cohen_kappa([]) is None


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_agreement_joins_passes_across_folders_per_kind(tmp_path, capsys):
    items_file = tmp_path / "items.jsonl"
    _write(items_file, [{"item_id": "i1", "kind": "pronoun"}, {"item_id": "i2", "kind": "group"},
                        {"item_id": "i3", "kind": "group"}])  # fmt: skip
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    row = {"annotator": "x", "pass": "A"}
    _write(one / "labels_a_t.jsonl", [{**row, "item_id": "i1", "expected": "Ed Henry", "speaker_type": "person"},
                                      {**row, "item_id": "i2", "expected": None, "speaker_type": "group"},
                                      {**row, "item_id": "i3", "expected": None, "speaker_type": "group"}])  # fmt: skip
    _write(two / "labels_b_t.jsonl", [{**row, "item_id": "i1", "expected": "ed henry.", "speaker_type": "person"},
                                      {**row, "item_id": "i2", "expected": "Fox News", "speaker_type": "organization"}])  # fmt: skip
    a = agreement.collect([one, two], "labels_a_")
    b = agreement.collect([one, two], "labels_b_")
    table = agreement.agreement(a, b, {"i1": "pronoun", "i2": "group", "i3": "group"})
    assert table["all"]["n"] == 2
    assert table["all"]["exact"] == 0.5
    assert table["pronoun"]["exact"] == 1.0 and table["group"]["disagree"] == ["i2"]
    assert agreement.main([str(one), str(two), "--items", str(items_file)]) == 0
    assert "items with both: 2" in capsys.readouterr().out


def test_agreement_names_the_file_and_line_of_a_bad_row(tmp_path):
    bad = tmp_path / "labels_a_bad.jsonl"
    bad.write_text('{"item_id": "i1", "expected": null, "speaker_type": "group"}\n{"item_id": "i2"}\n')
    with pytest.raises(ValueError, match=r"labels_a_bad.jsonl:2: missing field 'expected'"):
        agreement.load_labels(bad)


@pytest.fixture(scope="module")
def statement_files() -> dict[str, list[dict]]:
    return {p.name: _rows(p) for p in sorted(SET_DIR.glob("statements_*.jsonl"))}


def test_statement_labels_cover_every_item_once_and_hold_no_article_text(items, statement_files):
    assert set(statement_files) == {"statements_a.jsonl", "statements_b.jsonl"}
    ids = sorted(it["item_id"] for it in items)
    for name, rows in statement_files.items():
        assert sorted(r["item_id"] for r in rows) == ids, name
        for row in rows:
            assert isinstance(row["statement"], bool) and row["pass"] in {"A", "B"} and row["annotator"]
            assert all(len(v) < MAX_STRING for v in row.values() if isinstance(v, str)), (name, row["item_id"])


def test_load_statement_labels_reads_the_set_and_names_a_bad_row(tmp_path):
    from stance.extract.evaluate import load_statement_labels
    from stance.io.tables import TableError

    labels = load_statement_labels(SET_DIR / "statements_a.jsonl")
    assert len(labels) >= 300 and set(labels.values()) == {True, False}
    bad = tmp_path / "statements_x.jsonl"
    bad.write_text('{"item_id": "i1", "statement": true}\n{"item_id": "i2", "statement": "yes"}\n')
    with pytest.raises(TableError) as err:
        load_statement_labels(bad)
    assert "statements_x.jsonl" in str(err.value) and "2" in str(err.value) and "statement" in str(err.value)
    twice = tmp_path / "statements_y.jsonl"
    twice.write_text('{"item_id": "i1", "statement": true}\n{"item_id": "i1", "statement": false}\n')
    with pytest.raises(TableError, match="twice"):
        load_statement_labels(twice)


def test_statement_agreement_per_kind(tmp_path):
    a = [{"item_id": i, "statement": s} for i, s in (("i1", True), ("i2", False), ("i3", True), ("i4", False))]
    b = [{"item_id": i, "statement": s} for i, s in (("i1", True), ("i2", True), ("i3", True), ("i4", False))]
    _write(tmp_path / "statements_a.jsonl", a)
    _write(tmp_path / "statements_b.jsonl", b)
    table = agreement.statement_agreement(tmp_path, {"i1": "role", "i2": "role", "i3": "group", "i4": "group"})
    assert table["all"]["n"] == 4 and table["all"]["same"] == 0.75 and table["all"]["disagree"] == ["i2"]
    assert table["group"]["same"] == 1.0 and table["role"]["same"] == 0.5
    assert agreement.statement_agreement(tmp_path / "missing", {}) is None
