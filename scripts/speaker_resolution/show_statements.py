"""Print each item of the set in its paragraph, for the statement label (reads ../shared; prints only).

The statement label says whether an item's Content renders what its Source said or wrote, i.e. whether the
item is a quotation at all (see the README's "Statement label"). Annotators see only the article text around
the item, never the extractor's output or the name labels. Markers as in show_items.py.
Usage: python scripts/speaker_resolution/show_statements.py [--half tune|heldout|tune2|tune3] [--ids sr-0001 ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from polnear_train import read_text  # noqa: E402
from show_items import HALVES, load_items, marked  # noqa: E402

CONTEXT = 300  # characters of text kept on each side of the item, cut at a paragraph break when one is nearer


def window(text: str, item: dict) -> str:
    """The item's own span with markers, widened to the surrounding paragraph(s) but at most CONTEXT each side."""
    start = min(item["source_start"], item["cue_start"], item["content_start"])
    end = max(item["source_end"], item["cue_end"], item["content_end"])
    lo = max(0, start - CONTEXT)
    hi = min(len(text), end + CONTEXT)
    para_lo = text.rfind("\n", lo, start)
    para_hi = text.find("\n", end, hi)
    lo = para_lo + 1 if para_lo != -1 else lo
    hi = para_hi if para_hi != -1 else hi
    shifted = {k: (v - lo if k.endswith(("_start", "_end")) else v) for k, v in item.items() if k != "content"}
    return marked(text[lo:hi], [shifted]).replace("\n", " / ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=HALVES)
    parser.add_argument("--ids", nargs="*")
    args = parser.parse_args()
    items = load_items()
    if args.half:
        items = [it for it in items if it["half"] == args.half]
    if args.ids:
        items = [it for it in items if it["item_id"] in set(args.ids)]
    for item in items:
        print(f"### {item['item_id']}")
        print(window(read_text("train", item["file"]), item))
        print()


if __name__ == "__main__":
    main()
