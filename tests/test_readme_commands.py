"""Every command the README shows composes and validates, so the README cannot drift from the configs.

The commands themselves run elsewhere (tiny-model tests, `make demo`); this checks what a user would type.
"""

from __future__ import annotations

import re
import shlex

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf, open_dict

from stance.config import CONF_DIR, PROJECT_ROOT, validate_config

README = PROJECT_ROOT / "README.md"
PRIMARY = {
    "stance-train": "train",
    "stance-classify": "classify",
    "stance-extract": "extract",
    "stance-pipeline": "pipeline",
    "stance-eval-extract": "eval_extract",
    "stance-soft-labels": "soft_labels",
}
# model=mpnet needs an optional install (make mpnet); its resolver is tested in tests/test_base_models.py
STAND_INS = {"model=mpnet": ["model.pretrained=/models/stand-in"]}


def _readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.split(" ", 1)[0] in PRIMARY:
                commands.append(line)
    return commands


def test_the_readme_shows_every_command() -> None:
    shown = {c.split(" ", 1)[0] for c in _readme_commands()}
    assert {"stance-train", "stance-classify", "stance-extract", "stance-pipeline"} <= shown


def _overrides(args: list[str]) -> list[str]:
    """A sweep (`-m a=1,2`) composes as its first job."""
    sweep = "-m" in args or "--multirun" in args
    out = []
    for arg in args:
        if arg in ("-m", "--multirun"):
            continue
        if sweep and "=" in arg and not arg.split("=", 1)[1].startswith("["):
            key, value = arg.split("=", 1)
            arg = f"{key}={value.split(',')[0]}"
        out.append(arg)
    for trigger, extra in STAND_INS.items():
        if trigger in out:
            out += extra
    return out


@pytest.mark.parametrize("command", _readme_commands())
def test_readme_command_composes_and_validates(command: str) -> None:
    program, *args = shlex.split(command)
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(config_name=PRIMARY[program], overrides=_overrides(args))
    with open_dict(cfg):
        for key in ("input", "output"):
            if key in cfg and cfg[key] == "???":
                cfg[key] = "x"
    validate_config(cfg)
    for arg in _overrides(args):
        key, _, value = arg.partition("=")
        if "." in key and not value.startswith("[") and "/" not in key:
            actual = OmegaConf.select(cfg, key.lstrip("+"))
            assert _same(actual, value), f"{arg} did not reach the config (got {actual!r})"


def _same(actual: object, typed: str) -> bool:
    try:
        return float(actual) == float(typed)  # 2e-5 on the command line is 2e-05 in the config
    except (TypeError, ValueError):
        return str(actual) == typed


def test_readme_make_targets_exist() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.M))
    shown = set(re.findall(r"make ([a-z][a-z-]*)", README.read_text(encoding="utf-8")))
    assert shown and shown <= targets, f"README names make targets the Makefile lacks: {shown - targets}"
