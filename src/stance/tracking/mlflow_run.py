"""Opening MLflow runs, logging a curated record of each, and registering models.

We log explicitly (no autolog, no Trainer integration) so the compare view shows ~40 readable params
and stable metric names instead of hundreds of Trainer arguments.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import inspect
import logging
import os
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from stance.modeling.checkpoints import MANIFEST
from stance.tracking.store import prepare_store, store_lock

log = logging.getLogger(__name__)

PARENT_RUN_ENV = "STANCE_PARENT_RUN_ID"
# Registry tag: sha256 of the logged model's manifest (which lists every file's sha256), checked at load.
MANIFEST_TAG = "stance.manifest_sha256"
SWEEP_ENV = "STANCE_SWEEP_ID"


def _mlflow():
    import mlflow

    return mlflow


def configure(uri: str, experiment: str, artifact_dir: str | None = None) -> str:
    """Point MLflow at our store and make sure the experiment exists; returns its id.

    For a SQLite store the artifacts go to `artifact_dir` beside it (MLflow would otherwise
    put them under the current working directory).
    """
    mlflow = _mlflow()
    location = None
    if artifact_dir and not uri.startswith(("http://", "https://", "databricks")):
        location = Path(artifact_dir).resolve().as_uri()
    prepare_store(uri, location)  # a fresh SQLite store is created once, under a lock, not by racing jobs
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    found = mlflow.get_experiment_by_name(experiment)
    if found is not None:
        return found.experiment_id
    if location:
        Path(artifact_dir).mkdir(parents=True, exist_ok=True)
    try:
        return mlflow.create_experiment(experiment, artifact_location=location)
    except Exception:  # created meanwhile by a parallel job
        found = mlflow.get_experiment_by_name(experiment)
        if found is None:
            raise
        return found.experiment_id


def flatten(prefix: str, value: Any, out: dict[str, Any]) -> dict[str, Any]:
    """Dotted keys for nested dicts; lists become comma-joined strings."""
    if isinstance(value, Mapping):
        for key, sub in value.items():
            flatten(f"{prefix}.{key}" if prefix else str(key), sub, out)
    elif isinstance(value, (list, tuple)):
        out[prefix] = ",".join(str(v) for v in value)
    else:
        out[prefix] = value
    return out


def log_params(params: Mapping[str, Any]) -> None:
    """Log params once, truncated and chunked by MLflow's own limits."""
    mlflow = _mlflow()
    from mlflow.utils.validation import MAX_PARAM_VAL_LENGTH, MAX_PARAMS_TAGS_PER_BATCH

    items = [(k, "None" if v is None else str(v)[:MAX_PARAM_VAL_LENGTH]) for k, v in params.items()]
    for begin in range(0, len(items), MAX_PARAMS_TAGS_PER_BATCH):
        mlflow.log_params(dict(items[begin : begin + MAX_PARAMS_TAGS_PER_BATCH]))


def git_commit(root: str | Path) -> str:
    """HEAD commit, with '-dirty' when the tree has uncommitted changes; 'unknown' outside git."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def data_hash(frames: Mapping[str, pd.DataFrame]) -> str:
    """A short content hash of the training data (all splits), cheap enough for every run."""
    digest = hashlib.sha256()
    for name in sorted(frames):
        frame = frames[name]
        digest.update(name.encode())
        digest.update(pd.util.hash_pandas_object(frame.reset_index(drop=True), index=False).values.tobytes())
    return digest.hexdigest()[:16]


def package_versions() -> dict[str, str]:
    out = {}
    for pkg in ("stance", "torch", "transformers", "mlflow", "scikit-learn", "hydra-core"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            out[f"version.{pkg}"] = importlib.metadata.version(pkg)
    return out


@contextlib.contextmanager
def tracked_run(
    enabled: bool,
    uri: str,
    experiment: str,
    artifact_dir: str | None,
    run_name: str,
    tags: Mapping[str, str],
) -> Iterator[Any]:
    """A `with` block around one run. Sweep jobs nest under the parent run the sweep callback opened.

    The MLflow context manager marks the run FAILED if an exception escapes, so a crashed job never
    leaves an active run behind for the next job of a sweep.
    """
    if not enabled:
        yield None
        return
    mlflow = _mlflow()
    experiment_id = configure(uri, experiment, artifact_dir)
    while mlflow.active_run() is not None:  # a previous in-process job that died mid-run
        mlflow.end_run(status="FAILED")
    parent = os.environ.get(PARENT_RUN_ENV) or None
    all_tags = dict(tags)
    if os.environ.get(SWEEP_ENV):
        all_tags["sweep_id"] = os.environ[SWEEP_ENV]
    with mlflow.start_run(experiment_id=experiment_id, run_name=run_name, tags=all_tags, parent_run_id=parent) as run:
        yield run


def log_metrics(metrics: Mapping[str, float], step: int | None = None) -> None:
    mlflow = _mlflow()
    if mlflow.active_run() is None:
        return
    clean = {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float)) and v == v}
    if clean:
        mlflow.log_metrics(clean, step=step)


def champion_score(client: Any, model_name: str, alias: str, metric: str) -> float | None:
    """The `metric` of the run behind the current alias holder, or None when there is none."""
    try:
        version = client.get_model_version_by_alias(model_name, alias)
    except Exception:
        return None
    if not version.run_id:
        return None
    try:
        return client.get_run(version.run_id).data.metrics.get(metric)
    except Exception:
        return None


def model_code_path(python_model: Any) -> str:
    """The file to log as MLflow "models from code": a path as given, or the module file that defines a
    PythonModel instance's class (that module must call `mlflow.models.set_model`). Never a pickled object."""
    if isinstance(python_model, (str, Path)):
        return str(python_model)
    source = inspect.getsourcefile(type(python_model))
    if not source:
        raise TypeError(f"cannot find the code file of {type(python_model).__name__}; pass its path instead")
    return source


def manifest_digest(saved_dir: str | Path) -> str | None:
    """sha256 of a saved model's manifest, which lists every file's sha256: one value pins the whole folder."""
    manifest = Path(saved_dir) / MANIFEST
    return hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.is_file() else None


def log_and_register(
    python_model: Any,
    saved_dir: str | Path,
    input_example: pd.DataFrame,
    output_example: pd.DataFrame,
    registered_model: str | None,
    alias: str,
    score: float,
    metric: str = "eval_macro_f1",
    pip_requirements: list[str] | None = None,
) -> dict[str, Any]:
    """Log the saved model once (as models-from-code plus data files), register a new version tagged with the
    manifest's sha256, and move the alias when it beats the holder."""
    mlflow = _mlflow()
    from mlflow.models import infer_signature

    signature = infer_signature(input_example, output_example)
    digest = manifest_digest(saved_dir)
    info = mlflow.pyfunc.log_model(
        name="model",
        python_model=model_code_path(python_model),
        artifacts={"model": str(saved_dir)},
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements or default_requirements(),
    )
    if digest:
        mlflow.set_tag(MANIFEST_TAG, digest)
    result: dict[str, Any] = {"model_uri": info.model_uri}
    if not registered_model:
        return result
    client = mlflow.MlflowClient()
    # On a shared SQLite store, registering and moving the alias is one step under the store lock, so two
    # jobs finishing together cannot both read the old champion and both claim the alias.
    with store_lock(mlflow.get_registry_uri(), exclusive=True):
        version = mlflow.register_model(
            info.model_uri, registered_model, tags={MANIFEST_TAG: digest} if digest else None
        )
        result["version"] = version.version
        current = champion_score(client, registered_model, alias, metric)
        if current is None or score > current:
            client.set_registered_model_alias(registered_model, alias, version.version)
            result["alias"] = alias
    if "alias" in result:
        log.info(
            "registered %s v%s as @%s (%s %.4f beats %s)",
            registered_model,
            version.version,
            alias,
            metric,
            score,
            current,
        )
    else:
        log.info("registered %s v%s; @%s kept (%.4f <= %.4f)", registered_model, version.version, alias, score, current)
    return result


def default_requirements() -> list[str]:
    reqs = []
    for pkg in ("torch", "transformers", "scikit-learn", "pandas", "mlflow", "safetensors"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            reqs.append(f"{pkg}=={importlib.metadata.version(pkg)}")
    return reqs
