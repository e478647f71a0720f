"""The stand-off speaker-resolution set: loading one half, and scoring null labels and unfound quotes."""

from __future__ import annotations

import json

import pytest

from stance.extract.evaluate import load_resolution_set, speaker_resolution
from stance.io.formats import TableError
from stance.records import Quote


def _write(folder, items, labels):
    (folder / "items.jsonl").write_text("".join(json.dumps(r) + "\n" for r in items))
    (folder / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in labels))


def _item(item_id, half, kind, source):
    return {"item_id": item_id, "file": "a.txt", "half": half, "kind": kind, "source_start": source,
            "source_end": source + 2, "cue_start": source + 3, "cue_end": source + 7, "content_start": 50,
            "content_end": 60}  # fmt: skip


def _quote(start, speaker):
    return Quote("a", f"q{start}", "x", 50, 60, "direct", speaker_start=start, speaker_end=start + 2, speaker=speaker)


def test_one_half_joined_to_its_labels_and_scored(tmp_path):
    items = [_item("1", "tune", "pronoun", 0), _item("2", "tune", "group", 20), _item("3", "heldout", "role", 30)]
    labels = [{"item_id": "1", "expected": "Jim O'Hart"}, {"item_id": "2", "expected": None}]
    _write(tmp_path, items, labels)
    rows = load_resolution_set(tmp_path, "tune", "labels.jsonl")
    assert [r["item_id"] for r in rows] == ["1", "2"]
    # punctuation ignored: "Jim OHart" is "Jim O'Hart"; a null label is right when no one is named
    result = speaker_resolution(rows, {"a": [_quote(0, "jim ohart"), _quote(20, None)]}, punctuation=True)
    assert result["right"] == 2 and result["by_kind"] == {
        "group": {"total": 1, "right": 1},
        "pronoun": {"total": 1, "right": 1},
    }
    # a name where the article names no one is wrong
    result = speaker_resolution(rows, {"a": [_quote(0, "Jim O'Hart"), _quote(20, "Economists")]}, punctuation=True)
    assert result["right"] == 1 and result["errors"][0]["item_id"] == "2"


def test_unfound_quote_is_wrong_and_counted_apart(tmp_path):
    _write(tmp_path, [_item("1", "tune", "surname", 0)], [{"item_id": "1", "expected": None}])
    rows = load_resolution_set(tmp_path, "tune", "labels.jsonl")
    result = speaker_resolution(rows, {"a": []}, punctuation=True)
    assert result["right"] == 0 and result["unmatched"] == 1


def test_bad_rows_name_file_line_and_field(tmp_path):
    _write(tmp_path, [_item("1", "tune", "nickname", 0)], [])
    with pytest.raises(TableError, match="line 1.*kind"):
        load_resolution_set(tmp_path, "tune", "labels.jsonl")
    _write(tmp_path, [_item("1", "tune", "role", 0)], [{"item_id": "9", "expected": "X"}])
    with pytest.raises(TableError, match="labels.jsonl, line 1.*item_id"):
        load_resolution_set(tmp_path, "tune", "labels.jsonl")


def test_further_item_files_join_the_set_and_an_id_given_twice_is_an_error(tmp_path):
    _write(tmp_path, [_item("1", "tune", "pronoun", 0)], [{"item_id": "2", "expected": "Ann Lee"}])
    extra = tmp_path / "items_tune2.jsonl"
    extra.write_text(json.dumps(_item("2", "tune2", "role", 20)) + "\n")
    rows = load_resolution_set(tmp_path, "tune2", "labels.jsonl")
    assert [(r["item_id"], r["kind"], r["expected"]) for r in rows] == [("2", "role", "Ann Lee")]
    extra.write_text(json.dumps(_item("1", "tune2", "role", 20)) + "\n")
    with pytest.raises(TableError, match="items_tune2.jsonl, line 1.*twice"):
        load_resolution_set(tmp_path, "tune2", "labels.jsonl")


def test_names_compare_without_accents_or_punctuation(tmp_path):
    _write(tmp_path, [_item("1", "tune", "surname", 0)], [{"item_id": "1", "expected": "Fran\u00e7ois Hollande"}])
    rows = load_resolution_set(tmp_path, "tune", "labels.jsonl")
    assert speaker_resolution(rows, {"a": [_quote(0, "Francois Hollande")]}, punctuation=True)["right"] == 1
    assert speaker_resolution(rows, {"a": [_quote(0, "Francois Holland")]}, punctuation=True)["right"] == 0
