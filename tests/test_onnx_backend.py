"""The ONNX Runtime backend (export, int8, cache), `classify.backend=auto` and the int8 check at training,
on the tiny model built in conftest."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from safetensors.torch import load_file, save_file

from stance.config import CONF_DIR, INT8_SCHEME_NAMES, ConfigError, validate_config
from stance.modeling import backends, onnx_backend
from stance.modeling.checkpoints import MANIFEST, seal
from stance.modeling.metrics import classification_metrics, label_ids
from stance.modeling.onnx_backend import FLOAT_FILE, INT8_FILE, MIXED_FILE, OnnxClassifier, OnnxUnavailable
from stance.modeling.predictor import load_local
from stance.modeling.transformer import TransformerClassifier
from stance.workflows.classify import run_classify
from stance.workflows.train import run_training

pytest.importorskip("onnxruntime")

TEXTS = [
    "We must act now to protect the river.",
    "Nonsense.",
    "He called it a total disaster, then left the room without another word to anyone present.",
    "The committee meets on Tuesday.",
    "«C'est une catastrophe», a-t-elle dit — 完全に間違っている.",
    "This plan is good for workers and good for the town, and we support it fully.",
    "No.",
] * 5
FRAME = pd.DataFrame({"text": TEXTS})


def _train(tmp: Path, overrides: list[str]) -> dict:
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose("train", overrides=[f"paths.output_dir={tmp}", *overrides])
    return run_training(cfg)


@pytest.fixture(scope="module")
def trained(tiny_model_dir, tmp_path_factory) -> tuple[Path, dict, Path]:
    """A tiny mean-pooled transformer trained for two steps with the int8 check on: (model folder, metrics, cache)."""
    tmp = tmp_path_factory.mktemp("onnx_trained")
    cache = tmp / "cache"
    metrics = _train(
        tmp,
        [
            "data=tiny",
            "model=tiny",
            f"model.pretrained={tiny_model_dir}",
            "model.pooling=mean",
            "train=fast",
            "train.onnx_check=true",
            f"train.onnx_cache_dir={cache}",
            "tracking=none",
        ],
    )
    return tmp / "model", metrics, cache


@pytest.fixture
def model_dir(trained, tmp_path) -> Path:
    """A private copy of the trained folder, so a test may change it."""
    return Path(shutil.copytree(trained[0], tmp_path / "model"))


def _cache_folders(cache: Path) -> list[Path]:
    return sorted(p for p in cache.iterdir() if p.is_dir() and not p.name.startswith("."))


def test_training_records_the_int8_check_and_fills_the_cache(trained):
    folder, metrics, cache = trained
    record = json.loads((folder / MANIFEST).read_text())["checks"]["onnx_int8"]
    assert record["test_macro_f1"] == pytest.approx(metrics["test_macro_f1_onnx_int8"])
    assert record["float_test_macro_f1"] == pytest.approx(metrics["test_macro_f1"], abs=1e-6)
    assert record["passed"] == (abs(record["test_macro_f1"] - record["float_test_macro_f1"]) <= 0.01)
    assert record["test_rows"] > 0 and metrics["onnx_int8_check_s"] > 0
    assert record["export_format"] == onnx_backend.EXPORT_FORMAT
    # the graphs stance-classify will use are already there, keyed by the sealed folder
    (built,) = _cache_folders(cache)
    assert all((built / f).is_file() for f in (FLOAT_FILE, INT8_FILE, MIXED_FILE))
    assert record["scheme"] in record["schemes"] and record["schemes"]["full"]  # "full" is always tried first
    # recording the check did not break the folder's seal
    assert isinstance(load_local(folder), TransformerClassifier)


def test_int8_weights_are_quantised_per_output_channel(trained):
    """Per-tensor 8-bit weights cost mpnet 0.03-0.11 test macro-F1 on AVX2; the graph must carry one scale per
    output channel (QUANTIZE_OPTIONS), not one per weight matrix."""
    import onnx
    from onnx import numpy_helper

    (built,) = _cache_folders(trained[2])
    graph = onnx.load(str(built / INT8_FILE)).graph
    init = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    assert [n for n in graph.node if n.op_type in ("MatMulInteger", "DynamicQuantizeMatMul")], "nothing quantised"
    scales = [init[name] for name in init if name.endswith("_scale") and init[name].size > 1]
    assert scales, "every weight scale is a single number: per-tensor quantisation"
    assert all(np.all(s > 0) for s in scales)


def _quantised_nodes(path: Path) -> tuple[set[str], set[str]]:
    """(names of the float MatMul nodes, names of the int8 matrix products) of a graph."""
    import onnx

    nodes = onnx.load(str(path)).graph.node
    floats = {n.name for n in nodes if n.op_type == "MatMul"}
    ints = {n.name for n in nodes if n.op_type in ("MatMulInteger", "DynamicQuantizeMatMul")}
    return floats, ints


def test_mixed_graph_keeps_only_the_feed_forward_outputs_in_float(trained):
    (built,) = _cache_folders(trained[2])
    ffn_out = set(onnx_backend.float_nodes(built / FLOAT_FILE, onnx_backend.INT8_SCHEMES["mixed"][1]))
    layers = json.loads((trained[0] / "config.json").read_text())["num_hidden_layers"]
    assert len(ffn_out) == layers  # one feed-forward output per layer, nothing else (not the attention output)
    full_float, full_int = _quantised_nodes(built / INT8_FILE)
    mixed_float, mixed_int = _quantised_nodes(built / MIXED_FILE)
    assert ffn_out <= mixed_float and not ffn_out & full_float
    assert len(mixed_int) == len(full_int) - layers > 0


def test_check_falls_back_to_the_mixed_graph_and_auto_loads_it(model_dir, tmp_path, monkeypatch):
    """The ladder: a "full" graph that loses the float F1 (as per-tensor int8 did on mpnet) is recorded as failed,
    the "mixed" graph is tried next, and `auto` loads the one that passed. The graphs' outputs are stand-ins here
    (the tiny model's int8 error is not what is tested): "full" shifts every row to another label, "mixed" returns
    the float model's probabilities."""
    classifier = load_local(model_dir)
    float_probs = classifier.predict_proba(FRAME)
    labels = list(classifier.labels)
    test = FRAME.assign(label=[labels[i] for i in float_probs.argmax(1)])  # the float model is right on every row
    float_f1 = classification_metrics(label_ids(test["label"], labels), float_probs.argmax(1), labels)["macro_f1"]

    def predict(self, frame, batch_size=64):
        return np.roll(float_probs, 1, axis=1) if self.scheme == "full" else float_probs

    monkeypatch.setattr(OnnxClassifier, "predict_proba", predict)
    record = backends.check_int8(model_dir, classifier, test, float_f1, tmp_path / "cache")
    assert record["schemes"]["full"]["delta"] < -0.01  # the shifted graph failed ...
    assert record["passed"] and record["scheme"] == "mixed"  # ... and the mixed one kept the float F1
    assert record["schemes"]["mixed"]["delta"] == 0.0
    auto = load_local(model_dir, backend="auto", cache_dir=tmp_path / "cache", threads=1)
    assert auto.backend == "onnx-int8-mixed" and auto.graph.name == MIXED_FILE


def test_int8_scheme_reads_the_check_of_this_quantiser():
    fmt = onnx_backend.EXPORT_FORMAT
    assert backends.int8_scheme({"checks": {"onnx_int8": {"passed": True, "export_format": 2}}}) == "full"
    mixed = {"checks": {"onnx_int8": {"passed": True, "export_format": fmt, "scheme": "mixed"}}}
    assert backends.int8_scheme(mixed) == "mixed"
    unknown = {"checks": {"onnx_int8": {"passed": True, "export_format": fmt, "scheme": "int4"}}}
    assert backends.int8_scheme(unknown) is None and backends.choose("auto", True, unknown) == "torch"
    failed = {"checks": {"onnx_int8": {"passed": False, "export_format": fmt, "scheme": "mixed"}}}
    assert backends.int8_scheme(failed) is None


def test_export_is_cached_and_reused(model_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = load_local(model_dir, backend="onnx", cache_dir=cache, threads=1)
    assert isinstance(first, OnnxClassifier) and first.backend == "onnx-int8"
    (built,) = _cache_folders(cache)
    assert {FLOAT_FILE, INT8_FILE, "cache.json"} <= {p.name for p in built.iterdir()}

    def no_export(*args, **kwargs):
        raise AssertionError("exported again although the cache was valid")

    monkeypatch.setattr(onnx_backend, "export_float", no_export)
    monkeypatch.setattr(TransformerClassifier, "load", no_export)  # a cache hit does not even load torch weights
    again = load_local(model_dir, backend="onnx", cache_dir=cache, threads=1)
    np.testing.assert_array_equal(again.predict_proba(FRAME), first.predict_proba(FRAME))


def test_onnx_predictions_match_torch(model_dir, tmp_path):
    torch_probs = load_local(model_dir, backend="torch").predict_proba(FRAME, batch_size=4)
    fp32 = load_local(model_dir, backend="onnx", quantize=False, cache_dir=tmp_path / "c", threads=1)
    int8 = load_local(model_dir, backend="onnx", quantize=True, cache_dir=tmp_path / "c", threads=1)
    assert fp32.backend == "onnx-fp32" and int8.backend == "onnx-int8"
    np.testing.assert_allclose(fp32.predict_proba(FRAME, batch_size=4), torch_probs, atol=1e-5)
    int8_probs = int8.predict_proba(FRAME, batch_size=4)
    assert int8_probs.shape == torch_probs.shape
    np.testing.assert_allclose(int8_probs.sum(axis=1), 1.0, atol=1e-5)
    assert np.abs(int8_probs - torch_probs).max() < 0.05
    assert not np.allclose(int8_probs, torch_probs, atol=1e-7)  # it really is the quantised graph


def test_batching_does_not_change_predictions(model_dir, tmp_path):
    """Sorted, padded batches give every row the probabilities it gets alone, in the input's order."""
    predictor = load_local(model_dir, backend="onnx", quantize=False, cache_dir=tmp_path / "c", threads=1)
    batched = predictor.predict_proba(FRAME, batch_size=3)
    alone = np.vstack([predictor.predict_proba(FRAME.iloc[[i]]) for i in range(7)])
    np.testing.assert_allclose(batched[:7], alone, atol=1e-5)
    np.testing.assert_allclose(batched[7:14], alone, atol=1e-5)


def test_changed_model_gets_a_new_cache_and_a_corrupted_cache_is_rebuilt(model_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    before = load_local(model_dir, backend="onnx", quantize=False, cache_dir=cache, threads=1)
    (first,) = _cache_folders(cache)

    head = model_dir / "mean_pool_head.safetensors"  # a new version of the model: other head weights, resealed
    weights = load_file(str(head))
    save_file({k: v * 3 for k, v in weights.items()}, str(head))
    seal(model_dir)
    changed = load_local(model_dir, backend="onnx", quantize=False, cache_dir=cache, threads=1)
    assert len(_cache_folders(cache)) == 2
    assert not np.allclose(changed.predict_proba(FRAME), before.predict_proba(FRAME), atol=1e-4)

    second = next(p for p in _cache_folders(cache) if p != first)
    (second / INT8_FILE).write_bytes(b"not a graph")
    exports = []
    real = onnx_backend.export_float
    monkeypatch.setattr(onnx_backend, "export_float", lambda *a, **k: exports.append(1) or real(*a, **k))
    rebuilt = load_local(model_dir, backend="onnx", cache_dir=cache, threads=1)
    assert exports == [1] and rebuilt.predict_proba(FRAME).shape == (len(FRAME), 5)
    assert len(_cache_folders(cache)) == 2 and not [p for p in cache.iterdir() if p.name.startswith(".")]


def test_auto_picks_int8_only_for_a_model_that_passed_its_check(monkeypatch):
    passed = {"checks": {"onnx_int8": {"passed": True, "export_format": onnx_backend.EXPORT_FORMAT}}}
    failed = {"checks": {"onnx_int8": {"passed": False, "delta": -0.03, "export_format": onnx_backend.EXPORT_FORMAT}}}
    # passed, but on the graph an earlier quantiser made (no format recorded = format 1): not this graph's check
    older = {"checks": {"onnx_int8": {"passed": True}}}
    assert backends.choose("auto", True, passed) == "onnx"
    assert backends.choose("auto", True, failed) == "torch"
    assert backends.choose("auto", True, older) == "torch"
    assert backends.choose("auto", True, {}) == "torch"  # trained before the check existed
    assert backends.choose("auto", False, passed) == "torch"
    assert backends.choose("torch", True, passed) == "torch"
    assert backends.choose("onnx", True, {}) == "onnx"
    with pytest.raises(ValueError, match="classify.backend must be one of"):
        backends.choose("tensorrt", True, {})
    monkeypatch.setattr(onnx_backend, "available", lambda: False)
    assert backends.choose("auto", True, passed) == "torch"


def test_auto_loads_each_backend_from_the_manifest(trained, model_dir, tmp_path):
    record = json.loads((trained[0] / MANIFEST).read_text())["checks"]["onnx_int8"]
    passed = record["passed"]
    int8 = "onnx-int8" if record["scheme"] == "full" else "onnx-int8-mixed"
    auto = load_local(model_dir, backend="auto", cache_dir=tmp_path / "c", threads=1)
    assert auto.backend == (int8 if passed else "torch")
    manifest = json.loads((model_dir / MANIFEST).read_text())
    manifest["checks"]["onnx_int8"]["passed"] = not passed
    (model_dir / MANIFEST).write_text(json.dumps(manifest))
    flipped = load_local(model_dir, backend="auto", cache_dir=tmp_path / "c", threads=1)
    assert flipped.backend == ("torch" if passed else int8)


def test_missing_onnxruntime_is_a_clear_error(model_dir, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    with pytest.raises(OnnxUnavailable, match="pip install onnxruntime"):
        load_local(model_dir, backend="onnx", cache_dir=tmp_path / "c")
    assert not (tmp_path / "c").exists() or not _cache_folders(tmp_path / "c")
    passed = {"checks": {"onnx_int8": {"passed": True, "export_format": onnx_backend.EXPORT_FORMAT}}}
    assert backends.choose("auto", True, passed) == "torch"


def test_failed_export_is_a_clear_error_and_leaves_no_cache(model_dir, tmp_path, monkeypatch):
    import torch

    def broken(*args, **kwargs):
        raise RuntimeError("unsupported operator aten::frobnicate")

    monkeypatch.setattr(torch.onnx, "export", broken)
    cache = tmp_path / "cache"
    with pytest.raises(OnnxUnavailable, match="exporting the model to ONNX failed: .*frobnicate"):
        load_local(model_dir, backend="onnx", cache_dir=cache)
    assert list(cache.iterdir()) == []


def test_check_records_a_failed_export_without_failing(model_dir, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OnnxUnavailable("exporting the model to ONNX failed: boom")

    monkeypatch.setattr(onnx_backend, "export_float", broken)
    classifier = load_local(model_dir)
    test = pd.DataFrame({"text": TEXTS[:5], "label": ["supportive", "critical", "neutral", "neutral", "critical"]})
    record = backends.check_int8(model_dir, classifier, test, 0.5, tmp_path / "cache")
    assert record["passed"] is False and "boom" in record["error"]
    assert json.loads((model_dir / MANIFEST).read_text())["checks"]["onnx_int8"]["passed"] is False
    assert load_local(model_dir, backend="auto").backend == "torch"


def test_stance_classify_runs_on_onnx(model_dir, tmp_path):
    source = tmp_path / "quotes.jsonl"
    source.write_text("".join(json.dumps({"id": f"q{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS)))
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(
            "classify",
            overrides=[
                f"input={source}",
                f"model_uri={model_dir}",
                "tracking=none",
                "progress=false",
                "classify.backend=onnx",
                "classify.threads=1",
                f"classify.cache_dir={tmp_path / 'cache'}",
                f"output={tmp_path / 'out.jsonl'}",
            ],
        )
    validate_config(cfg)
    summary = run_classify(cfg)
    assert summary["backend"] == "onnx-int8" and summary["rows"] == len(TEXTS)
    out = pd.read_json(tmp_path / "out.jsonl", lines=True)
    assert out["id"].tolist() == [f"q{i}" for i in range(len(TEXTS))]
    expected = load_local(model_dir).predict_proba(FRAME)
    probs = out[[c for c in out.columns if c.startswith("prob_")]].to_numpy()
    assert np.abs(probs - expected).max() < 0.05


def test_classify_settings_are_validated():
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose("classify", overrides=["input=a", "output=b", "+classify.bakend=onnx"])
    with pytest.raises(ConfigError, match="did you mean 'classify.backend'"):
        validate_config(cfg)
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose("classify", overrides=["input=a", "output=b", "classify.int8_scheme=int4"])
    with pytest.raises(ConfigError, match="'classify.int8_scheme': 'int4' is not an int8 graph"):
        validate_config(cfg)
    assert set(INT8_SCHEME_NAMES) == set(onnx_backend.INT8_SCHEMES)


def test_int8_scheme_setting_picks_the_graph(model_dir, tmp_path):
    mixed = load_local(model_dir, backend="onnx", scheme="mixed", cache_dir=tmp_path / "c", threads=1)
    full = load_local(model_dir, backend="onnx", scheme="full", cache_dir=tmp_path / "c", threads=1)
    assert (mixed.backend, full.backend) == ("onnx-int8-mixed", "onnx-int8")
    assert np.abs(mixed.predict_proba(FRAME) - full.predict_proba(FRAME)).max() < 0.2  # two graphs of one model
