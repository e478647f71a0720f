"""Tracking: a `stance-train -m` sweep is one parent run with a child per job, a failing job is
FAILED while the others finish, params stay curated, and `tracking=none` logs nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import mlflow
import pytest

from stance.data import load_dataset
from stance.workflows.train import curated_params, run_training

STANCE_TRAIN = Path(sys.executable).parent / "stance-train"


def _sweep_command(folder: Path, tiny_model_dir: Path, sweep: list[str]) -> list[str]:
    return [
        str(STANCE_TRAIN),
        "-m",
        "data=tiny",
        "model=tiny",
        f"model.pretrained={tiny_model_dir}",
        "train=fast",
        *sweep,
        f"tracking.uri=sqlite:///{folder}/mlflow.db",
        f"tracking.artifact_dir={folder}/art",
        f"hydra.sweep.dir={folder}/multirun",
    ]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING")}
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "OMP_NUM_THREADS": "1"})
    env.pop("STANCE_PARENT_RUN_ID", None)
    env.pop("STANCE_SWEEP_ID", None)
    return env


@pytest.fixture(scope="module")
def sweep(tiny_model_dir, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """One real `stance-train -m` sweep of three jobs; the first fails inside its run.

    One sweep checks both the parent/child layout and failure handling, because a CLI start-up
    (imports, a new MLflow store) costs more than a tiny training job on 2 cores.
    """
    if not STANCE_TRAIN.is_file():
        pytest.skip("stance-train is not installed in this environment")
    folder = tmp_path_factory.mktemp("sweep")
    # batch_size=0 passes config checks but fails in training, after the job's child run has opened
    command = _sweep_command(folder, tiny_model_dir, ["train.batch_size=0,8,4"])
    # cwd is not the repo: the installed CLI must find conf/ on its own
    result = subprocess.run(command, cwd=folder, env=_env(), capture_output=True, text=True, timeout=600)
    return folder, result


def _runs(folder: Path) -> tuple[mlflow.entities.Run, list[mlflow.entities.Run]]:
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{folder}/mlflow.db")
    experiment = client.get_experiment_by_name("stance-train")
    runs = client.search_runs([experiment.experiment_id])
    parents = [r for r in runs if r.data.tags.get("stance.role") == "sweep-parent"]
    assert len(parents) == 1, [r.info.run_name for r in runs]
    parent = parents[0]
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    assert len(runs) == 1 + len(children)  # nothing outside the sweep
    return parent, children


def test_sweep_has_one_parent_with_a_child_per_job(sweep):
    folder, result = sweep
    parent, children = _runs(folder)
    assert len(children) == 3, result.stderr[-3000:]
    assert sorted(c.data.params["train.batch_size"] for c in children) == ["0", "4", "8"]
    assert {c.data.tags["sweep_id"] for c in children} == {parent.data.tags["sweep_id"]}
    assert "train.batch_size=0,8,4" in parent.data.tags["sweep.overrides"]
    finished = [c for c in children if c.info.status == "FINISHED"]
    assert sorted(c.data.params["train.batch_size"] for c in finished) == ["4", "8"]
    for child in finished:
        assert 30 <= len(child.data.params) <= 60, sorted(child.data.params)
        assert "eval_macro_f1" in child.data.metrics and "test_macro_f1" in child.data.metrics
        assert "model.model_uri" not in child.data.tags  # log_model=auto: sweeps compare, they don't register
        # the run name carries the job's own overrides, so runs are told apart in the UI
        named = dict(o.split("=", 1) for o in child.info.run_name.split(" ", 1)[1].split(","))
        assert named["train.batch_size"] == child.data.params["train.batch_size"]
    # each job wrote into the sweep folder, not into the working directory
    assert len(list((folder / "multirun").glob("*/metrics.json"))) == 2
    assert not (folder / "mlruns").exists() and not (folder / "outputs").exists()


def test_failing_job_is_failed_and_the_next_jobs_still_finish(sweep):
    folder, result = sweep
    assert result.returncode != 0  # the sweep reports the failure ...
    assert "batch_size=0" in result.stderr
    parent, children = _runs(folder)
    by_size = {c.data.params["train.batch_size"]: c for c in children}
    assert by_size["0"].info.status == "FAILED"
    # ... but the jobs after it ran to the end
    assert by_size["8"].info.status == by_size["4"].info.status == "FINISHED"
    assert by_size["0"].info.start_time < by_size["8"].info.start_time < by_size["4"].info.start_time
    # the parent is closed (not left RUNNING) and says how many jobs failed
    assert parent.info.status == "FINISHED" and parent.info.end_time is not None
    assert (parent.data.tags["sweep.jobs"], parent.data.tags["sweep.failed_jobs"]) == ("3", "1")


@pytest.mark.parametrize(
    "overrides",
    [
        ["data=tiny", "model=tiny", "model.pretrained=/some/bert"],
        ["data=tiny", "model=tfidf_logreg"],
        ["data=tiny", "model=minilm", "train=fast"],
        ["data=tiny", "model=hf", "model.pretrained=roberta-base", "+train.hf_args.fp16=false"],
    ],
)
def test_curated_params_stay_between_30_and_60(compose_cfg, overrides):
    cfg = compose_cfg("train", overrides)
    params = curated_params(cfg, load_dataset(cfg))
    assert 30 <= len(params) <= 60, sorted(params)
    assert params["data.n_train"] == 40 and params["model.name"] == cfg.model.name
    assert params["model.backend"] == cfg.model._target_
    # our names, not the Trainer's hundreds of arguments
    assert not {"per_device_train_batch_size", "output_dir", "logging_dir"} & {k.split(".")[-1] for k in params}
    assert "data.source.label_map" not in params


def test_tracking_none_logs_nothing(compose_cfg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = mlflow.get_tracking_uri()
    cfg = compose_cfg("train", ["data=tiny", "model=tfidf_logreg", "tracking=none"])
    assert cfg.tracking.enabled is False
    metrics = run_training(cfg)
    assert "run_id" not in metrics and metrics["test_macro_f1"] >= 0.0
    assert mlflow.active_run() is None
    assert mlflow.get_tracking_uri() == before
    # neither the configured store nor MLflow's default ./mlruns was created
    assert not (tmp_path / "mlflow.db").exists()
    assert not (tmp_path / "mlruns").exists() and not (tmp_path / "mlartifacts").exists()
    assert (tmp_path / "out" / "model" / "stance_model.json").is_file()  # the model is still saved locally


def test_sweep_with_tracking_none_runs_without_mlflow(tmp_path):
    """The callback stays out of the way when tracking is off (unit-level, no subprocess)."""
    from omegaconf import OmegaConf

    from stance.tracking.sweep import MlflowSweepCallback

    callback = MlflowSweepCallback()
    cfg = OmegaConf.create({"tracking": {"enabled": False, "uri": f"sqlite:///{tmp_path}/m.db", "experiment": "x"}})
    callback.on_multirun_start(cfg)
    callback.on_job_end(cfg, None)
    callback.on_multirun_end(cfg)
    assert callback.parent_id is None and callback.jobs == 0
    assert "STANCE_PARENT_RUN_ID" not in os.environ and not (tmp_path / "m.db").exists()
