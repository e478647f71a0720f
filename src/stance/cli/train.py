"""stance-train: thin Hydra entry point over `stance.workflows.train.run_training`."""

from __future__ import annotations

from stance.cli._common import prepare_process

prepare_process()

import logging  # noqa: E402

import hydra  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from stance.config import CONF_DIR, validate_config  # noqa: E402  (also registers resolvers)

log = logging.getLogger("stance.train")


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="train")
def main(cfg: DictConfig) -> float | None:
    validate_config(cfg)  # a `+train.lrr=1` typo stops here, naming the key, before any run is opened
    from stance.cli._common import route_hf_logs
    from stance.workflows.train import run_training

    route_hf_logs()
    metrics = run_training(cfg)
    value = metrics.get(cfg.get("optimized_metric") or "eval_macro_f1")
    return float(value) if value is not None else None


if __name__ == "__main__":
    main()
