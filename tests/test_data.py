"""Labelled data: loading any format, clear errors, custom splits and the two public corpora."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from stance.data import load_dataset
from stance.data.labelled import load_labelled
from stance.data.sources import ibm_claim_stance, perspectrum, table_splits
from stance.io import TableError

LABELS = ["pro", "con", "neutral"]
ROWS = [
    {"id": "a", "text": "We back this plan fully.", "label": "pro"},
    {"id": "b", "text": "Line one\nline two, with a comma", "label": "pro"},  # CSV lines 3-4
    {"id": "c", "text": "Ce projet est une erreur, dit-elle — «inacceptable».", "label": "con"},
    {"id": "d", "text": 'He said "maybe" and left', "label": "neutral"},
]


def write_rows(path: Path, rows: list[dict]) -> Path:
    """Write rows in the format named by the extension, independently of stance.io."""
    suffix = path.suffix
    if suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    elif suffix == ".csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        pd.DataFrame(rows).to_parquet(path, index=False)
    return path


def first_line_of_row(fmt: str, index: int, rows: list[dict]) -> int:
    """1-based line (JSONL, CSV) or row (Parquet) where row `index` starts."""
    if fmt in ("jsonl", "parquet"):
        return index + 1
    return 2 + index + sum(str(r["text"]).count("\n") for r in rows[:index])


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_load_labelled_reads_every_format(tmp_path, fmt):
    path = write_rows(tmp_path / f"train.{fmt}", ROWS)
    frame = load_labelled(path, LABELS)
    assert frame["text"].tolist() == [r["text"] for r in ROWS]
    assert frame["label"].tolist() == [r["label"] for r in ROWS]
    assert frame["id"].tolist() == ["a", "b", "c", "d"]


def test_missing_id_gets_file_and_line_id(tmp_path):
    rows = [{"text": r["text"], "label": r["label"]} for r in ROWS[:2]]
    frame = load_labelled(write_rows(tmp_path / "mine.jsonl", rows), LABELS)
    assert frame["id"].tolist() == ["mine:1", "mine:2"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"label": "positive"}, "label", "unknown label 'positive'"),
        ({"text": ""}, "text", "text is missing or empty"),
        ({"text": "   "}, "text", "text is missing or empty"),
        ({"label": ""}, "label", "label is missing or empty"),
    ],
)
def test_bad_values_name_file_line_and_field(tmp_path, fmt, bad, field, message):
    rows = [dict(r) for r in ROWS]
    rows[3].update(bad)  # after the multi-line row, so CSV line numbers must account for it
    path = write_rows(tmp_path / f"train.{fmt}", rows)
    with pytest.raises(TableError) as err:
        load_labelled(path, LABELS)
    line = first_line_of_row(fmt, 3, rows)
    assert (err.value.path, err.value.line, err.value.field) == (str(path), line, field)
    assert str(err.value).startswith(f"{path}, line {line}, field '{field}': {message}")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_missing_text_column_names_file_and_field(tmp_path, fmt):
    rows = [{"quote": r["text"], "label": r["label"]} for r in ROWS]
    path = write_rows(tmp_path / f"train.{fmt}", rows)
    with pytest.raises(TableError, match=r"field 'text': missing required column") as err:
        load_labelled(path, LABELS)
    assert err.value.path == str(path) and err.value.field == "text"
    assert "quote" in str(err.value)  # the columns that were found


def test_target_text_mode_needs_a_target(tmp_path):
    path = write_rows(
        tmp_path / "t.jsonl", [{**r, "target": "the plan"} for r in ROWS[:2]] + [dict(ROWS[2], target="")]
    )
    with pytest.raises(TableError) as err:
        load_labelled(path, LABELS, input_mode="target_text")
    assert (err.value.line, err.value.field) == (3, "target")
    with pytest.raises(TableError, match="field 'target'"):
        load_labelled(write_rows(tmp_path / "u.jsonl", ROWS), LABELS, input_mode="target_text")


@pytest.mark.parametrize(
    ("name", "content", "pattern"),
    [
        ("empty.jsonl", b"", r"empty\.jsonl: file is empty"),
        ("empty.csv", b"", r"empty\.csv: file is empty"),
        ("header_only.csv", b"text,label\n", r"header_only\.csv: file has no rows"),
        ("latin1.csv", b"text,label\ncaf\xe9,pro\n", r"latin1\.csv, line 2: not UTF-8"),
        (
            "latin1.jsonl",
            b'{"text": "ok", "label": "pro"}\n{"text": "caf\xe9", "label": "pro"}\n',
            r"latin1\.jsonl, line 2: not UTF-8",
        ),
        (
            "broken.jsonl",
            b'{"text": "ok", "label": "pro"}\n{"text": "no end", "label": \n',
            r"broken\.jsonl, line 2: invalid JSON",
        ),
        ("corrupt.parquet", b"PAR1garbagegarbage", r"corrupt\.parquet: unreadable Parquet file"),
        ("train.xlsx", b"whatever", r"train\.xlsx: unsupported extension '\.xlsx'"),
        ("train.tsv", b"text\tlabel\n", r"train\.tsv: unsupported extension"),
    ],
)
def test_unreadable_files_give_clear_errors(tmp_path, name, content, pattern):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TableError, match=pattern) as err:
        load_labelled(path, LABELS)
    assert err.value.path == str(path)


def test_empty_parquet_file_has_no_rows(tmp_path):
    path = tmp_path / "empty.parquet"
    pd.DataFrame({"text": pd.Series([], dtype=str), "label": pd.Series([], dtype=str)}).to_parquet(path)
    with pytest.raises(TableError, match=r"empty\.parquet: file has no rows"):
        load_labelled(path, LABELS)


# ---- custom splits ------------------------------------------------------------------------------


def _corpus(tmp_path: Path, n_per_label: dict[str, int], fmt: str = "csv", extra: dict | None = None) -> Path:
    rows = []
    for label, n in n_per_label.items():
        for i in range(n):
            rows.append({"id": f"{label}-{i}", "text": f"sentence {i} about {label}", "label": label, **(extra or {})})
    return write_rows(tmp_path / f"all.{fmt}", rows)


def test_missing_dev_and_test_are_carved_out_stratified_and_reproducibly(tmp_path):
    counts = {"pro": 120, "con": 60, "neutral": 20}
    path = _corpus(tmp_path, counts)
    first = table_splits(LABELS, "text", str(path))
    second = table_splits(LABELS, "text", str(path))
    for name in ("train", "dev", "test"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))

    ids = {name: getattr(first, name)["id"].tolist() for name in ("train", "dev", "test")}
    all_ids = [i for part in ids.values() for i in part]
    assert len(all_ids) == len(set(all_ids)) == sum(counts.values())  # nothing lost, nothing twice
    assert len(ids["test"]) == 20 and len(ids["dev"]) == 20 and len(ids["train"]) == 160
    for name in ("dev", "test"):
        got = Counter(getattr(first, name)["label"])
        for label, n in counts.items():
            assert abs(got[label] - n * 0.1) <= 1, (name, label, got)

    other_seed = table_splits(LABELS, "text", str(path), split_seed=99)
    assert set(other_seed.test["id"]) != set(first.test["id"])


def test_given_dev_file_is_used_and_only_test_is_carved(tmp_path):
    path = _corpus(tmp_path, {"pro": 30, "con": 30})
    dev = write_rows(tmp_path / "dev.jsonl", ROWS[:3])
    splits = table_splits(LABELS, "text", str(path), dev_path=str(dev), test_fraction=0.2)
    assert splits.dev["id"].tolist() == ["a", "b", "c"]
    assert len(splits.test) == 12 and len(splits.train) == 48
    assert Counter(splits.test["label"]) == {"pro": 6, "con": 6}


def test_split_column_is_honoured(tmp_path):
    rows = []
    for i in range(30):
        split = "DEV" if i % 10 == 1 else ("test" if i % 10 == 2 else "train")
        rows.append({"id": f"r{i}", "text": f"text {i}", "label": LABELS[i % 3], "split": split})
    path = write_rows(tmp_path / "with_split.jsonl", rows)
    splits = table_splits(LABELS, "text", str(path))
    assert splits.dev["id"].tolist() == [r["id"] for r in rows if r["split"] == "DEV"]
    assert splits.test["id"].tolist() == [r["id"] for r in rows if r["split"] == "test"]
    assert splits.train["id"].tolist() == [r["id"] for r in rows if r["split"] == "train"]


def test_split_column_with_only_dev_rows_carves_test_from_train(tmp_path):
    rows = [
        {"id": f"r{i}", "text": f"text {i}", "label": LABELS[i % 2], "split": "dev" if i < 4 else "train"}
        for i in range(44)
    ]
    splits = table_splits(LABELS, "text", str(write_rows(tmp_path / "s.parquet", rows)), test_fraction=0.1)
    assert splits.dev["id"].tolist() == ["r0", "r1", "r2", "r3"]
    assert len(splits.test) == 4 and len(splits.train) == 36
    assert not set(splits.test["id"]) & set(splits.dev["id"])


def test_split_column_and_a_dev_file_for_the_same_split_is_an_error(tmp_path):
    rows = [
        {"id": f"r{i}", "text": f"text {i}", "label": "pro", "split": "validation" if i < 2 else ""} for i in range(10)
    ]
    path = write_rows(tmp_path / "s.jsonl", rows)
    assert table_splits(LABELS, "text", str(path)).dev["id"].tolist() == ["r0", "r1"]  # validation = dev
    dev = write_rows(tmp_path / "dev.jsonl", ROWS[:1])
    with pytest.raises(TableError, match=r"s\.jsonl: has rows with split=dev and data\.dev_path is set too"):
        table_splits(LABELS, "text", str(path), dev_path=str(dev))


def test_unknown_split_value_names_file_line_and_field(tmp_path):
    rows = [{"text": "a", "label": "pro", "split": "train"}, {"text": "b", "label": "pro", "split": "holdout"}]
    with pytest.raises(TableError, match=r"s\.csv, line 3, field 'split': unknown split 'holdout'"):
        table_splits(LABELS, "text", str(write_rows(tmp_path / "s.csv", rows)))


def test_custom_data_config_reaches_the_loader(compose_cfg, tmp_path):
    path = _corpus(tmp_path, {"pro": 20, "con": 20, "neutral": 20}, fmt="jsonl")
    cfg = compose_cfg(
        "train",
        [
            "data=custom",
            f"data.train_path={path}",
            "data.labels=[pro,con,neutral]",
            "tracking=none",
            "model=tfidf_logreg",
        ],
    )
    splits = load_dataset(cfg, cache=tmp_path / "cache")
    assert splits.num_rows == {"train": 48, "dev": 6, "test": 6}


def test_custom_data_with_a_bad_label_fails_at_load(compose_cfg, tmp_path):
    path = write_rows(tmp_path / "bad.csv", ROWS)
    cfg = compose_cfg("train", ["data=custom", f"data.train_path={path}", "data.labels=[pro,con]", "tracking=none"])
    with pytest.raises(TableError, match=r"bad\.csv, line 6, field 'label': unknown label 'neutral'"):
        load_dataset(cfg, cache=tmp_path / "cache")


# ---- public corpora on ../shared/data -----------------------------------------------------------

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PERSPECTRUM = SHARED / "perspectrum" / "perspectrum_stance_pairs.tsv"
IBM = SHARED / "ibm-claim-stance" / "claim_stance_simple.tsv"
TWO = ["supportive", "critical"]


@pytest.mark.skipif(not PERSPECTRUM.is_file(), reason="PERSPECTRUM not in ../shared/data")
def test_perspectrum_split_sizes_and_dedup():
    label_map = {"SUPPORT": "supportive", "UNDERMINE": "critical"}
    splits = perspectrum(TWO, "target_text", str(PERSPECTRUM), label_map)
    assert splits.sizes() == {"train": 6978, "dev": 2071, "test": 1204, "test_all": 2773}

    raw = pd.read_csv(PERSPECTRUM, sep="\t", dtype=str, keep_default_na=False, quoting=3)
    raw_test = raw[(raw["split"] == "test") & raw["stance_label_3"].isin(label_map)]
    clusters = raw_test["claim_id"] + ":" + raw_test["cluster_index"]
    assert len(splits.test) == clusters.nunique()  # one row per cluster
    test_ids, all_ids = set(splits.test["id"]), set(splits.extra_eval["test_all"]["id"])
    assert len(test_ids) == len(splits.test) and test_ids <= all_ids
    kept_clusters = raw_test.set_index(raw_test["claim_id"] + ":" + raw_test["perspective_id"]).loc[list(test_ids)]
    assert (kept_clusters["claim_id"] + ":" + kept_clusters["cluster_index"]).nunique() == len(test_ids)
    assert set(splits.train["label"]) == set(TWO)
    assert (splits.train["target"].str.len() > 0).all()


@pytest.mark.skipif(not IBM.is_file(), reason="IBM claim stance not in ../shared/data")
def test_ibm_claim_stance_topics_are_disjoint_and_dev_is_whole_train_topics():
    label_map = {"PRO": "supportive", "CON": "critical"}
    splits = ibm_claim_stance(TWO, "target_text", str(IBM), label_map, dev_topics=4)
    train_topics, dev_topics, test_topics = (set(getattr(splits, n)["target"]) for n in ("train", "dev", "test"))
    assert len(dev_topics) == 4
    assert not dev_topics & train_topics
    assert not test_topics & (train_topics | dev_topics)

    raw = pd.read_csv(IBM, sep="\t", dtype=str, keep_default_na=False, quoting=3)
    raw = raw[raw["stance"].isin(label_map)]
    raw_train = raw[raw["split"] == "train"]
    # whole topics: every labelled train row of a dev topic is in dev
    assert len(splits.dev) == raw_train["topic"].isin(dev_topics).sum()
    assert len(splits.train) + len(splits.dev) == len(raw_train)
    assert len(splits.test) == (raw["split"] == "test").sum()
    again = ibm_claim_stance(TWO, "target_text", str(IBM), label_map, dev_topics=4)
    assert set(again.dev["target"]) == dev_topics
