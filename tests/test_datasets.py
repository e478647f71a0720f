"""`stance.data.load_dataset` (a `datasets.DatasetDict` from a config name, a config or a file) and the
cached, batched tokenisation the transformer trains from."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pandas as pd
import pytest

from stance.data import as_frame, load_dataset
from stance.io import TableError
from stance.modeling.inputs import input_pairs, tokenize_dataset, tokenizer_signature

FIXTURES = Path(__file__).parent / "fixtures" / "tiny"
TINY_LABELS = ["supportive", "critical", "dismissive", "urging_action", "neutral"]


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf_cache"))


def fixture_rows(split: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / f"{split}.jsonl").read_text().splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def tokenizer(tiny_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


# ---- loading ------------------------------------------------------------------------------------


def test_tiny_config_loads_as_a_dataset_dict_with_class_labels(tmp_path):
    data = load_dataset("tiny")
    assert isinstance(data, datasets.DatasetDict)
    assert list(data) == ["train", "dev", "test"]
    for split in data:
        rows = fixture_rows(split)
        part = data[split]
        assert part.features["label"].names == TINY_LABELS
        assert part["text"] == [r["text"] for r in rows]
        assert [TINY_LABELS[i] for i in part["label"]] == [r["label"] for r in rows]
        assert as_frame(part)["label"].tolist() == [r["label"] for r in rows]
    assert data["train"].cache_files and str(tmp_path / "hf_cache") in data["train"].cache_files[0]["filename"]


def test_a_file_without_split_column_is_one_train_split_with_labels_found_in_it(tmp_path):
    rows = [{"text": f"quote {i}", "label": ["pro", "con", "meh"][i % 3]} for i in range(7)]
    data = load_dataset(write_jsonl(tmp_path / "mine.jsonl", rows))
    assert list(data) == ["train"]
    assert data["train"].features["label"].names == ["con", "meh", "pro"]  # sorted, so the order is stable
    assert as_frame(data["train"])["label"].tolist() == [r["label"] for r in rows]
    assert data["train"]["id"] == [f"mine:{i}" for i in range(1, 8)]

    given = load_dataset(tmp_path / "mine.jsonl", labels=["pro", "con", "meh"])
    assert given["train"].features["label"].names == ["pro", "con", "meh"]
    assert given["train"]["label"] == [i % 3 for i in range(7)]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_file_with_split_target_and_context_keeps_them(tmp_path, fmt):
    splits = ["train", "DEV", "test", "validation", "", "train"]
    rows = [
        {
            "id": f"r{i}",
            "text": f"quote {i}",
            "label": "pro" if i % 2 else "con",
            "target": f"speaker {i}",
            "context": f"paragraph {i}",
            "split": split,
        }
        for i, split in enumerate(splits)
    ]
    path = tmp_path / f"mine.{fmt}"
    frame = pd.DataFrame(rows)
    {"jsonl": lambda: write_jsonl(path, rows), "csv": lambda: frame.to_csv(path, index=False)}.get(
        fmt, lambda: frame.to_parquet(path, index=False)
    )()
    data = load_dataset(path, labels=["pro", "con"], input_mode="target_text")
    assert {name: part["id"] for name, part in data.items()} == {
        "train": ["r0", "r4", "r5"],
        "dev": ["r1", "r3"],
        "test": ["r2"],
    }
    assert set(data["train"].column_names) == {"text", "label", "id", "target", "context"}
    assert data["dev"]["target"] == ["speaker 1", "speaker 3"]
    assert data["test"]["context"] == ["paragraph 2"]


def test_file_errors_keep_file_line_and_field(tmp_path):
    rows = [{"text": "fine", "label": "pro"}, {"text": "odd", "label": "maybe"}]
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    with pytest.raises(TableError, match=r"bad\.jsonl, line 2, field 'label': unknown label 'maybe'"):
        load_dataset(path, labels=["pro", "con"])
    split = write_jsonl(tmp_path / "split.jsonl", [{"text": "a", "label": "pro", "split": "holdout"}])
    with pytest.raises(TableError, match=r"split\.jsonl, line 1, field 'split': unknown split 'holdout'"):
        load_dataset(split)
    with pytest.raises(TableError, match=r"missing\.csv: file not found"):
        load_dataset(tmp_path / "missing.csv")


def test_config_name_with_overrides_equals_the_composed_config(compose_cfg, tmp_path):
    rows = [{"id": f"r{i}", "text": f"quote {i}", "label": ["pro", "con"][i % 2]} for i in range(40)]
    path = write_jsonl(tmp_path / "all.jsonl", rows)
    overrides = [f"data.train_path={path}", "data.labels=[pro,con]"]
    by_name = load_dataset("custom", overrides=overrides)
    by_cfg = load_dataset(compose_cfg("train", ["data=custom", *overrides]))
    assert by_name.num_rows == by_cfg.num_rows == {"train": 32, "dev": 4, "test": 4}
    for split in by_name:
        assert by_name[split]["id"] == by_cfg[split]["id"]
        assert by_name[split].features["label"].names == ["pro", "con"]
    with pytest.raises(ValueError, match=r"unknown data config 'nope'.*news_quotes"):
        load_dataset("nope")


def test_max_train_subsamples_with_label_proportions():
    data = load_dataset("tiny", overrides=["data.max_train=20"])
    assert data.num_rows == {"train": 20, "dev": 10, "test": 10}
    full = pd.Series([r["label"] for r in fixture_rows("train")]).value_counts()
    assert as_frame(data["train"])["label"].value_counts().to_dict() == (full // 2).to_dict()


def test_the_arrow_copy_is_reused_for_the_same_content_and_rewritten_for_new_content(tmp_path):
    rows = [{"text": f"quote {i}", "label": "pro"} for i in range(3)]
    path = write_jsonl(tmp_path / "mine.jsonl", rows)
    first, again = load_dataset(path)["train"], load_dataset(path)["train"]
    assert first.cache_files == again.cache_files and first._fingerprint == again._fingerprint
    write_jsonl(path, [*rows, {"text": "one more", "label": "pro"}])
    changed = load_dataset(path)["train"]
    assert changed.num_rows == 4 and changed.cache_files != first.cache_files


# ---- tokenisation -------------------------------------------------------------------------------


def test_tokenised_rows_equal_direct_tokenisation_and_labels_follow_the_model_order(tokenizer):
    train = load_dataset("tiny")["train"]
    out = tokenize_dataset(train, tokenizer, 16, "text", TINY_LABELS)
    assert set(out.column_names) >= {"input_ids", "attention_mask", "labels"}
    direct = tokenizer(list(train["text"]), truncation=True, max_length=16)
    assert out["input_ids"] == direct["input_ids"]
    assert out["labels"] == train["label"]
    reordered = list(reversed(TINY_LABELS))
    swapped = tokenize_dataset(train, tokenizer, 16, "text", reordered)
    assert [reordered[i] for i in swapped["labels"]] == as_frame(train)["label"].tolist()


def test_tokenisation_is_cached_and_invalidated_by_max_length_and_input_mode(tokenizer, monkeypatch):
    import stance.modeling.inputs as inputs

    train = load_dataset("tiny")["train"]
    first = tokenize_dataset(train, tokenizer, 32, "text", TINY_LABELS)
    assert first.cache_files and first.cache_files[0]["filename"].endswith(f"cache-{first._fingerprint}.arrow")

    def must_not_run(*args, **kwargs):
        raise AssertionError("tokenised again although the cache is valid")

    monkeypatch.setattr(inputs, "_encode_batch", must_not_run)
    tokenizer("warm the truncation state", truncation=True, max_length=7)  # must not change the cache key
    again = tokenize_dataset(train, tokenizer, 32, "text", TINY_LABELS)
    assert again._fingerprint == first._fingerprint and again.cache_files == first.cache_files
    assert again["input_ids"] == first["input_ids"]
    with pytest.raises(AssertionError, match="tokenised again"):
        tokenize_dataset(train, tokenizer, 8, "text", TINY_LABELS)
    with pytest.raises(AssertionError, match="tokenised again"):
        tokenize_dataset(train, tokenizer, 32, "text_context", TINY_LABELS)

    monkeypatch.undo()
    short = tokenize_dataset(load_dataset("tiny")["train"], tokenizer, 8, "text", TINY_LABELS)
    assert short._fingerprint != first._fingerprint and short.cache_files != first.cache_files
    assert max(len(ids) for ids in short["input_ids"]) == 8 < max(len(ids) for ids in first["input_ids"])


def test_tokenizer_signature_follows_the_vocabulary_not_the_call_state(tokenizer, tiny_model_dir):
    from tokenizers import normalizers
    from transformers import AutoTokenizer

    before = tokenizer_signature(tokenizer)
    tokenizer(["a", "b c"], truncation=True, max_length=5, padding=True)
    assert tokenizer_signature(tokenizer) == before
    other = AutoTokenizer.from_pretrained(tiny_model_dir)
    other.backend_tokenizer.normalizer = normalizers.BertNormalizer(lowercase=False)
    assert tokenizer_signature(other) != before


def test_input_pairs_read_frames_and_batches_alike():
    frame = pd.DataFrame({"text": ["a", "b"], "target": ["X", None], "context": ["c1", "c2"]})
    batch = {"text": ["a", "b"], "target": ["X", None], "context": ["c1", "c2"]}
    for mode in ("text", "target_text", "text_context"):
        assert input_pairs(frame, mode) == input_pairs(batch, mode)
    assert input_pairs(batch, "target_text") == (["X", ""], ["a", "b"])
    assert input_pairs({"text": ["a"]}, "text_context") == (["a"], [""])


def test_labels_for_a_config_must_come_from_the_config():
    with pytest.raises(ValueError, match="data.labels"):
        load_dataset("tiny", labels=["a", "b"])


def test_the_transformer_also_tokenises_a_plain_frame(tokenizer):
    from stance.modeling.transformer import TransformerClassifier

    model = TransformerClassifier("unused", max_length=16, labels=["pro", "con"])
    model.tokenizer = tokenizer
    frame = pd.DataFrame(
        {"text": ["we back it", "a bad plan", "fine"], "label": ["pro", "con", "pro"]}, index=[5, 7, 9]
    )
    out = model.tokenized(frame, ["pro", "con"])
    assert out["labels"] == [0, 1, 0]
    assert out["input_ids"] == tokenizer(frame["text"].tolist(), truncation=True, max_length=16)["input_ids"]
