"""Quote extraction on PolNeAR dev: our extractor vs textacy's direct_quotations, as a markdown table.

    .venv/bin/python benchmarks/extract_polnear.py                  # all 84 dev articles, both systems
    .venv/bin/python benchmarks/extract_polnear.py limit=10 baseline=none

Arguments are Hydra overrides of conf/eval_extract.yaml. The full JSON report (counts, targets,
error examples as offsets) goes to outputs/benchmarks/extract_polnear.json unless output=... is given.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import logging  # noqa: E402

from hydra import compose, initialize_config_dir  # noqa: E402

from stance.config import CONF_DIR, PROJECT_ROOT  # noqa: E402
from stance.extract.evaluate import markdown_table, run_evaluation  # noqa: E402


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    overrides = list(argv)
    if not any(o.startswith("output=") for o in overrides):
        overrides.append(f"output={PROJECT_ROOT / 'outputs' / 'benchmarks' / 'extract_polnear.json'}")
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(config_name="eval_extract", overrides=overrides)
    report = run_evaluation(cfg)
    print(f"PolNeAR: {report['polnear_dir']} ({report['articles']} articles, {report['gold_attributions']} gold)")
    print()
    print(markdown_table(report))
    print()
    for check in report["targets"]:
        met = {True: "met", False: "NOT met", None: "n/a"}[check["met"]]
        print(f"- {check['check']}: {check['value']} (target {check['target']}): {met}")
    if "textacy" in report["systems"]:
        print(f"- textacy refusals: {report['systems']['textacy']['refusals']}")
    print(f"\nreport: {report.get('output')}")


if __name__ == "__main__":
    main(sys.argv[1:])
