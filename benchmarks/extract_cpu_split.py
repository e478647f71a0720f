"""Where extraction time goes: CPU seconds of spaCy's parse and of the quote finding, ours and textacy's.

    .venv/bin/python benchmarks/extract_cpu_split.py --limit 24 --rounds 2

Same spaCy model and articles (PolNeAR dev by default) as benchmarks/extract_throughput.py, one process;
`time.process_time()` around `nlp.pipe` and around the quote finding (ours: rules and speaker resolution;
textacy: `direct_quotations`, a refused document counting as no quotes).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from omegaconf import OmegaConf  # noqa: E402

from stance.config import CONF_DIR, PROJECT_ROOT  # noqa: E402
from stance.extract.nlp import resolve_model_name  # noqa: E402
from stance.extract.pipeline import build_extractor  # noqa: E402


def main(argv: list[str]) -> None:
    import spacy
    from textacy.extract.triples import direct_quotations

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=Path, default=PROJECT_ROOT.parent / "shared/data/polnear/dev/text")
    parser.add_argument("--limit", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    arts = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(args.articles.glob("*.txt"))[: args.limit]]
    texts = [t for _, t in arts]
    cfg = OmegaConf.load(CONF_DIR / "extract" / "default.yaml")
    ours = build_extractor(cfg)
    ours.extract("Warm-up. \u201cHi there,\u201d she said.", "warmup")
    plain = spacy.load(resolve_model_name(str(cfg.spacy_model)))
    plain("Warm-up.")
    for r in range(args.rounds):
        c = time.process_time()
        docs = list(ours.nlp.pipe(texts, batch_size=16))
        parse = time.process_time() - c
        c = time.process_time()
        n = sum(len(ours.quotes_from_doc(d, a)) for d, (a, _) in zip(docs, arts))
        rules = time.process_time() - c
        c = time.process_time()
        tdocs = list(plain.pipe(texts, batch_size=16))
        tparse = time.process_time() - c
        c = time.process_time()
        m = 0
        for d in tdocs:
            try:
                m += len(list(direct_quotations(d)))
            except ValueError:  # an odd number of quotation marks
                pass
        trules = time.process_time() - c
        print(
            f"round {r + 1}: stance parse {parse:.2f} s + rules/speakers {rules:.2f} s ({n} quotes); "
            f"textacy parse {tparse:.2f} s + direct_quotations {trules:.2f} s ({m} quotes)",
            flush=True,
        )
    print(f"{len(arts)} articles; stance pipeline {ours.nlp.pipe_names}; textacy pipeline {plain.pipe_names}")


if __name__ == "__main__":
    main(sys.argv[1:])
