"""Loading any trained stance model (ours, a plain HF folder, or an MLflow model) for inference."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from stance.modeling.transformer import MANIFEST, TransformerClassifier

log = logging.getLogger(__name__)


class Predictor(Protocol):
    labels: list[str]
    input_mode: str

    def predict_proba(self, frame: pd.DataFrame, batch_size: int = 64) -> np.ndarray: ...


def load_local(path: str | Path) -> Predictor:
    """A folder saved by `save()` (has stance_model.json) or any HF sequence-classification folder."""
    from stance.modeling.tfidf import TfidfLogReg

    path = Path(path)
    manifest_path = path / MANIFEST
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        kinds: dict[str, Any] = {"transformer": TransformerClassifier, "tfidf_logreg": TfidfLogReg}
        if manifest.get("kind") not in kinds:
            raise ValueError(f"{manifest_path}: unknown model kind '{manifest.get('kind')}'")
        return kinds[manifest["kind"]].load(path, manifest)
    if (path / "config.json").is_file():
        log.info("%s has no %s; loading it as a plain Hugging Face classifier (input = text)", path, MANIFEST)
        return TransformerClassifier.load(path)
    raise FileNotFoundError(
        f"{path}: not a stance model folder (no {MANIFEST}), HF folder or MLflow model (no MLmodel)"
    )


def load_predictor(model_uri: str, tracking_uri: str | None = None) -> Predictor:
    """Resolve `models:/name@alias`, `runs:/…`, `models:/m-…`, an MLflow model folder or a local model folder."""
    path = Path(model_uri)
    if path.exists() and not (path / "MLmodel").is_file():
        return load_local(path)
    import mlflow

    if tracking_uri:
        mlflow.set_tracking_uri(tracking_uri)
        mlflow.set_registry_uri(tracking_uri)
    try:
        model = mlflow.pyfunc.load_model(model_uri)
    except Exception as err:
        raise ValueError(f"cannot load model '{model_uri}' (tracking uri {mlflow.get_tracking_uri()}): {err}") from err
    inner = model.unwrap_python_model()
    predictor = getattr(inner, "predictor", None)
    if predictor is None:
        raise ValueError(f"{model_uri} is an MLflow model but not a stance classifier")
    return predictor


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
