"""`run_soft_labels(cfg)`: a trained teacher's probabilities over the gold train quotes and the unlabelled pool,
written as a stand-off soft-label file (stance.data.soft_labels) that `stance-train distill=teacher` reads.

Only the train split and the pool are scored; dev and test quotes (and every pool quote of a dev or test
article) are left out, so a student trained on the file never learns from an article it is evaluated on.
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig, ListConfig

from stance.config import inference_settings, validate_config
from stance.data import as_frame, load_dataset
from stance.data.soft_labels import SETS, HeldOut, pool_inputs, write_soft_labels
from stance.modeling.predictor import Predictor, load_predictor, pin_version

log = logging.getLogger(__name__)

INPUT_COLUMNS = ("id", "text", "target", "context")
CHUNK = 2048  # rows scored between two progress lines
_RUN_URI = re.compile(r"^runs:/(?P<run>[0-9a-f]{32})(?:/|$)")


def teacher_info(model_uri: str, tracking_uri: str | None) -> dict[str, Any]:
    """Where the teacher came from: its URI, MLflow run id and registry version when known, and the sha256 of its
    manifest (which lists the sha256 of every model file), so a soft-label file names the exact weights."""
    from stance.modeling.checkpoints import MANIFEST
    from stance.tracking.mlflow_run import manifest_digest

    info: dict[str, Any] = {"uri": model_uri, "run_id": None, "version": None, "manifest_sha256": None}
    path = Path(model_uri)
    if path.exists():
        info["manifest_sha256"] = manifest_digest(
            path / "artifacts" / "model" if (path / "MLmodel").is_file() else path
        )
        return info
    import mlflow

    try:
        pinned, version, digest = pin_version(model_uri, tracking_uri)
        info.update(uri_pinned=pinned, version=version, manifest_sha256=digest)
        match = _RUN_URI.match(model_uri)
        if match:
            info["run_id"] = match.group("run")
            with tempfile.TemporaryDirectory(prefix="stance-teacher-") as tmp:
                manifest = f"{model_uri.rstrip('/')}/artifacts/model/{MANIFEST}"
                local = mlflow.artifacts.download_artifacts(
                    artifact_uri=manifest, dst_path=tmp, tracking_uri=tracking_uri
                )
                info["manifest_sha256"] = manifest_digest(Path(local).parent)
        elif version is not None:
            name = pinned[len("models:/") :].rsplit("/", 1)[0]
            client = mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
            info["run_id"] = client.get_model_version(name, version).run_id
    except Exception as err:  # provenance is recorded where it can be found; the probabilities do not depend on it
        log.warning("teacher %s: run id / digest not found (%s)", model_uri, err)
    return info


def score(teacher: Predictor, frame: pd.DataFrame, batch_size: int, what: str) -> np.ndarray:
    """Teacher probabilities in `frame`'s order, in chunks with a progress line each."""
    parts = []
    start = time.time()
    for begin in range(0, len(frame), CHUNK):
        parts.append(teacher.predict_proba(frame.iloc[begin : begin + CHUNK], batch_size=batch_size))
        done = min(begin + CHUNK, len(frame))
        log.info("%s: %d/%d quotes scored (%.0f s)", what, done, len(frame), time.time() - start)
    return np.concatenate(parts) if parts else np.zeros((0, len(teacher.labels)), dtype=np.float32)


def _to_device(teacher: Predictor, device: str) -> None:
    """A torch teacher on `device` (`auto`: the GPU when there is one); ONNX and TF-IDF teachers stay as they are."""
    model = getattr(teacher, "model", None)
    if model is None or not hasattr(model, "to") or device == "cpu":
        return
    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device)
    log.info("teacher on %s", device)


def _portable(path: str, root: str) -> str:
    """`path` relative to the checkout when it lies inside it: the file ships, and must not name this machine."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path


def _ordered(probs: np.ndarray, teacher_labels: list[str], labels: list[str], uri: str) -> np.ndarray:
    """The teacher's columns in the data config's label order; a different label set is an error."""
    if sorted(teacher_labels) != sorted(labels):
        raise ValueError(f"teacher {uri} predicts labels {teacher_labels}, the data config has {labels}")
    return probs[:, [teacher_labels.index(x) for x in labels]]


def teacher_uris(value: Any) -> list[str]:
    """`teacher=<uri>` or `teacher=[<uri>,<uri>,...]` (an ensemble) as a list of distinct URIs."""
    uris = [str(x) for x in value] if isinstance(value, (list, tuple, ListConfig)) else [str(value)]
    if not uris or any(not u.strip() for u in uris):
        raise ValueError(f"teacher must name a model or a list of models, got {value!r}")
    if len(set(uris)) != len(uris):
        raise ValueError(f"teacher lists a model twice: {uris}")
    return uris


def _ensemble_info(members: list[dict[str, Any]]) -> dict[str, Any]:
    """One teacher's provenance as it is; an ensemble's as its members' plus a joined URI (what runs log)."""
    if len(members) == 1:
        return members[0]
    return {
        "uri": " + ".join(str(m["uri"]) for m in members),
        "run_id": None,
        "version": None,
        "manifest_sha256": None,
        "members": members,
    }


def run_soft_labels(cfg: DictConfig) -> dict[str, Any]:
    """Score the gold train split and the pool with the teacher `cfg.teacher`; write `cfg.output` atomically."""
    validate_config(cfg)
    labels = [str(x) for x in cfg.data.labels]
    sets = [str(x) for x in cfg.sets]
    unknown = sorted(set(sets) - set(SETS))
    if unknown or not sets:
        raise ValueError(f"sets: {sets} must be a non-empty subset of {list(SETS)}")
    uris = teacher_uris(cfg.teacher)
    tracking_uri = str(cfg.tracking.uri) if cfg.get("tracking") and cfg.tracking.get("uri") else None
    splits = load_dataset(cfg)
    frames = {name: as_frame(part) for name, part in splits.items()}
    held = HeldOut.from_splits(frames)
    parts: list[tuple[str, pd.DataFrame]] = []
    summary: dict[str, Any] = {"output": str(cfg.output)}
    if "train" in sets:
        train = frames["train"]
        parts.append(("train", train[[c for c in INPUT_COLUMNS if c in train.columns]]))
    if "pool" in sets:
        pool = pool_inputs(str(cfg.pool), cfg.data.get("polnear_dir"))
        out = held.pool_mask(pool) | pool["id"].isin(held.ids).to_numpy()
        if out.any():
            log.info("pool: left out %d of %d quotes from dev/test articles", int(out.sum()), len(pool))
        summary["pool_left_out"] = int(out.sum())
        parts.append(("pool", pool.loc[~out, list(INPUT_COLUMNS)].reset_index(drop=True)))
    ids = [str(x) for _, frame in parts for x in frame["id"]]
    names = [name for name, frame in parts for _ in range(len(frame))]
    summary.update({f"{name}_rows": len(frame) for name, frame in parts})
    members: list[np.ndarray] = []
    backends: list[str] = []
    inputs: list[str] = []
    for uri in uris:
        teacher = load_predictor(
            uri, tracking_uri, bool(cfg.get("allow_pickle_weights", False)), **inference_settings(cfg)
        )
        _to_device(teacher, str(cfg.get("device", "auto")))
        log.info("teacher %s: labels %s, input %s", uri, list(teacher.labels), teacher.input_mode)
        scored = [
            _ordered(score(teacher, frame, int(cfg.batch_size), name), list(teacher.labels), labels, uri)
            for name, frame in parts
        ]
        members.append(np.concatenate(scored).astype(np.float64))
        backends.append(str(getattr(teacher, "backend", type(teacher).__name__)))
        inputs.append(str(teacher.input_mode))  # each member reads its own input (text, or text with context)
        del teacher  # one teacher in memory at a time
    probs = np.mean(members, axis=0)  # an ensemble teaches the mean of its members' (calibrated) probabilities
    probs /= probs.sum(axis=1, keepdims=True)  # float32 softmax rounding; the file's rows sum to 1
    info = _ensemble_info([teacher_info(uri, tracking_uri) for uri in uris])
    extra = {
        "data": str(cfg.data.name),
        "pool": _portable(str(cfg.pool), str(cfg.paths.root_dir)) if "pool" in sets else None,
        "pool_left_out": summary.get("pool_left_out", 0),
        "teacher_input": "+".join(inputs),
        # torch, onnx-fp32 or onnx-int8: which graph made the probabilities (one per member of an ensemble)
        "teacher_backend": "+".join(backends),
    }
    write_soft_labels(cfg.output, ids, names, probs, labels, teacher=info, extra=extra)
    return summary
