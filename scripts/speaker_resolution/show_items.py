"""Print PolNeAR articles with the set's items marked, for labelling (reads ../shared; prints only, writes nothing).

Markers: [[S sr-0001| source]] <<C sr-0001| cue>> {{Q sr-0001| content}}.
Usage: python scripts/speaker_resolution/show_items.py --half tune [--articles 0:3] | --ids sr-0001 | --pass-b
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from polnear_train import ROOT, read_text  # noqa: E402

ITEMS = ROOT / "data" / "speaker_resolution" / "items.jsonl"
HALVES = ("tune", "heldout", "tune2", "tune3")  # the sets of items*.jsonl, by their `half` field


def item_files(first: Path = ITEMS) -> list[Path]:
    """The files that make up the set: items.jsonl, then any further set beside it (items_tune2.jsonl, ...)."""
    return [first, *sorted(first.parent.glob("items_*.jsonl"))]


def load_items() -> list[dict]:
    """Every item of the set, in file order."""
    return [json.loads(line) for path in item_files() for line in path.read_text(encoding="utf-8").splitlines() if line]


PASS_B_PER_KIND = 14


def pass_b_ids(items: list[dict]) -> list[str]:
    """The fixed pass-B sample: the first 14 heldout items of each kind, in items.jsonl order (56 items)."""
    taken: Counter[str] = Counter()
    ids = []
    for it in items:
        if it["half"] == "heldout" and taken[it["kind"]] < PASS_B_PER_KIND:
            taken[it["kind"]] += 1
            ids.append(it["item_id"])
    return ids


def marked(text: str, items: list[dict]) -> str:
    """The text with each item's source, cue and content bracketed (spans of one article never overlap)."""
    inserts: list[tuple[int, int, str]] = []
    for it in items:
        for part, tag in (("source", "S"), ("cue", "C"), ("content", "Q")):
            open_, close = {"S": ("[[", "]]"), "C": ("<<", ">>"), "Q": ("{{", "}}")}[tag]
            inserts.append((it[f"{part}_start"], 1, f"{open_}{tag} {it['item_id']}| "))
            inserts.append((it[f"{part}_end"], 0, close))
    out = text
    for pos, _, mark in sorted(inserts, key=lambda x: (x[0], x[1]), reverse=True):
        out = out[:pos] + mark + out[pos:]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=HALVES)
    parser.add_argument("--articles", default=":", help="python slice over the half's articles, e.g. 0:3")
    parser.add_argument("--ids", nargs="*")
    parser.add_argument("--pass-b", action="store_true", help="only the fixed pass-B sample (see pass_b_ids)")
    args = parser.parse_args()
    items = load_items()
    if args.pass_b:
        args.ids = pass_b_ids(items)
    if args.ids:
        items = [it for it in items if it["item_id"] in set(args.ids)]
    if args.half:
        items = [it for it in items if it["half"] == args.half]
    by_file: dict[str, list[dict]] = defaultdict(list)
    for it in items:
        by_file[it["file"]].append(it)
    files = list(by_file)
    lo, _, hi = args.articles.partition(":")
    for file in files[int(lo) if lo else None : int(hi) if hi else None]:
        its = by_file[file]
        kinds = ", ".join(f"{i['item_id']}={i['kind']}" for i in its)
        print(f"=== {file} ({len(its)} items: {kinds})")
        print(marked(read_text("train", file), its))
        print()


if __name__ == "__main__":
    main()
