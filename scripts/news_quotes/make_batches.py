"""Select candidates for annotation and cut them into blind batches (no labels, no model output).

Selection: every news-cc candidate, plus PolNeAR train/dev candidates: all whose cue or wording
suggests a rarer stance (dismissal, calls to action), and a random sample of the rest. The keyword
filter only decides which quotes annotators *see*; every label is a human-style judgement of the quote
in its context.

    .venv/bin/python scripts/news_quotes/make_batches.py --annot .annot --polnear-random 900
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

RARE = re.compile(
    r"\b(dismiss\w*|reject\w*|den(y|ied|ies)|baseless|nonsense|ridiculous|absurd|laughab\w+|hoax|witch hunt|"
    r"fake|false|not true|untrue|no evidence|lie|lies|smear|distraction|conspiracy|overblown|"
    r"shrug\w*|brush\w* (off|aside)|not (worried|concerned)|doesn'?t matter|who cares|"
    r"urg\w+|call(ed|s|ing)? (on|for)|demand\w*|must|should|need to|needs to|have to|has to|appeal\w*|"
    r"let'?s|vote for|we ask|i ask|encourag\w+|recommend\w*|insist\w*)\b",
    re.IGNORECASE,
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--annot", default=".annot")
    ap.add_argument("--source", choices=["news-cc", "polnear"], required=True)
    ap.add_argument("--random", type=int, default=900, help="candidates taken at random")
    ap.add_argument("--rare", type=int, default=1100, help="candidates taken from those matching RARE")
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    root = Path(args.annot)
    rng = random.Random(args.seed)

    def load(name: str) -> list[dict]:
        path = root / name
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []

    if args.source == "news-cc":
        pool, prefix = load("candidates_news-cc_all.jsonl"), "nc"
    else:
        pool, prefix = load("candidates_polnear_train.jsonl") + load("candidates_polnear_dev.jsonl"), "pn"
    pool = [c for c in pool if len(c["text"].split()) >= 5]
    rare = [c for c in pool if RARE.search(c["text"]) or RARE.search(c.get("cue") or "")]
    rare_ids = {c["cand_id"] for c in rare}
    rest = [c for c in pool if c["cand_id"] not in rare_ids]
    rng.shuffle(rare)
    rng.shuffle(rest)
    chosen = rare[: args.rare] + rest[: args.random]
    rng.shuffle(chosen)
    batches = root / "batches"
    batches.mkdir(exist_ok=True)
    fields = ("cand_id", "speaker", "speaker_mention", "cue", "text", "context")
    for i in range(0, len(chosen), args.batch):
        with open(batches / f"{prefix}_{i // args.batch:03d}.jsonl", "w", encoding="utf-8") as fh:
            for c in chosen[i : i + args.batch]:
                fh.write(json.dumps({k: c.get(k) for k in fields}, ensure_ascii=False) + "\n")
    print(
        f"{args.source}: {len(pool)} candidates, {len(rare)} match RARE; chose {min(len(rare), args.rare)} rare + "
        f"{min(len(rest), args.random)} random = {len(chosen)} items in {-(-len(chosen) // args.batch)} batches"
    )


if __name__ == "__main__":
    main()
