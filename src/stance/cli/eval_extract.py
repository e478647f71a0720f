"""stance-eval-extract: thin Hydra entry point over `stance.extract.evaluate.run_evaluation`."""

from __future__ import annotations

from stance.cli._common import prepare_process

prepare_process()

import logging  # noqa: E402

import hydra  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from stance.config import CONF_DIR, validate_config  # noqa: E402  (also registers resolvers)

log = logging.getLogger("stance.eval_extract")


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="eval_extract")
def main(cfg: DictConfig) -> None:
    validate_config(cfg)  # a `+key=` typo stops here, naming the key
    from stance.extract.evaluate import markdown_table, run_evaluation

    report = run_evaluation(cfg)
    log.info("PolNeAR %s, %d articles:\n%s", cfg.polnear_dir, report["articles"], markdown_table(report))
    for check in report["targets"]:
        log.info(
            "target %-40s value=%s target=%s met=%s", check["check"], check["value"], check["target"], check["met"]
        )


if __name__ == "__main__":
    main()
