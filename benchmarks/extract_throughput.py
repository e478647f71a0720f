"""Extraction throughput: stance's extractor vs textacy's direct_quotations, same spaCy model, same articles.

    .venv/bin/python benchmarks/extract_throughput.py                      # PolNeAR dev, 3 rounds, 1 and 2 processes
    .venv/bin/python benchmarks/extract_throughput.py --limit 20 --rounds 2 --processes 1 2
    .venv/bin/python benchmarks/extract_throughput.py --articles data/sample_articles

Each round runs every system once over the same articles, in an order that rotates from round to round, so
that load from other jobs on the machine falls on all of them alike; the figures are medians over rounds and
the ratio is taken within each round. Ours is `QuoteExtractor.extract_many` with `conf/extract/default.yaml`
(parse, rules, speaker resolution; `extract.n_process` worker processes from a fork server). textacy is
`spacy.load(model).pipe(texts, batch_size, n_process)` (spaCy's own worker processes) followed by
`textacy.extract.triples.direct_quotations` on each doc; a document textacy refuses (an odd number of
quotation marks) counts as done with no quotes. Both batch 16 articles; loading the model in this process is
not timed, starting worker processes (and their model copies) is.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from omegaconf import OmegaConf  # noqa: E402

from stance.config import CONF_DIR, PROJECT_ROOT  # noqa: E402
from stance.extract.nlp import resolve_model_name  # noqa: E402
from stance.extract.pipeline import build_extractor  # noqa: E402

POLNEAR_DEV = PROJECT_ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"


def read_articles(folder: Path, limit: int | None) -> list[tuple[str, str]]:
    paths = sorted(folder.glob("*.txt"))[:limit]
    if not paths:
        raise SystemExit(f"{folder}: no .txt articles")
    return [(p.stem, p.read_text(encoding="utf-8")) for p in paths]


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the worker processes, once joined)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def ours(articles: list[tuple[str, str]], n_process: int, batch_size: int) -> Callable[[], int]:
    cfg = OmegaConf.load(CONF_DIR / "extract" / "default.yaml")
    cfg.n_process, cfg.batch_size = n_process, batch_size
    extractor = build_extractor(cfg)
    extractor.extract("Warm-up. \u201cHello there,\u201d she said.", "warmup")  # loads spaCy here, untimed

    def run() -> int:
        return sum(len(quotes) for _, quotes in extractor.extract_many(articles))

    return run


def textacy_run(articles: list[tuple[str, str]], n_process: int, batch_size: int, model: str) -> Callable[[], int]:
    import spacy
    from textacy.extract.triples import direct_quotations

    nlp = spacy.load(resolve_model_name(model))
    nlp("Warm-up.")
    texts = [text for _, text in articles]

    def run() -> int:
        found = 0
        for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            try:
                found += len(list(direct_quotations(doc)))
            except ValueError:  # "Unable to find ... quotes": an odd number of quotation marks
                pass
        return found

    return run


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=Path, default=POLNEAR_DEV, help="folder of .txt articles")
    parser.add_argument("--limit", type=int, default=None, help="first N articles (by file name)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args(argv)

    articles = read_articles(args.articles, args.limit)
    chars = sum(len(t) for _, t in articles)
    model = str(OmegaConf.load(CONF_DIR / "extract" / "default.yaml").spacy_model)
    systems: dict[str, Callable[[], int]] = {}
    for n in args.processes:
        systems[f"stance n_process={n}"] = ours(articles, n, args.batch_size)
        systems[f"textacy n_process={n}"] = textacy_run(articles, n, args.batch_size, model)
    names = list(systems)
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    found: dict[str, int] = {}
    for r in range(args.rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            c0, t0 = cpu_seconds(), time.perf_counter()
            found[name] = systems[name]()
            seconds, cpu_used = time.perf_counter() - t0, cpu_seconds() - c0
            wall[name].append(seconds)
            cpu[name].append(cpu_used)
            print(f"round {r + 1} {name}: {len(articles) / seconds:.3f} articles/s ({seconds:.1f} s)", flush=True)

    print(
        f"\n{len(articles)} articles ({chars} characters) from {args.articles}, spaCy model {resolve_model_name(model)}, "
        f"batch {args.batch_size}, {args.rounds} rounds; {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average at the end {os.getloadavg()[0]:.1f}"
    )
    print("\n| system | articles/s (median) | per round | CPU s per article | quotes found |")
    print("|---|---|---|---|---|")
    for name in names:
        rates = [len(articles) / s for s in wall[name]]
        per_round = ", ".join(f"{x:.2f}" for x in rates)
        cpu_per = statistics.median(cpu[name]) / len(articles)  # stance n>1: the fork server's workers are not counted
        print(f"| {name} | {statistics.median(rates):.3f} | {per_round} | {cpu_per:.3f} | {found[name]} |")
    print("\n| processes | stance / textacy (median of per-round ratios) | per round |")
    print("|---|---|---|")
    for n in args.processes:
        ratios = [t / s for s, t in zip(wall[f"stance n_process={n}"], wall[f"textacy n_process={n}"])]
        print(f"| {n} | **{statistics.median(ratios):.2f}x** | {', '.join(f'{x:.2f}' for x in ratios)} |")
    if len(args.processes) > 1:
        lo, hi = min(args.processes), max(args.processes)
        for system in ("stance", "textacy"):
            speedup = [a / b for a, b in zip(wall[f"{system} n_process={lo}"], wall[f"{system} n_process={hi}"])]
            print(f"- {system}: {hi} processes vs {lo}: {statistics.median(speedup):.2f}x")


if __name__ == "__main__":  # worker processes import this module without running main
    main(sys.argv[1:])
