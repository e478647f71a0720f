"""stance-extract: thin Hydra entry point over `stance.workflows.extract.run_extraction`.

stance-extract input=articles/ output=quotes.jsonl [on_error=skip] [extract.n_process=2]
"""

from __future__ import annotations

from stance.cli._common import prepare_process

prepare_process()

import logging  # noqa: E402

import hydra  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from stance.config import CONF_DIR, validate_config  # noqa: E402  (also registers resolvers)

log = logging.getLogger("stance.extract")


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="extract")
def main(cfg: DictConfig) -> None:
    validate_config(cfg)  # a `+key=` typo stops here, naming the key
    from stance.workflows.extract import run_extraction

    summary = run_extraction(cfg)
    log.info("summary: %s", summary)


if __name__ == "__main__":
    main()
