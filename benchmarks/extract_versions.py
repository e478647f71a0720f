"""Extraction speed of two checkouts of stance on the same articles, alternating, in one run.

    git worktree add /tmp/stance-before <commit>
    .venv/bin/python benchmarks/extract_versions.py --before /tmp/stance-before --rounds 3

Each round runs the baseline checkout, then this one (or `--after`), each in a fresh one-thread process that
loads its own `conf/extract/default.yaml` and spaCy model (untimed), warms up on two articles, then times
`QuoteExtractor.extract_many` over all articles (wall and CPU seconds). Alternating rounds spread the load of other
jobs over both; the figures are per-round ratios and their median. Used for the issue-10 bar "articles per second
no lower than 90% of before".
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ARTICLES = ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"

# Runs inside the checkout under test (its src on PYTHONPATH): prints one JSON line.
CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
from omegaconf import OmegaConf
import stance
from stance.extract.pipeline import build_extractor
conf = Path(stance.__file__).resolve().parents[2] / "conf" / "extract" / "default.yaml"
extractor = build_extractor(OmegaConf.load(conf))
texts = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
list(extractor.extract_many(texts[:2]))
r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
quotes = sum(len(q) for _, q in extractor.extract_many(texts))
t1, r1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(json.dumps({"articles": len(texts), "quotes": quotes, "wall": t1 - t0, "cpu": cpu}))
"""


def run_once(checkout: Path, articles: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout / "src"), "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", CHILD, str(articles)], env=env, check=True, capture_output=True,
                         text=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the baseline checkout (a git worktree)")
    parser.add_argument("--after", type=Path, default=ROOT, help="the checkout to compare (default: this one)")
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES, help="folder of .txt articles")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rows = []
    for i in range(args.rounds):
        before, after = run_once(args.before, args.articles), run_once(args.after, args.articles)
        rows.append((before, after))
        print(f"round {i + 1}: before {before['cpu']:.2f} CPU s / {before['wall']:.2f} wall s "
              f"({before['quotes']} quotes), after {after['cpu']:.2f} / {after['wall']:.2f} ({after['quotes']})")  # fmt: skip
    cpu = statistics.median(b["cpu"] / a["cpu"] for b, a in rows)
    wall = statistics.median(b["wall"] / a["wall"] for b, a in rows)
    n = rows[0][0]["articles"]
    print(f"{n} articles; speed after / before, median of per-round ratios: CPU {cpu:.3f}, wall {wall:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
