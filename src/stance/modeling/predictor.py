"""Loading any trained stance model (ours, a plain HF folder, or an MLflow model) for inference."""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from stance.modeling.checkpoints import CheckpointError, check_checkpoint
from stance.modeling.transformer import MANIFEST, TransformerClassifier

log = logging.getLogger(__name__)


class Predictor(Protocol):
    labels: list[str]
    input_mode: str

    def predict_proba(self, frame: pd.DataFrame, batch_size: int = 64) -> np.ndarray: ...


def load_local(path: str | Path, allow_pickle_weights: bool = False, **inference: Any) -> Predictor:
    """A folder saved by `save()` (has stance_model.json) or any HF sequence-classification folder.

    Before any weights are read: pickle-based weights (pytorch_model.bin only) are refused unless allowed, and
    every file of a folder we saved must match the sha256 its manifest recorded at save time. `inference` holds
    the inference settings of a transformer (`backend`, `quantize`, `cache_dir`, `threads`: see
    `stance.modeling.backends.load_transformer`); other kinds ignore them.
    """
    from stance.modeling.backends import load_transformer
    from stance.modeling.tfidf import TfidfLogReg

    path = Path(path)
    manifest_path = path / MANIFEST
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        kinds: dict[str, Any] = {"transformer": TransformerClassifier, "tfidf_logreg": TfidfLogReg}
        if manifest.get("kind") not in kinds:
            raise ValueError(f"{manifest_path}: unknown model kind '{manifest.get('kind')}'")
        check_checkpoint(path, None, allow_pickle_weights)
        if manifest["kind"] == "transformer":
            return load_transformer(path, manifest, **inference)
        if inference.get("backend") == "onnx":
            log.warning("%s: a %s model runs on its own code; classify.backend=onnx is ignored", path, manifest["kind"])
        return kinds[manifest["kind"]].load(path, manifest)
    if (path / "config.json").is_file():
        log.info("%s has no %s; loading it as a plain Hugging Face classifier (input = text)", path, MANIFEST)
        check_checkpoint(path, None, allow_pickle_weights)
        return load_transformer(path, {}, **inference)
    raise FileNotFoundError(
        f"{path}: not a stance model folder (no {MANIFEST}), HF folder or MLflow model (no MLmodel)"
    )


def _from_mlflow_folder(
    folder: Path, allow_pickle_weights: bool, expected_digest: str | None = None, **inference: Any
) -> Predictor:
    """Read the data files of a logged stance model (`artifacts/model`) with the installed package.

    The MLflow folder's own code (the models-from-code script) and any pickle in it are never loaded.
    """
    import yaml

    spec = yaml.safe_load((folder / "MLmodel").read_text()) or {}
    pyfunc = (spec.get("flavors") or {}).get("python_function") or {}
    model_dir = folder / "artifacts" / "model"
    if pyfunc.get("python_model") or "model_code_path" not in pyfunc:
        log.info("%s: logged by an older version (pickled python_model); only its data files are read", folder)
    if not (model_dir / MANIFEST).is_file():
        raise ValueError(f"{folder}: an MLflow model, but not a stance classifier (no artifacts/model/{MANIFEST})")
    if expected_digest:
        from stance.tracking.mlflow_run import manifest_digest

        actual = manifest_digest(model_dir)
        if actual != expected_digest:
            raise CheckpointError(
                f"{model_dir / MANIFEST}: sha256 {actual} does not match {expected_digest} recorded in the model "
                "registry when this version was registered; the artifact store was changed"
            )
    return load_local(model_dir, allow_pickle_weights, **inference)


def pin_version(model_uri: str, tracking_uri: str | None = None) -> tuple[str, str | None, str | None]:
    """`models:/name@alias` or `models:/name/version` -> (`models:/name/<number>`, the version number, the manifest
    sha256 the registry recorded for it). The alias is resolved once, so the files, the digest and the version a
    run records belong together even if the alias moves meanwhile. Other URIs come back as they are, with None."""
    if not model_uri.startswith("models:/") or model_uri.startswith("models:/m-"):
        return model_uri, None, None
    import mlflow

    from stance.tracking.mlflow_run import MANIFEST_TAG

    name_version = model_uri[len("models:/") :].strip("/")
    client = mlflow.MlflowClient(tracking_uri=tracking_uri or None, registry_uri=tracking_uri or None)
    if "@" in name_version:
        name, alias = name_version.split("@", 1)
        version = client.get_model_version_by_alias(name, alias)
    elif "/" in name_version and name_version.rsplit("/", 1)[1].isdigit():
        name, number = name_version.rsplit("/", 1)
        version = client.get_model_version(name, number)
    else:
        return model_uri, None, None
    return f"models:/{name}/{version.version}", str(version.version), (version.tags or {}).get(MANIFEST_TAG)


def load_predictor(
    model_uri: str, tracking_uri: str | None = None, allow_pickle_weights: bool = False, **inference: Any
) -> Predictor:
    """Resolve `models:/name@alias`, `runs:/…`, `models:/m-…`, an MLflow model folder or a local model folder.

    A model in a store is downloaded to a temporary folder and read from there: loading never writes to the
    store (no `registered_model_meta` in the artifact folder, no new database), and no code or pickle from
    the store is run. `inference`: the settings passed to `load_local`.
    """
    path = Path(model_uri)
    if path.exists():
        if (path / "MLmodel").is_file():
            return _from_mlflow_folder(path, allow_pickle_weights, **inference)
        return load_local(path, allow_pickle_weights, **inference)
    import mlflow

    from stance.tracking.store import require_store, store_lock

    uri = tracking_uri or mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    try:
        require_store(uri)
        with store_lock(uri, exclusive=False), tempfile.TemporaryDirectory(prefix="stance-model-") as tmp:
            pinned, _, expected = pin_version(model_uri, uri)
            local = mlflow.artifacts.download_artifacts(artifact_uri=pinned, dst_path=tmp)
            return _from_mlflow_folder(Path(local), allow_pickle_weights, expected, **inference)
    except CheckpointError:
        raise
    except Exception as err:
        raise ValueError(f"cannot load model '{model_uri}' (tracking uri {uri}): {err}") from err


def predict_frame(predictor: Predictor, frame: pd.DataFrame, batch_size: int = 64) -> pd.DataFrame:
    """stance, stance_score and prob_<label> columns for each row of `frame`."""
    probs = predictor.predict_proba(frame, batch_size=batch_size)
    labels = list(predictor.labels)
    best = probs.argmax(axis=1) if len(probs) else np.zeros(0, dtype=int)
    out = pd.DataFrame(
        {"stance": [labels[i] for i in best], "stance_score": probs.max(axis=1) if len(probs) else []},
        index=frame.index,
    )
    for j, label in enumerate(labels):
        out[f"prob_{label}"] = probs[:, j] if len(probs) else []
    return out
