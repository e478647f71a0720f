"""A Hydra callback that gives every multirun one parent MLflow run with a child run per job."""

from __future__ import annotations

import atexit
import logging
import os
import time
from typing import Any

from hydra.core.utils import JobStatus
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from stance.tracking.mlflow_run import PARENT_RUN_ENV, SWEEP_ENV, configure

log = logging.getLogger(__name__)


class MlflowSweepCallback(Callback):
    """Opens the parent run before the first job and closes it after the last.

    Jobs of the basic and Optuna launchers run in this process, so the parent id reaches them
    through an environment variable that `tracked_run` reads.
    """

    def __init__(self) -> None:
        self.parent_id: str | None = None
        self.client: Any = None
        self.failed = 0
        self.jobs = 0

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        tracking = config.get("tracking")
        if tracking is None or not tracking.get("enabled", True):
            return
        import mlflow

        experiment_id = configure(tracking.uri, tracking.experiment, tracking.get("artifact_dir"))
        sweep_id = time.strftime("sweep-%Y%m%d-%H%M%S")
        overrides = " ".join(config.hydra.overrides.task) if config.get("hydra") else ""
        self.client = mlflow.MlflowClient()
        run = self.client.create_run(
            experiment_id,
            run_name=f"{sweep_id} {overrides}".strip()[:250],
            tags={"sweep_id": sweep_id, "stance.role": "sweep-parent", "sweep.overrides": overrides[:5000]},
        )
        self.parent_id = run.info.run_id
        os.environ[PARENT_RUN_ENV] = self.parent_id
        os.environ[SWEEP_ENV] = sweep_id
        # Hydra's basic sweeper re-raises a failed job's error before on_multirun_end runs, so the
        # parent is also closed at exit; otherwise it would stay RUNNING forever.
        atexit.register(self._close)
        log.info("sweep %s: parent MLflow run %s", sweep_id, self.parent_id)

    def on_job_end(self, config: DictConfig, job_return: Any, **kwargs: Any) -> None:
        if self.parent_id is None:
            return
        self.jobs += 1
        if job_return is not None and job_return.status == JobStatus.FAILED:
            self.failed += 1

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        self._close()
        atexit.unregister(self._close)

    def _close(self) -> None:
        """Tag the parent with the job counts and end it (FAILED only when every job failed)."""
        if self.parent_id is None:
            return
        self.client.set_tag(self.parent_id, "sweep.jobs", str(self.jobs))
        self.client.set_tag(self.parent_id, "sweep.failed_jobs", str(self.failed))
        self.client.set_terminated(self.parent_id, "FAILED" if self.jobs and self.failed == self.jobs else "FINISHED")
        os.environ.pop(PARENT_RUN_ENV, None)
        os.environ.pop(SWEEP_ENV, None)
        self.parent_id = None
