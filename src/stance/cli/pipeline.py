"""stance-pipeline: thin Hydra entry point over `stance.workflows.pipeline.run_pipeline` (the main job).

stance-pipeline input=articles/ output=out/ [model_uri=models:/stance@champion] [jsonl=true] [tracking=none]
"""

from __future__ import annotations

from stance.cli._common import prepare_process

prepare_process()

import logging  # noqa: E402

import hydra  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from stance.config import CONF_DIR, validate_config  # noqa: E402  (also registers resolvers)

log = logging.getLogger("stance.pipeline")


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="pipeline")
def main(cfg: DictConfig) -> None:
    validate_config(cfg)  # a `+key=` typo stops here, naming the key
    from stance.cli._common import route_hf_logs
    from stance.workflows.pipeline import run_pipeline

    route_hf_logs()
    summary = run_pipeline(cfg)
    log.info("outputs: %s", summary["files"])


if __name__ == "__main__":
    main()
