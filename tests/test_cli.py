"""The installed commands: they find conf/ from any working directory and exit non-zero on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_dir

from stance.config import CONF_DIR, PROJECT_ROOT
from stance.workflows.train import run_training

BIN = Path(sys.executable).parent


def _run(command: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    exe = BIN / command
    if not exe.is_file():
        pytest.skip(f"{command} is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_TRACKING", "STANCE_"))}
    env.update({"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"})
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_train_cfg_job_from_another_directory(tmp_path):
    result = _run("stance-train", ["--cfg", "job", "--resolve", "data=tiny", "model=tfidf_logreg", "seed=7"], tmp_path)
    assert result.returncode == 0, result.stderr
    cfg = yaml.safe_load(result.stdout)
    assert cfg["task_name"] == "train" and cfg["seed"] == 7
    assert cfg["data"]["name"] == "tiny" and cfg["model"]["_target_"] == "stance.modeling.tfidf.TfidfLogReg"
    # paths come from the checkout, not from the directory the command was started in
    assert cfg["paths"]["root_dir"] == str(PROJECT_ROOT)
    assert Path(cfg["data"]["source"]["train_path"]).is_file()
    assert list(tmp_path.iterdir()) == []  # printing the config writes nothing


def test_classify_cfg_job_from_another_directory(tmp_path):
    result = _run("stance-classify", ["--cfg", "job", "input=in.jsonl", "output=out.csv", "on_error=skip"], tmp_path)
    assert result.returncode == 0, result.stderr
    cfg = yaml.safe_load(result.stdout)
    assert (cfg["task_name"], cfg["input"], cfg["on_error"]) == ("classify", "in.jsonl", "skip")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def tfidf_model(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli_tfidf")
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose("train", ["data=tiny", "model=tfidf_logreg", "tracking=none", f"paths.output_dir={folder}"])
    run_training(cfg)
    return folder / "model"


def test_classify_command_exits_non_zero_on_a_bad_file(tfidf_model, tmp_path):
    """The success path is covered in-process (test_classify.py); one start-up here checks the exit code."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "fine"}\n{"id": 2, "text": ""}\n', encoding="utf-8")
    out = tmp_path / "bad.stance.parquet"
    args = [
        f"input={bad}",
        f"output={out}",
        f"model_uri={tfidf_model}",
        "progress=false",
        f"hydra.run.dir={tmp_path}/run",
    ]
    result = _run("stance-classify", args, tmp_path)
    assert result.returncode != 0
    assert f"{bad}, line 2, field 'text'" in result.stderr
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
