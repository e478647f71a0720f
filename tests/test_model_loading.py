"""Loading models from a store: no pickle logged or read, nothing written to the store, tampering detected,
pickle-only checkpoints refused unless allowed."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hydra import compose, initialize_config_dir
from omegaconf import open_dict

from stance.config import CONF_DIR
from stance.modeling.checkpoints import CheckpointError
from stance.modeling.predictor import load_local, load_predictor
from stance.workflows.classify import run_classify
from stance.workflows.train import run_training

PICKLE_SUFFIXES = {".pkl", ".pickle", ".joblib", ".bin", ".pt", ".pth", ".ckpt"}
FRAME = pd.DataFrame({"text": ["We must act now.", "Nonsense, that is a lie.", "The vote is on Monday."]})


def _train(store: Path, name: str, overrides: list[str]) -> Path:
    """Train into the shared store, register as `name`@champion; returns the local saved folder."""
    out = store / f"out-{name}"
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(
            "train",
            overrides=[
                *overrides,
                f"tracking.uri=sqlite:///{store}/mlflow.db",
                f"tracking.artifact_dir={store}/mlartifacts",
                "tracking.log_model=true",
                f"tracking.registered_model={name}",
            ],
        )
    with open_dict(cfg):
        cfg.paths.output_dir = str(out)
    run_training(cfg)
    return out / "model"


@pytest.fixture(scope="module")
def store(tiny_model_dir, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("store")
    tiny = ["data=tiny", "model=tiny", f"model.pretrained={tiny_model_dir}", "train=fast"]
    saved = {
        "tiny-load": _train(folder, "tiny-load", tiny),
        "tfidf-load": _train(folder, "tfidf-load", ["data=tiny", "model=tfidf_logreg", "model.c_grid=[1.0]"]),
    }
    return {"folder": folder, "uri": f"sqlite:///{folder}/mlflow.db", "saved": saved}


def snapshot(folder: Path) -> dict[str, tuple[int, str, int]]:
    """(size, sha256, mtime_ns) of every file under `folder`, the SQLite database included."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        stat = path.stat()
        out[str(path.relative_to(folder))] = (
            stat.st_size,
            hashlib.sha256(path.read_bytes()).hexdigest(),
            stat.st_mtime_ns,
        )
    return out


@pytest.mark.parametrize("name", ["tiny-load", "tfidf-load"])
def test_logged_model_has_no_pickle_and_is_logged_as_code(store, name):
    artifacts = store["folder"] / "mlartifacts"
    files = [p for p in artifacts.rglob("*") if p.is_file()]
    assert files and not [p for p in files if p.suffix in PICKLE_SUFFIXES]
    mlmodels = [p for p in artifacts.rglob("MLmodel") if (p.parent / "artifacts" / "model").is_dir()]
    assert mlmodels
    for mlmodel in mlmodels:
        pyfunc = yaml.safe_load(mlmodel.read_text())["flavors"]["python_function"]
        assert pyfunc["model_code_path"].endswith("pyfunc.py") and "python_model" not in pyfunc
    saved = store["saved"][name]
    assert not [p for p in saved.rglob("*") if p.suffix in PICKLE_SUFFIXES]
    manifest = json.loads((saved / "stance_model.json").read_text())
    assert set(manifest["files"]) == {p.relative_to(saved).as_posix() for p in saved.rglob("*") if p.is_file()} - {
        "stance_model.json"
    }


def test_tfidf_model_is_json_and_npz_loadable_without_pickle(store):
    saved = store["saved"]["tfidf-load"]
    assert {p.name for p in saved.iterdir()} == {"stance_model.json", "tfidf_vocabulary.json", "tfidf_arrays.npz"}
    with np.load(saved / "tfidf_arrays.npz", allow_pickle=False) as arrays:  # raises if anything is pickled
        assert arrays["coef"].shape[0] == len(json.loads((saved / "stance_model.json").read_text())["labels"])


@pytest.mark.parametrize("name", ["tiny-load", "tfidf-load"])
def test_registered_model_round_trips_through_load_predictor(store, name):
    local = load_local(store["saved"][name]).predict_proba(FRAME)
    for uri in (f"models:/{name}@champion", f"models:/{name}/1"):
        predictor = load_predictor(uri, store["uri"])
        np.testing.assert_allclose(predictor.predict_proba(FRAME), local, atol=1e-6)


def test_loading_and_classifying_write_nothing_to_the_store(store, tmp_path):
    before = snapshot(store["folder"])
    for name in ("tiny-load", "tfidf-load"):
        load_predictor(f"models:/{name}@champion", store["uri"])
    source = tmp_path / "quotes.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(FRAME["text"])))
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(
            "classify",
            overrides=[
                f"input={source}",
                f"output={tmp_path / 'out.jsonl'}",
                "model_uri=models:/tiny-load@champion",
                f"tracking.uri={store['uri']}",
                "progress=false",
                f"paths.output_dir={tmp_path}",
            ],
        )
    assert run_classify(cfg)["rows"] == 3
    assert snapshot(store["folder"]) == before
    assert not list(store["folder"].rglob("registered_model_meta"))


def test_classify_from_a_missing_store_fails_and_creates_none(tmp_path):
    uri = f"sqlite:///{tmp_path}/nothing/mlflow.db"
    with pytest.raises(ValueError, match="no MLflow store at"):
        load_predictor("models:/tiny-load@champion", uri)
    assert not (tmp_path / "nothing").exists()


def test_a_changed_weight_file_fails_at_load_naming_it(store, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(store["saved"]["tiny-load"], copy)
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # one flipped bit in the last tensor
    weights.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"model\.safetensors: sha256 .* does not match"):
        load_local(copy)


def test_a_changed_model_in_the_artifact_store_fails_at_load(store):
    """Someone rewrites the registered model's files and its manifest to match: the registry's tag disagrees."""
    manifests = [p for p in (store["folder"] / "mlartifacts").rglob("stance_model.json") if p.parent.name == "model"]
    manifests = [p for p in manifests if json.loads(p.read_text())["kind"] == "tfidf_logreg"]
    assert len(manifests) == 1
    manifest_path = manifests[0]
    original = manifest_path.read_bytes()
    try:
        manifest = json.loads(original)
        manifest["labels"] = list(reversed(manifest["labels"]))  # a silent label swap
        manifest_path.write_text(json.dumps(manifest, indent=2))
        with pytest.raises(CheckpointError, match="recorded in the model registry"):
            load_predictor("models:/tfidf-load@champion", store["uri"])
    finally:
        manifest_path.write_bytes(original)
    load_predictor("models:/tfidf-load@champion", store["uri"])


def test_tampered_base_checkpoint_fails_before_training(tiny_model_dir, tmp_path):
    from stance.modeling.transformer import TransformerClassifier

    base = tmp_path / "base"
    shutil.copytree(tiny_model_dir, base)
    pinned = hashlib.sha256((base / "model.safetensors").read_bytes()).hexdigest()
    with (base / "model.safetensors").open("ab") as fh:
        fh.write(b"\0")
    model = TransformerClassifier(str(base), sha256=pinned)
    with pytest.raises(CheckpointError, match="does not match the pinned"):
        model._load_pretrained(["a", "b"])


@pytest.fixture
def pickle_only_dir(tiny_model_dir, tmp_path) -> Path:
    """The tiny classifier with its weights as pytorch_model.bin only (the pickle-based format)."""
    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "bin_only"
    shutil.copytree(tiny_model_dir, folder)
    torch.save(load_file(str(folder / "model.safetensors")), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    return folder


def test_pytorch_model_bin_only_is_refused_at_load_unless_allowed(pickle_only_dir, caplog):
    with pytest.raises(CheckpointError, match=r"pytorch_model\.bin \(pickle-based.*allow_pickle_weights=true"):
        load_local(pickle_only_dir)
    with pytest.raises(CheckpointError, match="pickle-based"):
        load_predictor(str(pickle_only_dir))
    with caplog.at_level(logging.WARNING, logger="stance.modeling.checkpoints"):
        predictor = load_predictor(str(pickle_only_dir), allow_pickle_weights=True)
    assert "pickle-based weights" in caplog.text
    assert predictor.predict_proba(FRAME).shape == (3, 2)


def test_pytorch_model_bin_only_base_is_refused_for_training_unless_allowed(pickle_only_dir):
    from stance.modeling.transformer import TransformerClassifier

    with pytest.raises(CheckpointError, match="pickle-based"):
        TransformerClassifier(str(pickle_only_dir))._load_pretrained(["a", "b"])
    allowed = TransformerClassifier(str(pickle_only_dir), allow_pickle_weights=True)
    allowed._load_pretrained(["a", "b"])
    assert allowed.model is not None
