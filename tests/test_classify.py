"""run_classify: every format in and out, every input field kept, per-label probabilities, bad rows,
interruption and chunked streaming; for a local transformer folder, the TF-IDF baseline and a
registered `models:/name@champion`."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf

from stance.config import CONF_DIR
from stance.io import TableError
from stance.modeling.predictor import load_local
from stance.workflows import classify as classify_module
from stance.workflows.classify import run_classify
from stance.workflows.train import run_training

FORMATS = ["jsonl", "csv", "parquet"]
INPUT = [
    {"id": "q1", "text": "We must act now to protect the river.", "speaker": "Ana López", "n": 1},
    {"id": "q2", "text": "«C'est une catastrophe», a-t-elle dit — 完全に間違っている.", "speaker": "Zoë", "n": 2},
    {
        "id": "q3",
        "text": 'He called it "a total disaster", then left.\nSecond line, with a comma.',
        "speaker": "Bob",
        "n": 3,
    },
    {"id": "q4", "text": "Nonsense.", "speaker": "", "n": 4},
    {"id": "q5", "text": "The committee meets on Tuesday.", "speaker": "Ève", "n": 5},
]


def _train(tmp: Path, overrides: list[str]) -> Path:
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose("train", overrides=[f"paths.output_dir={tmp}", *overrides])
    run_training(cfg)
    return tmp / "model"


@pytest.fixture(scope="module")
def transformer_dir(tiny_model_dir, tmp_path_factory) -> Path:
    """A tiny transformer trained for two steps by run_training, saved as a local model folder."""
    return _train(
        tmp_path_factory.mktemp("transformer"),
        ["data=tiny", "model=tiny", f"model.pretrained={tiny_model_dir}", "train=fast", "tracking=none"],
    )


@pytest.fixture(scope="module")
def tfidf_dir(tmp_path_factory) -> Path:
    return _train(tmp_path_factory.mktemp("tfidf"), ["data=tiny", "model=tfidf_logreg", "tracking=none"])


def write_input(path: Path, rows: list[dict]) -> Path:
    """Write the input without stance.io, so the reader under test sees ordinary files."""
    frame = pd.DataFrame(rows)
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    elif path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def read_output(path: Path) -> pd.DataFrame:
    """Read a result file without stance.io."""
    if path.suffix == ".jsonl":
        return pd.DataFrame([json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()])
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.read_parquet(path)


def classify_cfg(input_path: Path, output_path: Path, model: str | Path, **extra) -> DictConfig:
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(
            "classify",
            overrides=[
                f"input={input_path}",
                f"output={output_path}",
                f"model_uri={model}",
                "progress=false",
                f"tracking.uri=sqlite:///{output_path.parent}/mlflow.db",
                f"paths.output_dir={output_path.parent}",
            ],
        )
    for key, value in extra.items():
        OmegaConf.update(cfg, key, value, merge=False)
    return cfg


def no_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp") or ".rejects" in p.name)


def check_predictions(out: pd.DataFrame, labels: list[str], expected_probs: np.ndarray) -> None:
    prob_cols = [f"prob_{x}" for x in labels]
    assert list(out.columns[-len(labels) - 2 :]) == ["stance", "stance_score", *prob_cols]
    probs = out[prob_cols].astype(float).to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert out["stance"].tolist() == [labels[i] for i in probs.argmax(axis=1)]
    np.testing.assert_allclose(out["stance_score"].astype(float), probs.max(axis=1), atol=1e-6)
    np.testing.assert_allclose(probs, expected_probs, atol=1e-5)


@functools.lru_cache(maxsize=8)
def _direct_probs(model_dir: Path, texts: tuple[str, ...]) -> np.ndarray:
    predictor = load_local(model_dir)
    return np.vstack([predictor.predict_proba(pd.DataFrame({"text": [t]}), batch_size=1) for t in texts])


def direct_probs(model_dir: Path, texts: list[str]) -> np.ndarray:
    """Probabilities from the model itself, one text at a time (no chunking, no batching effects)."""
    return _direct_probs(model_dir, tuple(texts))


@pytest.mark.parametrize("out_fmt", FORMATS)
@pytest.mark.parametrize("in_fmt", FORMATS)
def test_round_trip_keeps_every_field_and_adds_probabilities(transformer_dir, tmp_path, in_fmt, out_fmt):
    source = write_input(tmp_path / f"quotes.{in_fmt}", INPUT)
    target = tmp_path / f"result.{out_fmt}"
    summary = run_classify(classify_cfg(source, target, transformer_dir, chunk_size=2))
    assert summary["rows"] == len(INPUT) and summary["rejected"] == 0 and summary["rejects_file"] is None

    out = read_output(target)
    labels = json.loads((transformer_dir / "stance_model.json").read_text())["labels"]
    assert list(out.columns) == ["id", "text", "speaker", "n", "stance", "stance_score"] + [f"prob_{x}" for x in labels]
    for column in ("id", "text", "speaker", "n"):
        assert [str(v) for v in out[column]] == [str(r[column]) for r in INPUT], column
    if "csv" not in (in_fmt, out_fmt):
        assert out["n"].tolist() == [1, 2, 3, 4, 5]  # numbers stay numbers
    check_predictions(out, labels, direct_probs(transformer_dir, [r["text"] for r in INPUT]))
    assert no_leftovers(tmp_path) == []


def test_tfidf_baseline_classifies(tfidf_dir, tmp_path):
    source = write_input(tmp_path / "quotes.csv", INPUT)
    target = tmp_path / "result.jsonl"
    run_classify(classify_cfg(source, target, tfidf_dir))
    out = read_output(target)
    labels = json.loads((tfidf_dir / "stance_model.json").read_text())["labels"]
    assert json.loads((tfidf_dir / "stance_model.json").read_text())["kind"] == "tfidf_logreg"
    assert out["speaker"].tolist() == [r["speaker"] for r in INPUT]
    check_predictions(out, labels, direct_probs(tfidf_dir, [r["text"] for r in INPUT]))


def test_registered_champion_model_classifies(transformer_dir, tmp_path):
    import mlflow

    from stance.modeling.predictor import predict_frame
    from stance.modeling.pyfunc import StanceModel
    from stance.tracking import mlflow_run

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    experiment = mlflow_run.configure(uri, "classify-test", str(tmp_path / "art"))
    example = pd.DataFrame({"text": ["We must act now.", "Nonsense."]})
    with mlflow.start_run(experiment_id=experiment):
        result = mlflow_run.log_and_register(
            StanceModel(),
            transformer_dir,
            example,
            predict_frame(load_local(transformer_dir), example),
            "classify-test-model",
            "champion",
            0.5,
            metric="best_eval_macro_f1",
        )
    assert result["alias"] == "champion"

    source = write_input(tmp_path / "quotes.parquet", INPUT)
    target = tmp_path / "result.csv"
    cfg = classify_cfg(source, target, "models:/classify-test-model@champion")
    OmegaConf.update(cfg, "tracking.uri", uri)
    summary = run_classify(cfg)
    out = read_output(target)
    assert summary["rows"] == len(INPUT) and out["id"].tolist() == [r["id"] for r in INPUT]
    labels = json.loads((transformer_dir / "stance_model.json").read_text())["labels"]
    check_predictions(out, labels, direct_probs(transformer_dir, [r["text"] for r in INPUT]))

    # a name that is not registered fails clearly and writes nothing
    missing = tmp_path / "missing.csv"
    cfg = classify_cfg(source, missing, "models:/no-such-model@champion")
    OmegaConf.update(cfg, "tracking.uri", uri)
    with pytest.raises(ValueError, match="cannot load model 'models:/no-such-model@champion'"):
        run_classify(cfg)
    assert not missing.exists()


BAD_ROWS = [
    {"id": "g1", "text": "A good quote about the budget.", "speaker": "A"},
    {"id": "b1", "text": "", "speaker": "B"},
    {"id": "g2", "text": "Another good one.", "speaker": "C"},
    {"id": "b2", "speaker": "D"},  # no text at all (JSONL only: absent key)
    {"id": "b3", "text": "   ", "speaker": "E"},
    {"id": "g3", "text": "Last good quote.", "speaker": "F"},
]


@pytest.mark.parametrize(("in_fmt", "out_fmt"), [("jsonl", "parquet"), ("csv", "jsonl"), ("parquet", "csv")])
def test_bad_row_fails_with_file_line_and_field_and_writes_nothing(tfidf_dir, tmp_path, in_fmt, out_fmt):
    source = write_input(tmp_path / f"quotes.{in_fmt}", BAD_ROWS)
    target = tmp_path / f"result.{out_fmt}"
    with pytest.raises(TableError) as err:
        run_classify(classify_cfg(source, target, tfidf_dir, chunk_size=1))
    assert (err.value.path, err.value.line, err.value.field) == (str(source), 2 + (in_fmt == "csv"), "text")
    assert str(err.value).startswith(f"{source}, line {2 + (in_fmt == 'csv')}, field 'text'")
    assert not target.exists()
    assert no_leftovers(tmp_path) == []


def test_missing_text_key_is_a_bad_row_too(tfidf_dir, tmp_path):
    rows = [BAD_ROWS[0], BAD_ROWS[3], BAD_ROWS[2]]
    source = write_input(tmp_path / "quotes.jsonl", rows)
    with pytest.raises(TableError, match=r"quotes\.jsonl, line 2, field 'text': missing or empty"):
        run_classify(classify_cfg(source, tmp_path / "out.jsonl", tfidf_dir))
    no_text = write_input(tmp_path / "no_text.jsonl", [{"id": "x", "quote": "hello"}])
    with pytest.raises(TableError, match=r"no_text\.jsonl, line 1, field 'text'"):
        run_classify(classify_cfg(no_text, tmp_path / "out.jsonl", tfidf_dir))
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("out_fmt", FORMATS)
@pytest.mark.parametrize("chunk_size", [2, 100])
def test_skip_writes_rejects_with_reason_and_line(tfidf_dir, tmp_path, out_fmt, chunk_size):
    # with chunk_size=2 the first chunk holds only bad rows: the output must still be right
    rows = [BAD_ROWS[1], BAD_ROWS[3], *BAD_ROWS]
    source = write_input(tmp_path / "quotes.jsonl", rows)
    target = tmp_path / f"result.{out_fmt}"
    summary = run_classify(classify_cfg(source, target, tfidf_dir, on_error="skip", chunk_size=chunk_size))
    good = [r for r in rows if str(r.get("text", "")).strip()]
    assert summary["rows"] == len(good) == 3 and summary["rejected"] == 5
    out = read_output(target)
    assert out["id"].tolist() == [r["id"] for r in good]
    rejects_path = Path(str(target) + ".rejects.jsonl")
    assert summary["rejects_file"] == str(rejects_path)
    rejects = [json.loads(x) for x in rejects_path.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rejects] == [1, 2, 4, 6, 7]
    assert all(r["source"] == str(source) and "field 'text'" in r["reason"] for r in rejects)
    assert [r["row"]["id"] for r in rejects] == ["b1", "b2", "b1", "b2", "b3"]
    assert [p for p in no_leftovers(tmp_path) if p.endswith(".tmp")] == []


def test_interrupted_classify_leaves_no_output_and_no_temp_file(tfidf_dir, tmp_path, monkeypatch):
    rows = [BAD_ROWS[1]] + [{"id": f"q{i}", "text": f"quote number {i}"} for i in range(10)]
    source = write_input(tmp_path / "quotes.jsonl", rows)
    calls = []
    real = classify_module.predict_frame

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(classify_module, "predict_frame", flaky)
    for out_fmt in FORMATS:
        calls.clear()
        target = tmp_path / f"result.{out_fmt}"
        with pytest.raises(KeyboardInterrupt):
            run_classify(classify_cfg(source, target, tfidf_dir, chunk_size=3, on_error="skip"))
        assert len(calls) == 2
        assert not target.exists()
        assert no_leftovers(tmp_path) == []  # no temp file and no half rejects file


def test_previous_output_survives_an_interrupted_run(tfidf_dir, tmp_path, monkeypatch):
    source = write_input(tmp_path / "quotes.jsonl", INPUT)
    target = tmp_path / "result.parquet"
    run_classify(classify_cfg(source, target, tfidf_dir))
    before = target.read_bytes()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(classify_module, "predict_frame", boom)
    with pytest.raises(KeyboardInterrupt):
        run_classify(classify_cfg(source, target, tfidf_dir))
    assert target.read_bytes() == before and no_leftovers(tmp_path) == []


@pytest.mark.parametrize("out_fmt", ["parquet"])
def test_chunked_output_equals_single_chunk_output(transformer_dir, tmp_path, out_fmt):
    rows = [{"id": f"r{i}", "text": INPUT[i % len(INPUT)]["text"] + f" ({i})", "k": i} for i in range(23)]
    source = write_input(tmp_path / "many.jsonl", rows)
    small, whole = tmp_path / f"small.{out_fmt}", tmp_path / f"whole.{out_fmt}"
    run_classify(classify_cfg(source, small, transformer_dir, chunk_size=4, batch_size=3))
    run_classify(classify_cfg(source, whole, transformer_dir, chunk_size=1000))
    a, b = read_output(small), read_output(whole)
    assert len(a) == len(rows) and list(a.columns) == list(b.columns)
    prob_cols = [c for c in a.columns if c.startswith("prob_")]
    pd.testing.assert_frame_equal(
        a.drop(columns=prob_cols + ["stance_score"]), b.drop(columns=prob_cols + ["stance_score"])
    )
    np.testing.assert_allclose(a[prob_cols].astype(float), b[prob_cols].astype(float), atol=1e-5)


def test_output_must_differ_from_input_and_on_error_is_checked(tfidf_dir, tmp_path):
    source = write_input(tmp_path / "quotes.jsonl", INPUT)
    with pytest.raises(ValueError, match="output must differ from input"):
        run_classify(classify_cfg(source, source, tfidf_dir))
    with pytest.raises(ValueError, match="on_error must be 'raise' or 'skip'"):
        run_classify(classify_cfg(source, tmp_path / "o.jsonl", tfidf_dir, on_error="ignore"))
    assert source.read_text(encoding="utf-8").count("\n") == len(INPUT)


# hardening (issue 13): late fields, non-string text, BOM/CRLF, malformed lines in skip mode, stale rejects, CSV safety


@pytest.mark.parametrize("out_fmt", ["csv", "parquet"])
def test_field_first_seen_after_the_first_chunk_reaches_the_output(tfidf_dir, tmp_path, out_fmt):
    rows = [{"id": f"q{i}", "text": f"quote number {i}"} for i in range(5)]
    rows[3]["late"] = "only here"
    rows[4]["note"] = None
    source = write_input(tmp_path / "quotes.jsonl", rows)
    target = tmp_path / f"result.{out_fmt}"
    run_classify(classify_cfg(source, target, tfidf_dir, chunk_size=2))
    out = read_output(target)
    assert list(out.columns[:2]) == ["id", "text"] and list(out.columns[-2:]) == ["late", "note"]
    late = [None if v is None or v != v or v == "" else v for v in out["late"]]
    assert late == [None, None, None, "only here", None]
    assert out["id"].tolist() == [r["id"] for r in rows]


NON_STRING_TEXT = [
    {"id": "g1", "text": "A good quote."},
    {"id": "i", "text": 5},
    {"id": "l", "text": [1, 2]},
    {"id": "d", "text": {"a": 1}},
    {"id": "b", "text": True},
    {"id": "f", "text": 2.5},
    {"id": "g2", "text": "Another good quote."},
]


def test_non_string_text_fails_with_its_type(tfidf_dir, tmp_path):
    source = write_input(tmp_path / "quotes.jsonl", NON_STRING_TEXT)
    with pytest.raises(TableError) as err:
        run_classify(classify_cfg(source, tmp_path / "out.jsonl", tfidf_dir))
    assert str(err.value) == f"{source}, line 2, field 'text': expected a string, got int"
    assert (err.value.line, err.value.field) == (2, "text")
    assert not (tmp_path / "out.jsonl").exists()


def test_non_string_text_is_rejected_in_skip_mode(tfidf_dir, tmp_path):
    source = write_input(tmp_path / "quotes.jsonl", NON_STRING_TEXT)
    target = tmp_path / "out.csv"
    summary = run_classify(classify_cfg(source, target, tfidf_dir, on_error="skip", chunk_size=3))
    assert read_output(target)["id"].tolist() == ["g1", "g2"] and summary["rejected"] == 5
    rejects = [json.loads(x) for x in Path(summary["rejects_file"]).read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["reason"]) for r in rejects] == [
        (2, "field 'text': expected a string, got int"),
        (3, "field 'text': expected a string, got list"),
        (4, "field 'text': expected a string, got dict"),
        (5, "field 'text': expected a string, got bool"),
        (6, "field 'text': expected a string, got float"),
    ]


def test_parquet_numbers_and_bytes_as_text(tfidf_dir, tmp_path):
    numbers = tmp_path / "numbers.parquet"
    pd.DataFrame({"id": ["a"], "text": [7]}).to_parquet(numbers)
    with pytest.raises(TableError, match=r"line 1, field 'text': expected a string, got int"):
        run_classify(classify_cfg(numbers, tmp_path / "n.jsonl", tfidf_dir))
    binary = tmp_path / "binary.parquet"
    texts = [b"Good quote about the river.", b"caf\xe9 latin-1", "Zoë said so.".encode()]
    pd.DataFrame({"id": ["a", "b", "c"], "text": texts}).to_parquet(binary)
    target = tmp_path / "b.jsonl"
    summary = run_classify(classify_cfg(binary, target, tfidf_dir, on_error="skip"))
    out = read_output(target)
    assert out["id"].tolist() == ["a", "c"] and out["text"].tolist() == ["Good quote about the river.", "Zoë said so."]
    labels = json.loads((tfidf_dir / "stance_model.json").read_text())["labels"]
    check_predictions(out, labels, direct_probs(tfidf_dir, out["text"].tolist()))
    rejects = [json.loads(x) for x in Path(summary["rejects_file"]).read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["reason"].split(" (")[0]) for r in rejects] == [(2, "field 'text': bytes that are not UTF-8")]
    with pytest.raises(TableError, match=r"binary\.parquet, line 2, field 'text': bytes that are not UTF-8"):
        run_classify(classify_cfg(binary, tmp_path / "c.jsonl", tfidf_dir))


def test_excel_csv_with_bom_and_crlf_classifies(tfidf_dir, tmp_path):
    source = tmp_path / "excel.csv"
    source.write_bytes('text,id\r\nWe must act now.,q1\r\n"Nonsense, he said.",q2\r\n'.encode("utf-8-sig"))
    target = tmp_path / "out.jsonl"
    summary = run_classify(classify_cfg(source, target, tfidf_dir))
    assert summary["rows"] == 2 and read_output(target)["id"].tolist() == ["q1", "q2"]


def test_skip_mode_goes_past_malformed_jsonl_lines(tfidf_dir, tmp_path):
    source = tmp_path / "quotes.jsonl"
    source.write_bytes(
        b'{"id": "g1", "text": "A good quote."}\n'
        b'{"id": "b1", "text": \n'
        b'"just a string"\n'
        b'{"id": "b3", "text": "caf\xe9"}\n'
        b'{"id": "g2", "text": "Another good quote."}\n'
    )
    target = tmp_path / "out.parquet"
    summary = run_classify(classify_cfg(source, target, tfidf_dir, on_error="skip", chunk_size=2))
    assert read_output(target)["id"].tolist() == ["g1", "g2"] and summary["rows"] == 2 and summary["rejected"] == 3
    rejects = [json.loads(x) for x in Path(summary["rejects_file"]).read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rejects] == [2, 3, 4]
    assert "invalid JSON" in rejects[0]["reason"] and "expected a JSON object, got str" in rejects[1]["reason"]
    assert "not UTF-8" in rejects[2]["reason"] and all(r["source"] == str(source) for r in rejects)
    with pytest.raises(TableError, match=r"quotes\.jsonl, line 2: invalid JSON"):
        run_classify(classify_cfg(source, tmp_path / "raise.jsonl", tfidf_dir))


def test_clean_rerun_removes_the_previous_runs_rejects(tfidf_dir, tmp_path):
    source = write_input(tmp_path / "quotes.jsonl", BAD_ROWS)
    target = tmp_path / "out.jsonl"
    summary = run_classify(classify_cfg(source, target, tfidf_dir, on_error="skip"))
    rejects = Path(summary["rejects_file"])
    assert rejects.exists()
    fixed = write_input(tmp_path / "quotes.jsonl", [r for r in BAD_ROWS if str(r.get("text", "")).strip()])
    summary = run_classify(classify_cfg(fixed, target, tfidf_dir, on_error="skip"))
    assert summary["rejected"] == 0 and summary["rejects_file"] is None and not rejects.exists()


@pytest.mark.parametrize("csv_safe", [True, False])
def test_csv_output_neutralises_formulas_unless_switched_off(tfidf_dir, tmp_path, csv_safe):
    rows = [{"id": "q1", "text": '=HYPERLINK("http://x")'}, {"id": "q2", "text": "-not a formula, a dash"}]
    source = write_input(tmp_path / "quotes.jsonl", rows)
    target = tmp_path / "out.csv"
    run_classify(classify_cfg(source, target, tfidf_dir, csv_safe=csv_safe))
    prefix = "'" if csv_safe else ""
    assert read_output(target)["text"].tolist() == [prefix + r["text"] for r in rows]
