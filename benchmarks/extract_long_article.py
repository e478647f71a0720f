"""Extraction time against article length: does it grow in proportion (linear) or faster?

    .venv/bin/python benchmarks/extract_long_article.py                     # 25k, 50k, 100k, 250k, 1M characters
    .venv/bin/python benchmarks/extract_long_article.py --sizes 25000 100000

Builds each article from real news text (whole news-cc articles joined with blank lines, paragraphs kept,
cut at a paragraph break), extracts it once with the default extractor (conf/extract/default.yaml) and
prints seconds (wall and CPU), CPU seconds per 100 kB and that figure relative to the smallest article: about 1 everywhere
means linear; under the old quadratic behaviour it grew with the length (about 4 at 100k against 25k).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from omegaconf import OmegaConf  # noqa: E402

from stance.config import CONF_DIR, PROJECT_ROOT  # noqa: E402
from stance.extract.pipeline import build_extractor  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("STANCE_SHARED_DATA_DIR", PROJECT_ROOT.parent / "shared" / "data"))
SIZES = [25_000, 50_000, 100_000, 250_000, 1_000_000]


def long_article(texts: list[str], size: int) -> str:
    """Whole articles joined by blank lines until `size` characters, cut back to the last paragraph break."""
    joined, n = [], 0
    for text in texts:
        joined.append(text.strip())
        n += len(joined[-1]) + 2
        if n >= size:
            break
    if n < size:
        raise SystemExit(f"the corpus holds only {n} characters, fewer than {size}")
    article = "\n\n".join(joined)[:size]
    return article[: article.rfind("\n\n")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="article lengths in characters")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA / "news-cc" / "articles.jsonl")
    parser.add_argument("--log", default="WARNING", help="log level (INFO shows the progress lines)")
    args = parser.parse_args()
    logging.basicConfig(level=args.log, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    texts = [json.loads(line)["text"] for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    extractor = build_extractor(OmegaConf.load(CONF_DIR / "extract" / "default.yaml"))
    extractor.extract("Warm-up sentence, he said.", "warmup")  # the model load stays out of the timing
    print(
        "| characters | paragraphs | quotes | seconds (wall) | CPU seconds | CPU s per 100 kB | relative to the first |"
    )
    print("|---|---|---|---|---|---|---|")
    first = None
    for size in sorted(args.sizes):
        article = long_article(texts, size)
        started, cpu = time.perf_counter(), time.process_time()
        quotes = extractor.extract(article, f"long-{size}")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert all(article[q.start : q.end] == q.text for q in quotes)
        per_100k = cpu / len(article) * 100_000  # CPU time: other jobs on the machine inflate the wall time
        first = first or per_100k
        paragraphs = article.count("\n\n") + 1
        print(
            f"| {len(article):,} | {paragraphs:,} | {len(quotes):,} | {seconds:.1f} | {cpu:.1f} | {per_100k:.2f} | "
            f"{per_100k / first:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
