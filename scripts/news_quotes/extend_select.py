"""Choose new candidates to grow the news-quote corpus (round 2, pass `ann_h`) and cut them into blind batches.

Only quotes not yet in the corpus, never from an article of the corpus's test split (so the test split
and every earlier figure stay comparable), and at least five words (as make_batches.py). The sample is
stratified by transparent cue strata so the rarer labels are drawn deliberately:

- `D` (dismissal cues), `U` (calls to action), `S` (praise/support): the first of these regexes that
  matches the quote, its reporting cue, or the 160 characters of narration before the quote;
- `R`: every other candidate.

Each stratum is sampled at a stated rate (a fraction of its eligible candidates, drawn at random with a
fixed seed); a run may cover the candidates written so far (`--partial` leaves out the last, possibly
unfinished article) and a later run the rest, at the same rates. The strata only
decide which quotes the annotator sees, never the label. A random `--double-share` of the chosen items is
also written, without labels and with the same fields the annotator sees, for a blind second pass.

    python scripts/news_quotes/extend_select.py --annot .annot2 --source news-cc \
        --rates D=1,U=1,S=1,R=0.35 --prefix hna --double-out /work/annot/corpus_double/batch_for_second_pass.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from pathlib import Path

STRATA = {
    "D": re.compile(
        r"\b(dismiss\w*|brush\w* (off|aside)|reject\w*|rebuff\w*|refut\w*|den(y|ied|ies|ial)|downplay\w*|"
        r"play\w* down|nonsense|ridiculous|absurd|laughab\w+|baseless|unfounded|no evidence|no basis|not true|"
        r"untrue|false|hoax|fake|witch hunt|lie|lies|lying|smear\w*|distraction|overblown|exaggerat\w*|scoff\w*|"
        r"shrug\w*|misleading|politically motivated|irrelevant|not (worried|concerned)|no comment|"
        r"(declin|refus)\w* to comment|nothing to (do|hide)|rubbish|garbage|silly|crazy|conspiracy|"
        # D list, second part (from stage hnb on): more rejections and the cues of a reply
        r"wrong|incorrect|inaccurate|bogus|phony|made up|fabricat\w*|debunk\w*|categorical\w*|meritless|no merit|"
        r"frivolous|stunt|sour grapes|desperat\w*|mischaracteri\w*|misrepresent\w*|distort\w*|out of context|"
        r"don'?t care|so what|no big deal|joke|respon\w*|counter\w*|(shot|fired|pushed|hit) back|retort\w*|"
        r"wav\w* off|laugh\w* off|mock\w*)\b",
        re.IGNORECASE,
    ),
    "U": re.compile(
        r"\b(urg\w+|call(ed|s|ing)? (on|for|upon)|demand\w*|must|should|need(s|ed)? to|have to|has to|ought|"
        r"appeal\w*|let'?s|vote for|encourag\w+|recommend\w*|insist\w*|implor\w+|plead\w*|ask\w* (for|that))\b",
        re.IGNORECASE,
    ),
    "S": re.compile(
        r"\b(prais\w*|welcom\w*|back(ed|s|ing)|endors\w*|applaud\w*|hail\w*|support\w*|commend\w*|"
        r"congratulat\w*|thank\w*|proud|great|fantastic|excellent|wonderful|success\w*|defend\w*|champion\w*|"
        r"admir\w*|celebrat\w*)\b",
        re.IGNORECASE,
    ),
}
FIELDS = ("cand_id", "speaker", "speaker_mention", "cue", "text", "context")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def stratum(c: dict) -> str:
    before = c["context"][: max(c["context"].find(c["text"]), 0)][-160:]
    for name, rx in STRATA.items():
        if rx.search(c["text"]) or rx.search(c.get("cue") or "") or rx.search(before):
            return name
    return "R"


def corpus_rows(corpus: Path) -> list[dict]:
    return read_jsonl(corpus / "news_cc.jsonl") + read_jsonl(corpus / "polnear_standoff.jsonl")


def eligible(cands: list[dict], corpus: list[dict]) -> list[dict]:
    """Drop quotes already in the corpus (same id or overlapping span), test-split articles and short quotes."""
    test = {(r["source"], r["article_id"]) for r in corpus if r["split"] == "test"}
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for r in corpus:
        spans.setdefault((r["source"], r["article_id"]), []).append((r["start"], r["end"]))
    out = []
    for c in cands:
        key = (c["source"], c["article_id"])
        if key in test or len(c["text"].split()) < 5:
            continue
        if any(s < c["end"] and c["start"] < e for s, e in spans.get(key, [])):
            continue
        out.append(c)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--annot", default=".annot2")
    ap.add_argument("--corpus", default="data/news_quotes")
    ap.add_argument("--source", choices=["news-cc", "polnear"], required=True)
    ap.add_argument("--rates", required=True, help="sampling rate per stratum, e.g. D=1,U=1,S=1,R=0.35")
    ap.add_argument("--partial", action="store_true", help="leave out the last article (still being written)")
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--double-share", type=float, default=0.16)
    ap.add_argument("--double-out", default=None)
    args = ap.parse_args()
    root = Path(args.annot)
    rng = random.Random(args.seed)
    pattern = "candidates_news-cc_all*.jsonl" if args.source == "news-cc" else "candidates_polnear_train*.jsonl"
    cands = []
    for path in sorted(root.glob(pattern)):
        part = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                part.append(json.loads(line))
            except json.JSONDecodeError:  # the last line of a file still being written
                break
        if args.partial and part:
            part = [c for c in part if c["article_id"] != part[-1]["article_id"]]
        cands += part
    done = {json.loads(x)["cand_id"] for p in root.glob("strata_*.jsonl") for x in p.read_text().splitlines()}
    cands = list({c["cand_id"]: c for c in cands if c["cand_id"] not in done}.values())
    rng.seed(f"{args.seed}|{args.prefix}")
    pool = eligible(cands, corpus_rows(Path(args.corpus)))
    by_stratum: dict[str, list[dict]] = {k: [] for k in [*STRATA, "R"]}
    for c in pool:
        by_stratum[stratum(c)].append(c)
    rates = {k: float(v) for k, v in (p.split("=") for p in args.rates.split(","))}
    chosen, record = [], []
    for k, items in by_stratum.items():
        rng.shuffle(items)
        take = items[: round(len(items) * rates.get(k, 0.0))]
        chosen += take
        record += [{"cand_id": c["cand_id"], "stratum": k, "chosen": True} for c in take]
        record += [{"cand_id": c["cand_id"], "stratum": k, "chosen": False} for c in items[len(take) :]]
        print(f"{args.source} stratum {k}: {len(items)} eligible, {len(take)} chosen")
    rng.shuffle(chosen)
    batches = root / "batches"
    batches.mkdir(exist_ok=True)
    for i in range(0, len(chosen), args.batch):
        with open(batches / f"{args.prefix}_{i // args.batch:03d}.jsonl", "w", encoding="utf-8") as fh:
            for c in chosen[i : i + args.batch]:
                fh.write(json.dumps({k: c.get(k) for k in FIELDS}, ensure_ascii=False) + "\n")
    with open(root / f"strata_{args.prefix}.jsonl", "w", encoding="utf-8") as fh:
        for r in record:
            fh.write(json.dumps(r) + "\n")
    if args.double_out:
        doubled = rng.sample(chosen, k=round(len(chosen) * args.double_share))
        with open(args.double_out, "a", encoding="utf-8") as fh:
            for c in doubled:
                fh.write(json.dumps({k: c.get(k) for k in FIELDS}, ensure_ascii=False) + "\n")
        print(f"{len(doubled)} items appended to {args.double_out} for the blind second pass")
    print(
        f"{args.source}: {len(pool)} eligible; chose {len(chosen)} in {-(-len(chosen) // args.batch)} batches; "
        f"strata {dict(Counter(r['stratum'] for r in record if r['chosen']))}"
    )


if __name__ == "__main__":
    main()
