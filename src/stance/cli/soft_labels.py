"""stance-soft-labels: thin Hydra entry point over `stance.workflows.soft_labels.run_soft_labels`."""

from __future__ import annotations

from stance.cli._common import prepare_process

prepare_process()

import logging  # noqa: E402

import hydra  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from stance.config import CONF_DIR, validate_config  # noqa: E402  (also registers resolvers)

log = logging.getLogger("stance.soft_labels")


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="soft_labels")
def main(cfg: DictConfig) -> None:
    validate_config(cfg)  # a `+key=` typo stops here, naming the key
    from stance.cli._common import route_hf_logs
    from stance.workflows.soft_labels import run_soft_labels

    route_hf_logs()
    summary = run_soft_labels(cfg)
    log.info("summary: %s", summary)


if __name__ == "__main__":
    main()
