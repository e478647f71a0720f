"""Several trainings started together on one fresh SQLite store: every run finishes and registers its own version.

The jobs are started with `spawn`, not `fork`: a process forked after the test process has used torch's
OpenMP thread pool can crash inside torch. Nothing in the parent has opened the store, so each job creates it
as `stance-train` would.
"""

from __future__ import annotations

import multiprocessing as mp
import traceback
from pathlib import Path

import mlflow
import pytest

from stance.workflows.train import run_training

MODEL = "tiny-concurrent"


def _job(cfg, queue) -> None:
    try:
        metrics = run_training(cfg)
        queue.put(("ok", metrics["run_id"]))
    except BaseException:  # the parent reports it
        queue.put(("error", traceback.format_exc()))


def _train_together(compose_cfg, tiny_train_overrides, tmp_path: Path, jobs: int) -> list[str]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = []
    for i in range(jobs):
        cfg = compose_cfg(
            "train",
            [*tiny_train_overrides, "tracking.log_model=true", f"tracking.registered_model={MODEL}", f"seed={i}"],
        )
        cfg.paths.output_dir = str(tmp_path / f"out{i}")
        procs.append(ctx.Process(target=_job, args=(cfg, queue)))
    assert not (tmp_path / "mlflow.db").exists()  # a fresh store: the first jobs race to create it
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    errors = [detail for status, detail in results if status == "error"]
    assert not errors, errors[0]
    assert [p.exitcode for p in procs] == [0] * jobs
    return [detail for _, detail in results]


def _check_store(uri: str, run_ids: list[str], jobs: int) -> None:
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    assert len(set(run_ids)) == jobs
    for run_id in run_ids:
        assert client.get_run(run_id).info.status == "FINISHED"
    versions = client.search_model_versions(f"name='{MODEL}'")
    assert sorted(int(v.version) for v in versions) == list(range(1, jobs + 1))
    assert sorted(v.run_id for v in versions) == sorted(run_ids)  # one version per run, none lost
    assert client.get_model_version_by_alias(MODEL, "champion").run_id in run_ids


def _open_and_log(uri: str, artifacts: str, queue) -> None:
    """What every entry point does first (train, each sweep job): open the store, then log a run."""
    try:
        from stance.tracking.mlflow_run import configure

        experiment = configure(uri, "race", artifacts)
        with mlflow.start_run(experiment_id=experiment) as run:
            mlflow.log_metric("x", 1.0)
        queue.put(("ok", run.info.run_id))
    except BaseException:
        queue.put(("error", traceback.format_exc()))


def test_four_processes_open_a_fresh_sqlite_store_at_once(tmp_path):
    """The schema race itself, without training: four processes create the store together."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    procs = [ctx.Process(target=_open_and_log, args=(uri, str(tmp_path / "art"), queue)) for _ in range(4)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    assert [status for status, _ in results] == ["ok"] * 4, [d for s, d in results if s == "error"][:1]
    client = mlflow.MlflowClient(tracking_uri=uri)
    runs = client.search_runs([client.get_experiment_by_name("race").experiment_id])
    assert sorted(r.info.run_id for r in runs) == sorted(d for _, d in results)
    assert all(r.info.status == "FINISHED" for r in runs)
    assert (tmp_path / "mlflow.db.lock").is_file()


def test_two_trainings_at_once_on_a_fresh_sqlite_store(compose_cfg, tiny_train_overrides, tmp_path):
    run_ids = _train_together(compose_cfg, tiny_train_overrides, tmp_path, jobs=2)
    _check_store(f"sqlite:///{tmp_path}/mlflow.db", run_ids, jobs=2)


@pytest.mark.slow
def test_four_trainings_at_once_on_a_fresh_sqlite_store(compose_cfg, tiny_train_overrides, tmp_path):
    run_ids = _train_together(compose_cfg, tiny_train_overrides, tmp_path, jobs=4)
    _check_store(f"sqlite:///{tmp_path}/mlflow.db", run_ids, jobs=4)
