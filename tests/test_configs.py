"""Every config composes: each primary config and each option of each group, with `???` filled in."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf, open_dict

from stance.config import CONF_DIR, PROJECT_ROOT, instantiate, safe_target

# values for the keys a config leaves as ??? (the user must give them on the command line)
FILL = {
    "input": "quotes.jsonl",
    "output": "quotes.stance.parquet",
    "model.pretrained": "/models/some-bert",
    "data.labels": "[pro,con,neutral]",
    "data.train_path": "train.csv",
}
# options whose weights are an optional install (make mpnet): composed here with a stand-in folder,
# their own resolver is tested with a fake install in tests/test_base_models.py
OPTIONAL_INSTALL = {("model", "mpnet"): ["model.pretrained=/models/some-bert"]}
# groups whose options are Hydra's own or machine-local, not ours to enumerate
SKIP_GROUPS = {"hydra", "local"}
PRIMARY_NAMES = ["train", "classify", "extract", "eval_extract", "pipeline"]


def _defaults_groups(name: str) -> list[str]:
    """Config groups named in a primary config's defaults list."""
    groups = []
    for entry in OmegaConf.load(CONF_DIR / f"{name}.yaml").get("defaults", []):
        if isinstance(entry, str) or OmegaConf.is_config(entry) and len(entry) != 1:
            continue
        key = next(iter(entry))
        groups.append(key.split()[-1].lstrip("/"))
    return groups


def _primaries() -> list[str]:
    return [n for n in PRIMARY_NAMES if (CONF_DIR / f"{n}.yaml").is_file()]


def _group_options() -> Iterator[tuple[str, str, str]]:
    """(primary, group, option) for every option file of every group under conf/."""
    owners = {}
    for primary in _primaries():
        for group in _defaults_groups(primary):
            owners.setdefault(group, primary)
    for folder in sorted(p for p in CONF_DIR.iterdir() if p.is_dir() and p.name not in SKIP_GROUPS):
        for option in sorted(folder.glob("*.yaml")):
            yield owners.get(folder.name, "train"), folder.name, option.stem


def _compose(primary: str, overrides: list[str], hydra_cfg: bool = False) -> DictConfig:
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose(config_name=primary, overrides=overrides, return_hydra_config=hydra_cfg)


def _missing(node: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose value is literally ??? (interpolations to them are not followed)."""
    keys = []
    for key in node:
        if not prefix and key == "hydra":  # Hydra fills its own ??? at run time
            continue
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if OmegaConf.is_missing(node, key):
            keys.append(dotted)
        elif not OmegaConf.is_interpolation(node, key) and isinstance(node[key], DictConfig):
            keys.extend(_missing(node[key], dotted))
    return keys


def _compose_filled(primary: str, overrides: list[str], tmp_path, hydra_cfg: bool = False) -> DictConfig:
    """Compose, then fill every ??? value by an override (as a user would) and compose again."""
    # ${hydra:runtime.output_dir} exists only inside a run, so the output folder is given here
    base = [f"paths.output_dir={tmp_path}/out"]
    if "tracking" in _defaults_groups(primary):
        base.append(f"tracking.uri=sqlite:///{tmp_path}/mlflow.db")
    cfg = _compose(primary, base + overrides)
    missing = _missing(cfg)
    if missing or hydra_cfg:
        fill = [f"{key}={FILL.get(key, 'placeholder')}" for key in missing]
        cfg = _compose(primary, base + overrides + fill, hydra_cfg=hydra_cfg)
    assert not _missing(cfg)
    return cfg


def _targets(node: Any, where: str = "") -> Iterator[tuple[str, dict]]:
    """(dotted key, plain node) for every node with a `_target_`."""
    if isinstance(node, dict):
        if "_target_" in node:
            yield where, node
        for key, value in node.items():
            yield from _targets(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _targets(value, f"{where}[{i}]")


def _check_targets(cfg: DictConfig) -> int:
    plain = OmegaConf.to_container(cfg, resolve=True)
    found = 0
    for where, node in _targets(plain):
        target = safe_target(node["_target_"])
        assert callable(target), where
        params = {k: v for k, v in node.items() if k != "_target_"}
        # every configured key must be a parameter of the target (catches renamed arguments)
        inspect.signature(target).bind_partial(**params)
        if where in ("model", "data.source"):  # what the trainer adds when it builds them
            inspect.signature(target).bind(**params, labels=["a", "b"], input_mode="text")
        found += 1
    return found


@pytest.mark.parametrize("primary", PRIMARY_NAMES)
def test_primary_config_composes_and_resolves(primary, tmp_path):
    if primary not in _primaries():
        pytest.skip(f"conf/{primary}.yaml not present")
    cfg = _compose_filled(primary, [], tmp_path)
    assert cfg.task_name == primary
    plain = OmegaConf.to_container(cfg, resolve=True)
    assert plain["paths"]["root_dir"] == str(PROJECT_ROOT)
    _check_targets(cfg)


@pytest.mark.parametrize(("primary", "group", "option"), list(_group_options()))
def test_every_group_option_composes(primary, group, option, tmp_path):
    cfg = _compose_filled(primary, [f"{group}={option}", *OPTIONAL_INSTALL.get((group, option), [])], tmp_path)
    OmegaConf.to_container(cfg, resolve=True)  # every interpolation resolves
    _check_targets(cfg)
    if group in ("data", "model", "tracking", "train") and group in cfg:
        chosen = OmegaConf.load(CONF_DIR / group / f"{option}.yaml")
        for key in ("name", "enabled", "epochs", "_target_"):
            if key in chosen and not OmegaConf.is_missing(chosen, key):
                assert cfg[group][key] == chosen[key], (group, option, key)


@pytest.mark.parametrize("experiment", sorted(p.stem for p in (CONF_DIR / "experiment").glob("*.yaml")))
def test_experiments_override_groups(experiment, tmp_path):
    cfg = _compose_filled("train", [f"experiment={experiment}"], tmp_path)
    spec = OmegaConf.load(CONF_DIR / "experiment" / f"{experiment}.yaml")
    chosen = {k: v for entry in spec.get("defaults", []) for k, v in entry.items()}
    for group in ("data", "model"):
        if f"override /{group}" in chosen:
            option = OmegaConf.load(CONF_DIR / group / f"{chosen[f'override /{group}']}.yaml")
            assert cfg[group].name == option.name
    # every value the experiment sets wins over the group defaults
    for group in ("data", "train", "tracking", "model"):
        for key, value in (spec.get(group) or {}).items():
            assert cfg[group][key] == value, (group, key)


def test_hparams_search_uses_optuna_and_the_optimized_metric(tmp_path):
    cfg = _compose("train", [f"tracking.uri=sqlite:///{tmp_path}/m.db", "hparams_search=optuna"], hydra_cfg=True)
    assert cfg.optimized_metric == "eval_macro_f1"
    assert "optuna" in cfg.hydra.sweeper._target_.lower()
    assert cfg.hydra.sweeper.direction == "maximize"
    assert set(cfg.hydra.sweeper.params) >= {"train.lr", "train.epochs"}


@pytest.mark.parametrize("primary", PRIMARY_NAMES)
def test_hydra_callbacks_are_stance_targets(primary, tmp_path):
    if primary not in _primaries():
        pytest.skip(f"conf/{primary}.yaml not present")
    cfg = _compose_filled(primary, [], tmp_path, hydra_cfg=True)
    assert cfg.hydra.job.chdir is False
    for name, node in (cfg.hydra.get("callbacks") or {}).items():
        assert node._target_.startswith("stance."), name
        assert callable(safe_target(node._target_))


def test_non_stance_targets_are_refused(tmp_path):
    for bad in ("os.system", "subprocess.Popen", "builtins.eval", "stancey.thing", "", None):
        with pytest.raises(ValueError, match="not allowed"):
            safe_target(bad)
    with pytest.raises(ValueError, match="cannot be imported"):
        safe_target("stance.no_such_module.Thing")
    with pytest.raises(ValueError, match="cannot be imported"):
        safe_target("stance.config.no_such_function")

    # a config that names a shell command: refused before anything runs
    marker = tmp_path / "ran"
    cfg = _compose_filled("train", ["model=tfidf_logreg"], tmp_path)
    with open_dict(cfg):
        cfg.model = {"_target_": "subprocess.call", "args": ["touch", str(marker)]}
    with pytest.raises(ValueError, match="'subprocess.call' is not allowed"):
        instantiate(cfg.model)
    assert not marker.exists()
    with pytest.raises(ValueError, match="not allowed"):
        instantiate({"_target_": "builtins.print", "x": 1})
    with pytest.raises(ValueError, match="no _target_"):
        instantiate({"name": "x"})


def test_instantiate_builds_stance_objects_with_kwargs(tmp_path):
    cfg = _compose_filled("train", ["model=tfidf_logreg"], tmp_path)
    model = instantiate(cfg.model, labels=["pro", "con"], input_mode="target_text")
    assert type(model).__module__ == "stance.modeling.tfidf"
    assert model.labels == ["pro", "con"] and model.input_mode == "target_text"
    assert model.c_grid == [float(c) for c in cfg.model.c_grid]


def test_a_typo_in_an_override_fails_at_compose(tmp_path):
    from hydra.errors import ConfigCompositionException

    with pytest.raises(ConfigCompositionException):
        _compose("train", ["model=no_such_model"])
    with pytest.raises(ConfigCompositionException):
        _compose("train", ["train.lrr=1e-4"])  # a misspelt key is refused, not silently added


def test_demo_trains_the_default_configuration(tmp_path):
    """`make demo` on a fresh clone runs `stance-train` with the demo's overrides: they must compose, and
    leave data and model at the defaults (the news-quote corpus and MiniLM) the benchmarks report."""
    from stance.cli.demo import TRAIN_OVERRIDES

    cfg = _compose_filled("train", list(TRAIN_OVERRIDES), tmp_path)
    default = _compose_filled("train", [], tmp_path)
    assert cfg.data.name == "news_quotes" and cfg.model.name == "minilm"
    assert cfg.tracking.run_name == "demo"
    assert OmegaConf.to_container(cfg.model) == OmegaConf.to_container(default.model)
    assert OmegaConf.to_container(cfg.data) == OmegaConf.to_container(default.data)
    # the demo distils from the shipped soft labels, 2 epochs over gold + a 2,400-quote pool sample, to stay inside
    # its time box (docs/benchmarks.md); the rest is the default training configuration
    assert cfg.distill.enabled and not default.distill.enabled
    assert (
        cfg.distill.soft_labels.endswith("news_quotes/soft_labels/teacher_mpnet.parquet")
        and cfg.distill.pool_size == 2400
    )
    assert cfg.train.epochs == 2 and default.train.epochs == 4
    assert {k: v for k, v in cfg.train.items() if k not in ("progress", "epochs")} == {
        k: v for k, v in default.train.items() if k not in ("progress", "epochs")
    }


# ---- keys added with `+` to our typed groups -------------------------------------------------------
ADDED_KEY_CASES = [
    ("train", ["+train.lrr=1"], "train.lrr", "train.lr"),
    ("train", ["+train.epoch=2"], "train.epoch", "train.epochs"),
    ("train", ["+model.max_lenght=32"], "model.max_lenght", "model.max_length"),
    ("train", ["model=tfidf_logreg", "+model.c_grd=[1.0]"], "model.c_grd", "model.c_grid"),
    ("train", ["+data.max_trian=5"], "data.max_trian", "data.max_train"),
    ("train", ["+data.source.split_sed=3", "data=tiny"], "data.source.split_sed", "data.source.split_seed"),
    ("train", ["+tracking.experimnt=x"], "tracking.experimnt", "tracking.experiment"),
    ("train", ["+paths.data_dri=/x"], "paths.data_dri", "paths.data_dir"),
    ("train", ["+seeds=3"], "seeds", "seed"),
    ("extract", ["+extract.n_proces=2"], "extract.n_proces", "extract.n_process"),
    ("extract", ["+extract.extractor.indirct=false"], "extract.extractor.indirct", "extract.extractor.indirect"),
    ("classify", ["+batch_sise=8"], "batch_sise", "batch_size"),
]


@pytest.mark.parametrize(("primary", "overrides", "key", "suggestion"), ADDED_KEY_CASES)
def test_a_key_added_with_plus_to_a_typed_group_is_refused_naming_it(primary, overrides, key, suggestion, tmp_path):
    from stance.config import ConfigError, validate_config

    cfg = _compose_filled(primary, overrides, tmp_path)
    with pytest.raises(ConfigError) as err:
        validate_config(cfg)
    message = str(err.value)
    assert f"'{key}'" in message
    if suggestion:
        assert f"did you mean '{suggestion}'" in message


@pytest.mark.parametrize(
    ("primary", "overrides"),
    [
        ("train", ["+train.hf_args.logging_first_step=true", "+tracking.tags.team=news"]),
        ("train", ["data=custom", "data.train_path=x.csv", "data.labels=[a,b]", "data.source.dev_fraction=0.2"]),
        ("train", ["data=news_quotes", "data.polnear_dir=/elsewhere"]),
        ("train", ["experiment=perspectrum"]),
        ("train", ["experiment=ibm_transfer"]),
        ("train", ["model=tfidf_logreg"]),
        ("classify", []),
        ("extract", []),
        ("eval_extract", []),
    ],
)
def test_free_form_dicts_and_every_shipped_config_still_validate(primary, overrides, tmp_path):
    from stance.config import validate_config

    validate_config(_compose_filled(primary, overrides, tmp_path))


@pytest.mark.parametrize(("primary", "group", "option"), list(_group_options()))
def test_every_group_option_validates(primary, group, option, tmp_path):
    from stance.config import validate_config

    validate_config(_compose_filled(primary, [f"{group}={option}"], tmp_path))


def test_training_refuses_an_added_key_before_reading_data(compose_cfg, tiny_train_overrides, tmp_path):
    from stance.config import ConfigError
    from stance.workflows.train import run_training

    cfg = compose_cfg("train", [*tiny_train_overrides, "tracking=none", "+train.lrr=1"])
    with pytest.raises(ConfigError, match="'train.lrr'.*did you mean 'train.lr'"):
        run_training(cfg)
    assert not (tmp_path / "out" / "metrics.json").exists()


def test_wrong_type_in_a_typed_group_is_refused(tmp_path):
    from stance.config import ConfigError, validate_config

    cfg = _compose_filled("train", ["train.batch_size=many"], tmp_path)
    with pytest.raises(ConfigError, match="train.batch_size"):
        validate_config(cfg)


@pytest.mark.parametrize(
    ("command", "args", "key", "suggestion"),
    [
        ("stance-train", ["data=tiny", "model=tfidf_logreg", "+train.lrr=1"], "train.lrr", "train.lr"),
        ("stance-classify", ["input=in.jsonl", "output=out.jsonl", "+batch_sise=8"], "batch_sise", "batch_size"),
        ("stance-extract", ["input=in", "output=out.jsonl", "+extract.n_proces=2"], "extract.n_proces", None),
        ("stance-pipeline", ["input=in", "output=out", "+low_confidense=0.5"], "low_confidense", "low_confidence"),
    ],
)
def test_commands_with_an_added_typo_key_exit_before_doing_anything(command, args, key, suggestion, tmp_path):
    """As a user types it: `stance-train +train.lrr=1` stops with the key named and tracks no run."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / command
    if not exe.is_file():
        pytest.skip(f"{command} is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_TRACKING", "STANCE_"))}
    env.update({"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"})
    store = [f"tracking.uri=sqlite:///{tmp_path}/mlflow.db", f"tracking.artifact_dir={tmp_path}/art"]
    full = [str(exe), *args, *(store if command != "stance-extract" else []), f"hydra.run.dir={tmp_path}/run"]
    result = subprocess.run(full, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert f"unknown config key '{key}'" in result.stderr
    if suggestion:
        assert f"did you mean '{suggestion}'" in result.stderr
    assert not (tmp_path / "mlflow.db").exists() and not (tmp_path / "out.jsonl").exists()
