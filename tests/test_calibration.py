"""`stance_score` should mean what it says: the expected calibration error must tell when it does not, and the
temperature fitted on dev (`stance.modeling.calibration`) must fix it the same way on every backend."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from stance.config import CONF_DIR
from stance.modeling.calibration import (
    BOUNDS,
    calibrate,
    check_method,
    fit_temperature,
    nll,
    softmax,
    temperature_of,
)
from stance.modeling.checkpoints import MANIFEST
from stance.modeling.metrics import expected_calibration_error
from stance.modeling.predictor import load_local
from stance.workflows.train import run_training

FIXTURES = Path(__file__).parent / "fixtures"


def _probs(top: np.ndarray, n_labels: int = 3) -> np.ndarray:
    """Rows whose first label has probability `top`, the rest shared evenly."""
    rest = (1 - top)[:, None] / (n_labels - 1)
    return np.hstack([top[:, None], np.repeat(rest, n_labels - 1, axis=1)])


def test_a_calibrated_model_scores_near_zero():
    rng = np.random.default_rng(0)
    top = rng.uniform(0.4, 1.0, 20_000)
    y = np.where(rng.uniform(size=top.size) < top, 0, 1)  # right exactly as often as it claims
    assert expected_calibration_error(_probs(top), y) < 0.02


def test_an_overconfident_model_scores_the_gap():
    top = np.full(1000, 0.9)
    y = np.array([0] * 600 + [1] * 400)  # claims 0.9, is right 0.6 of the time
    assert expected_calibration_error(_probs(top), y) == pytest.approx(0.3)


def test_bins_are_weighted_by_their_share_of_quotes():
    top = np.array([0.95] * 900 + [0.55] * 100)
    y = np.array([0] * 900 + [0] * 45 + [1] * 55)  # high bin perfect-ish (gap 0.05), low bin claims 0.55, right 0.45
    expected = 0.9 * 0.05 + 0.1 * 0.10
    assert expected_calibration_error(_probs(top), y) == pytest.approx(expected)


def test_shapes_are_checked():
    with pytest.raises(ValueError, match="shape"):
        expected_calibration_error(np.ones(3), [0, 1, 2])
    assert expected_calibration_error(np.zeros((0, 3)), []) == 0.0


# ---- temperature scaling (stance.modeling.calibration) -------------------------------------------------------
def _sampled(n: int, scale: float, seed: int = 0, n_labels: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn from a true model's softmax(z), and the scores `scale * z` an over- (scale > 1) or
    under-confident (scale < 1) model would give."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 1.5, size=(n, n_labels))
    p = softmax(z)
    y = (rng.uniform(size=(n, 1)) > np.cumsum(p, axis=1)).sum(axis=1)
    return scale * z, y


@pytest.mark.parametrize("scale", [3.0, 0.5])
def test_fitted_temperature_recovers_the_known_one(scale):
    scores, y = _sampled(20_000, scale)
    assert fit_temperature(scores, y) == pytest.approx(scale, rel=0.06)
    assert fit_temperature(scores, y) == fit_temperature(scores, y)  # deterministic


def test_scaling_lowers_ece_and_nll_on_an_overconfident_set_and_keeps_every_label():
    scores, y = _sampled(5000, 3.0, seed=1)
    record = calibrate(scores, y)
    assert record["method"] == "temperature" and record["temperature"] > 2
    assert record["dev_nll_after"] < record["dev_nll_before"] == pytest.approx(nll(scores, y))
    held_out, y_test = _sampled(5000, 3.0, seed=2)  # judged on other rows than it was fitted on
    before = expected_calibration_error(softmax(held_out), y_test)
    after = expected_calibration_error(softmax(held_out, temperature_of(record)), y_test)
    assert before > 0.1 and after < before / 3
    for t in (0.05, 0.7, temperature_of(record), 20.0):
        np.testing.assert_array_equal(softmax(held_out, t).argmax(axis=1), held_out.argmax(axis=1))


def test_a_temperature_past_the_bounds_is_clamped_and_logged(caplog):
    rng = np.random.default_rng(3)
    scores = rng.normal(0, 50, size=(400, 3))  # very confident scores, labels unrelated to them
    y = rng.integers(0, 3, size=400)
    with caplog.at_level("WARNING", logger="stance.modeling.calibration"):
        assert fit_temperature(scores, y) == BOUNDS[1]
    assert "clamped" in caplog.text


def test_a_temperature_that_does_not_lower_dev_nll_is_not_kept():
    scores = np.zeros((50, 4))  # every T gives the same probabilities
    record = calibrate(scores, np.arange(50) % 4)
    assert record["method"] == "none" and temperature_of(record) == 1.0
    assert calibrate(np.ones((3, 2)), [0, 1, 0], "none") == {"method": "none"}


def test_bad_settings_and_records_are_clear_errors():
    with pytest.raises(ValueError, match="train.calibration must be one of"):
        check_method("platt")
    assert check_method(None) == "none" and check_method("Temperature") == "temperature"
    assert temperature_of(None) == 1.0 and temperature_of({}) == 1.0 and temperature_of({"method": "none"}) == 1.0
    for bad in (0, -1.0, float("nan"), "2", True, None):
        with pytest.raises(ValueError, match="m.json: calibration.temperature must be a positive number"):
            temperature_of({"method": "temperature", "temperature": bad}, "m.json")
    with pytest.raises(ValueError, match="calibration.method"):
        temperature_of({"method": "isotonic"})
    with pytest.raises(ValueError, match="zero rows"):
        fit_temperature(np.zeros((0, 3)), [])


def test_log_probabilities_with_a_zero_do_not_break_the_softmax():
    with np.errstate(divide="ignore"):
        scores = np.log(np.array([[0.0, 0.2, 0.8], [1.0, 0.0, 0.0]]))
    out = softmax(scores, 2.0)
    assert np.isfinite(out).all() and out[0, 0] == 0 and out[1, 0] == 1
    np.testing.assert_allclose(out[0, 1:], [1 / 3, 2 / 3])  # sqrt(0.2) : sqrt(0.8)


# ---- in trained models: training, saving, loading, every backend ---------------------------------------------
def _train(tmp: Path, overrides: list[str]) -> dict:
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose("train", overrides=[f"paths.output_dir={tmp}", "data=tiny", "tracking=none", *overrides])
    return run_training(cfg)


def _test_split() -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_json(FIXTURES / "tiny" / "test.jsonl", lines=True)
    labels = ["supportive", "critical", "dismissive", "urging_action", "neutral"]
    return frame, np.array([labels.index(x) for x in frame["label"]])


def _with_temperature(folder: Path, temperature: float | None) -> None:
    manifest = json.loads((folder / MANIFEST).read_text())
    if temperature is None:
        manifest.pop("calibration", None)
    else:
        manifest["calibration"] = {"method": "temperature", "temperature": temperature}
    (folder / MANIFEST).write_text(json.dumps(manifest))


@pytest.fixture(scope="module")
def tiny_transformer(tiny_model_dir, tmp_path_factory) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("calibrated_tiny")
    overrides = ["model=tiny", f"model.pretrained={tiny_model_dir}", "model.pooling=mean", "train=fast"]
    return tmp / "model", _train(tmp, [*overrides, "train.max_steps=6"])


@pytest.fixture(scope="module")
def tfidf(tmp_path_factory) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("calibrated_tfidf")
    return tmp / "model", _train(tmp, ["model=tfidf_logreg"])


@pytest.mark.parametrize("which", ["tiny_transformer", "tfidf"])
def test_training_fits_saves_and_reports_the_temperature(which, request):
    folder, metrics = request.getfixturevalue(which)
    record = json.loads((folder / MANIFEST).read_text())["calibration"]
    model = load_local(folder)
    assert model.calibration == record and model.temperature == metrics["calibration_temperature"]
    assert metrics["dev_nll_before"] == pytest.approx(record["dev_nll_before"])
    if record["method"] == "temperature":
        assert metrics["dev_nll_after"] < metrics["dev_nll_before"] and model.temperature != 1.0
        assert BOUNDS[0] <= model.temperature <= BOUNDS[1]
    # test_ece is the calibrated figure users see, test_ece_uncalibrated the raw model's, from the loaded model
    test, y = _test_split()
    probs = model.predict_proba(test)
    np.testing.assert_allclose(probs, softmax(model.predict_scores(test), model.temperature), atol=1e-6)
    assert metrics["test_ece"] == pytest.approx(expected_calibration_error(probs, y), abs=1e-5)
    raw = softmax(model.predict_scores(test))
    assert metrics["test_ece_uncalibrated"] == pytest.approx(expected_calibration_error(raw, y), abs=1e-5)


@pytest.mark.parametrize("which", ["tiny_transformer", "tfidf"])
def test_a_saved_temperature_is_applied_on_load_and_keeps_every_label(which, request, tmp_path):
    folder = Path(shutil.copytree(request.getfixturevalue(which)[0], tmp_path / "model"))
    test, _ = _test_split()
    _with_temperature(folder, None)  # a model saved before calibration existed: T = 1
    old = load_local(folder)
    assert old.temperature == 1.0
    raw = old.predict_proba(test)
    np.testing.assert_allclose(raw, softmax(old.predict_scores(test)), atol=1e-6)
    _with_temperature(folder, 2.5)
    scaled = load_local(folder).predict_proba(test)  # the manifest is outside the seal: editing it is allowed
    np.testing.assert_allclose(scaled, softmax(np.log(raw), 2.5), atol=1e-5)
    assert not np.allclose(scaled, raw, atol=1e-4)
    np.testing.assert_array_equal(scaled.argmax(axis=1), raw.argmax(axis=1))
    assert (scaled.max(axis=1) <= raw.max(axis=1) + 1e-6).all()  # T > 1 lowers every stance_score


def test_torch_and_onnx_give_the_same_calibrated_probabilities_and_a_new_t_reuses_the_graph(
    tiny_transformer, tmp_path, monkeypatch
):
    pytest.importorskip("onnxruntime")
    from stance.modeling import onnx_backend

    folder = Path(shutil.copytree(tiny_transformer[0], tmp_path / "model"))
    test, _ = _test_split()
    cache = tmp_path / "cache"
    _with_temperature(folder, 1.0)
    plain = load_local(folder, backend="onnx", quantize=False, cache_dir=cache, threads=1).predict_proba(test)
    _with_temperature(folder, 0.4)
    monkeypatch.setattr(onnx_backend, "export_float", lambda *a, **k: pytest.fail("T must not need a new export"))
    onnx = load_local(folder, backend="onnx", quantize=False, cache_dir=cache, threads=1)
    torch = load_local(folder, backend="torch")
    assert onnx.temperature == torch.temperature == 0.4
    np.testing.assert_allclose(
        onnx.predict_proba(test, batch_size=4), torch.predict_proba(test, batch_size=4), atol=1e-5
    )
    np.testing.assert_allclose(onnx.predict_proba(test), softmax(np.log(plain), 0.4), atol=1e-5)
    assert not np.allclose(onnx.predict_proba(test), plain, atol=1e-4)
    np.testing.assert_array_equal(onnx.predict_proba(test).argmax(axis=1), plain.argmax(axis=1))


def test_calibration_none_leaves_the_probabilities_untouched(tfidf, tmp_path):
    metrics = _train(tmp_path, ["model=tfidf_logreg", "train.calibration=none"])
    model = load_local(tmp_path / "model")
    assert json.loads((tmp_path / "model" / MANIFEST).read_text())["calibration"] == {"method": "none"}
    assert model.temperature == 1.0 and metrics["calibration_temperature"] == 1.0
    assert "dev_nll_after" not in metrics and metrics["test_ece"] == metrics["test_ece_uncalibrated"]
    test, _ = _test_split()
    np.testing.assert_array_equal(
        model.predict_proba(test), model.pipeline.predict_proba(model._rows(test)).astype(np.float32)
    )
    # same seed and data: the same classifier as the calibrated fixture, without its temperature
    calibrated = load_local(tfidf[0])
    np.testing.assert_allclose(model.predict_scores(test), calibrated.predict_scores(test))
    assert metrics["test_ece_uncalibrated"] == pytest.approx(tfidf[1]["test_ece_uncalibrated"])


def test_an_unknown_calibration_method_fails_before_training(tmp_path):
    with pytest.raises(ValueError, match="train.calibration must be one of"):
        _train(tmp_path, ["model=tfidf_logreg", "train.calibration=isotonic"])
    assert not (tmp_path / "model").exists()
