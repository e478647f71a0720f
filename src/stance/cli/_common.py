"""Process set-up shared by every entry point: offline hub, quiet third-party logs."""

from __future__ import annotations

import logging
import os
import signal
import sys


def prepare_process() -> None:
    """Run before transformers is imported: never reach for a hub unless the user opts in."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", os.environ["HF_HUB_OFFLINE"])
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    # `kill` ends the process through the normal exception path, so the MLflow run is closed as FAILED
    # and temp files are removed instead of being left RUNNING / half-written.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    for noisy in ("alembic", "mlflow.store", "urllib3", "matplotlib", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def route_hf_logs() -> None:
    """Send transformers' logs through Hydra's handlers instead of its own (no duplicate lines)."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_default_handler()
        hf_logging.enable_propagation()
    except ImportError:
        pass
