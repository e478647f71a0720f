"""Typed config schemas, OmegaConf resolvers and the one place that instantiates `_target_`s.

Schemas catch typos at compose time. Hugging Face arguments stay plain dicts (`train.hf_args`)
and are converted with `OmegaConf.to_container(resolve=True)` at the boundary.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONF_DIR = PROJECT_ROOT / "conf"


def _project_root() -> str:
    """Root of the checkout (editable install), or the working directory for other installs."""
    return str(PROJECT_ROOT if CONF_DIR.is_dir() else Path.cwd())


def _minilm_dir() -> str:
    from stance.modeling.checkpoints import minilm_dir

    return str(minilm_dir())


def _mpnet_dir() -> str:
    from stance.modeling.base_models import mpnet_dir

    return str(mpnet_dir(_project_root()))


_RUN_UID = f"{os.getpid():x}"


def _run_uid() -> str:
    """Per-process suffix for run folders: jobs started in the same second must not share checkpoints."""
    return _RUN_UID


def register_resolvers() -> None:
    for name, fn in {
        "stance_root": _project_root,
        "minilm_dir": _minilm_dir,
        "mpnet_dir": _mpnet_dir,
        "stance_uid": _run_uid,
    }.items():
        if not OmegaConf.has_resolver(name):
            OmegaConf.register_new_resolver(name, fn, use_cache=False)


register_resolvers()


@dataclass
class PathsConfig:
    root_dir: str = "."
    shared_data_dir: str = "${.root_dir}/../shared/data"
    data_dir: str = "${.root_dir}/data"
    output_dir: str = "${.root_dir}/outputs"


@dataclass
class TrackingConfig:
    enabled: bool = True
    uri: str = "sqlite:///${paths.root_dir}/mlflow.db"
    artifact_dir: str = "${paths.root_dir}/mlartifacts"
    experiment: str = "stance-train"
    run_name: str | None = None
    log_model: bool = True
    registered_model: str | None = "stance"
    champion_alias: str = "champion"
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class TrainConfig:
    """Our training knobs; anything else for HF's TrainingArguments goes in `hf_args`."""

    epochs: float = 4
    lr: float = 5e-5
    batch_size: int = 32
    eval_batch_size: int = 128
    grad_accum: int = 1
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    scheduler: str = "linear"
    sampling: str = "group_by_length"
    early_stopping_patience: int = 2
    class_weights: bool = False
    max_steps: int = -1
    progress: bool = True
    hf_args: dict[str, Any] = field(default_factory=dict)


@dataclass
class DataConfig:
    name: str = "?"
    labels: list[str] = field(default_factory=list)
    input: str = "text"
    max_train: int | None = None
    max_eval: int | None = None
    source: Any = None


def validated(node: DictConfig, schema: type) -> DictConfig:
    """Check a config group against its dataclass schema (types and unknown keys), keeping extra keys of
    sources such as `data.train_path` allowed through the `source` node."""
    base = OmegaConf.structured(schema)
    known = set(base.keys())
    extra = {k: node[k] for k in node if k not in known}
    OmegaConf.set_struct(base, True)
    merged = OmegaConf.merge(base, {k: node[k] for k in node if k in known})
    if extra:
        OmegaConf.set_struct(merged, False)
        merged = OmegaConf.merge(merged, extra)
    return merged


def safe_target(path: str) -> Any:
    """Import a `stance.*` object named in config. Other targets are refused (as Hydra 1.4 will)."""
    if not isinstance(path, str) or not path.startswith("stance."):
        raise ValueError(f"_target_ '{path}' is not allowed: only stance.* targets can be instantiated from config")
    module_name, _, attr = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attr)
    except (ImportError, AttributeError) as err:
        raise ValueError(f"_target_ '{path}' cannot be imported: {err}") from None


def instantiate(node: DictConfig | dict, *args: Any, **kwargs: Any) -> Any:
    """Build a swappable strategy from a config node with a `_target_` under `stance.`."""
    params = OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else dict(node)
    target = params.pop("_target_", None)
    if target is None:
        raise ValueError("config node has no _target_")
    params.update(kwargs)
    return safe_target(target)(*args, **params)


def to_plain(node: Any) -> Any:
    """OmegaConf node -> plain Python containers, resolved (for HF, JSON and MLflow)."""
    if isinstance(node, DictConfig) or OmegaConf.is_config(node):
        return OmegaConf.to_container(node, resolve=True)
    return node


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}
