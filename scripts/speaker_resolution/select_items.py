"""Pick the speaker-resolution measurement set from PolNeAR train (reproducible, fixed seed).

Each item is one gold attribution relation whose Source mention is a pronoun, a role noun phrase, a bare
surname (or title + surname) or a generic group. The kind comes from transparent rules on the gold Source
text only (see classify()). Items are clustered a few per article, articles spread over publishers, and
the articles are split into two halves (tune / heldout) stratified by kind.

Writes data/speaker_resolution/items.jsonl (stand-off offsets and the short mention only; no article text).
Usage: python scripts/speaker_resolution/select_items.py [--seed 20261201]

A further tuning set from articles no earlier set uses (ninth session, written to items_tune2.jsonl):
    python scripts/speaker_resolution/select_items.py --seed 20261202 --exclude data/speaker_resolution/items.jsonl \
        --half tune2 --target 43 --first-id 343 --out data/speaker_resolution/items_tune2.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from polnear_train import POLNEAR, ROOT, first_ann, publishers, read_relations, read_text  # noqa: E402

KINDS = ("pronoun", "role", "surname", "group")
PRONOUNS = {"he", "she", "they", "i", "we", "his", "her", "their", "him", "them"}
HONORIFICS = {
    "mr.", "mrs.", "ms.", "miss", "dr.", "sen.", "rep.", "gov.", "sens.", "reps.", "president", "senator",
    "governor", "secretary", "gen.", "lt.", "col.", "judge", "justice", "speaker", "mayor", "rev.", "prof.",
}  # fmt: skip
NOT_SURNAMES = {"republicans", "democrats", "americans", "conservatives", "liberals", "officials", "police", "voters"}
DEFINITE = {"the", "this", "that", "his", "her", "their", "its", "our", "my", "your"}
QUANTIFIERS = {"many", "some", "most", "several", "few", "a few", "all", "other", "others", "both", "numerous",
               "dozens", "hundreds", "thousands", "millions", "half", "majority", "a majority", "one", "two",
               "three", "four", "five", "more", "critics", "supporters", "experts", "analysts", "economists"}  # fmt: skip
SURVEYS = {"polls", "surveys", "studies", "poll", "survey", "study", "reports", "sources", "a source"}
# Cues of belief, wish or intention: the issue prefers real statements.
NON_STATEMENT_CUE = re.compile(
    r"\b(think|thinks|thought|believ\w*|want\w*|hope\w*|feel\w*|felt|fear\w*|know\w*|knew|wish\w*|expect\w*|"
    r"like[sd]?|lov\w+|hat\w+|plan\w*|intend\w*|worr\w+|see[sn]?|saw|view\w*|consider\w*|agree\w*|support\w*|"
    r"oppos\w+|prefer\w*|favor\w*|doubt\w*|suspect\w*|assum\w+|seem\w*|realiz\w+|understand\w*|aim\w*|seek\w*)\b",
    re.IGNORECASE,
)
WORD = re.compile(r"[A-Za-z][\w.'’-]*")
PER_ARTICLE = 6
PER_KIND_PER_ARTICLE = 2
TARGET_PER_KIND = 85
MAX_PER_SURNAME = 6
# Articles are taken in publisher order round-robin; only articles offering at least this many kinds qualify.
MIN_KINDS_IN_ARTICLE = 3


def _is_cap(tok: str) -> bool:
    return bool(tok) and tok[0].isupper() and tok.rstrip(".").isalpha()


def _plural(tok: str) -> bool:
    t = tok.lower()
    return (t.endswith("s") and not t.endswith("ss") and not t.endswith("us") and len(t) > 3) or t in {
        "people",
        "voters",
        "police",
        "men",
        "women",
        "staff",
        "public",
    }


def classify(mention: str, text: str) -> str | None:
    """Kind of a Source mention from its text (and, for surnames, the article's other names); None = skip."""
    if "\n" in mention or len(mention) > 80:
        return None
    toks = mention.split()
    low = [t.lower() for t in toks]
    if len(toks) == 1 and low[0] in PRONOUNS:
        return "pronoun"
    if any("’s" in t or "'s" in t for t in toks):
        return None  # "Clinton's campaign": a name inside the mention, not one of the four kinds
    # Surname: one capitalised token, or honorific + one capitalised token, and a longer name in the article
    # ending in that token (e.g. "James R. Hart" for "Hart" / "Mr. Hart").
    name = None
    if len(toks) == 1 and _is_cap(toks[0]) and low[0] not in PRONOUNS | NOT_SURNAMES:
        name = toks[0]
    elif len(toks) == 2 and low[0] in HONORIFICS and _is_cap(toks[1]):
        name = toks[1]
    if name is not None:
        name = name.rstrip(".")
        pattern = re.compile(r"\b([A-Z][\w.'’-]*) (?:[A-Z]\.? )*" + re.escape(name) + r"\b")
        for m in pattern.finditer(text):
            if m.group(1).lower() not in HONORIFICS | {"the", "a", "an", "and", "but", "of", "in", "for"}:
                return "surname"
        return None
    if len(toks) > 8 or not toks or "," in mention:
        return None
    # Generic group: quantifier / percentage / unnamed sources / polls, or a bare plural common noun phrase.
    first = low[0]
    if (
        re.match(r"^(\d+|[a-z]+ty|[a-z-]+)(%| percent)", mention.lower()) and "percent" in mention.lower()
    ) or "%" in mention:
        return "group"
    if first in QUANTIFIERS or " ".join(low[:2]) in QUANTIFIERS or mention.lower() in SURVEYS:
        return "group"
    if first in {"a", "an"} and len(toks) >= 2 and toks[1].islower():
        return "group"
    if first in {"sources", "polls", "surveys", "studies", "officials", "aides", "observers"}:
        return "group"
    if first not in DEFINITE and all(t.islower() for t in toks) and _plural(toks[-1]):
        return "group"
    # Role: definite determiner / possessive + (modifiers) + singular common-noun head.
    if first in DEFINITE and len(toks) >= 2:
        head = toks[-1]
        if head.isalpha() and head.islower() and not _plural(head) and sum(_is_cap(t) for t in toks[1:]) <= 2:
            return "role"
    return None


def candidates() -> dict[str, dict[str, list[dict]]]:
    """Article file -> kind -> candidate items (statement cues only, source one contiguous span)."""
    out: dict[str, dict[str, list[dict]]] = {}
    for txt in sorted((POLNEAR / "train" / "text").glob("*.txt")):
        ann = first_ann("train", txt.stem)
        if ann is None:
            continue
        text = read_text("train", txt.name)
        by_kind: dict[str, list[dict]] = defaultdict(list)
        for rel in read_relations(ann):
            if rel.source_pieces != 1:
                continue
            mention = text[rel.source[0] : rel.source[1]]
            cue = text[rel.cue[0] : rel.cue[1]]
            content = text[rel.content[0] : rel.content[1]]
            if NON_STATEMENT_CUE.search(cue) or len(content.split()) < 4:
                continue
            kind = classify(mention, text)
            if kind is None:
                continue
            by_kind[kind].append(
                {
                    "file": txt.name,
                    "polnear_split": "train",
                    "kind": kind,
                    "source_start": rel.source[0],
                    "source_end": rel.source[1],
                    "cue_start": rel.cue[0],
                    "cue_end": rel.cue[1],
                    "content_start": rel.content[0],
                    "content_end": rel.content[1],
                    "mention": mention,
                }
            )
        if by_kind:
            out[txt.name] = dict(by_kind)
    return out


def pick(cands: dict[str, dict[str, list[dict]]], rng: random.Random, target: int = TARGET_PER_KIND) -> list[dict]:
    """Round-robin over publishers; from each article take up to 2 items per kind, kinds short of target first."""
    TARGET = target  # noqa: N806 - the module constant, overridable for a smaller extra set
    pubs = publishers()
    by_pub: dict[str, list[str]] = defaultdict(list)
    for file, kinds in cands.items():
        if len(kinds) >= MIN_KINDS_IN_ARTICLE:
            by_pub[pubs.get(file[: -len(".txt")], "unknown")].append(file)
    for files in by_pub.values():
        rng.shuffle(files)
    counts: Counter[str] = Counter()
    per_surname: Counter[str] = Counter()
    chosen: list[dict] = []
    order = sorted(by_pub)
    while any(counts[k] < TARGET for k in KINDS) and any(by_pub.values()):
        for pub in order:
            if not by_pub[pub] or all(counts[k] >= TARGET for k in KINDS):
                continue
            file = by_pub[pub].pop()
            taken: list[dict] = []
            for kind in sorted(KINDS, key=lambda k: counts[k]):
                if counts[kind] >= TARGET:
                    continue
                pool = list(cands[file].get(kind, []))
                rng.shuffle(pool)
                n = 0
                for item in pool:
                    if n >= PER_KIND_PER_ARTICLE or len(taken) >= PER_ARTICLE:
                        break
                    key = item["mention"].split()[-1].rstrip(".")
                    if kind == "surname" and per_surname[key] >= MAX_PER_SURNAME:
                        continue
                    if kind == "surname":
                        per_surname[key] += 1
                    taken.append(item)
                    n += 1
                counts[kind] += n
            chosen.extend(sorted(taken, key=lambda it: it["source_start"]))
    return chosen


def split_halves(items: list[dict], rng: random.Random) -> None:
    """Assign whole articles to tune/heldout, keeping each kind's count balanced between the halves."""
    per_art: dict[str, Counter[str]] = defaultdict(Counter)
    for it in items:
        per_art[it["file"]][it["kind"]] += 1
    arts = sorted(per_art)
    rng.shuffle(arts)
    arts.sort(key=lambda a: -sum(per_art[a].values()))
    totals = {"tune": Counter(), "heldout": Counter()}
    n_arts = Counter()
    half_of: dict[str, str] = {}
    for art in arts:

        def cost(half: str, art: str = art) -> tuple[int, int]:
            other = "heldout" if half == "tune" else "tune"
            imbalance = sum((totals[half][k] + per_art[art][k] - totals[other][k]) ** 2 for k in KINDS)
            return imbalance, n_arts[half]

        half = min(("tune", "heldout"), key=cost)
        half_of[art] = half
        totals[half].update(per_art[art])
        n_arts[half] += 1
    for it in items:
        it["half"] = half_of[it["file"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "speaker_resolution" / "items.jsonl")
    parser.add_argument("--exclude", type=Path, nargs="*", default=[], help="item files whose articles are skipped")
    parser.add_argument("--half", default=None, help="put every item in this half instead of splitting in two")
    parser.add_argument("--target", type=int, default=TARGET_PER_KIND, help="items per kind")
    parser.add_argument("--first-id", type=int, default=1, help="number of the first item id (sr-NNNN)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    used = {json.loads(line)["file"] for path in args.exclude for line in path.read_text(encoding="utf-8").splitlines()}
    cands = {file: kinds for file, kinds in candidates().items() if file not in used}
    items = pick(cands, rng, args.target)
    if args.half:
        for it in items:
            it["half"] = args.half
    else:
        split_halves(items, rng)
    keys = ("file", "polnear_split", "half", "kind", "source_start", "source_end", "cue_start", "cue_end",
            "content_start", "content_end", "mention")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for i, it in enumerate(items, args.first_id):
            fh.write(json.dumps({"item_id": f"sr-{i:04d}", **{k: it[k] for k in keys}}, ensure_ascii=False) + "\n")
    tmp.replace(args.out)
    table = Counter((it["half"], it["kind"]) for it in items)
    halves = sorted({it["half"] for it in items})
    arts = {h: len({it["file"] for it in items if it["half"] == h}) for h in halves}
    print(f"{len(items)} items in {len({it['file'] for it in items})} articles -> {args.out}")
    for half in halves:
        print(half, arts[half], "articles", {k: table[(half, k)] for k in KINDS})


if __name__ == "__main__":
    main()
