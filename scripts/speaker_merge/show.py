"""Print name-like Source mentions with the article's matching full-name forms and surrounding text, for labelling.

Prints article text to the terminal only; nothing is written. Needs the cache from candidates.py.
Usage: python scripts/speaker_merge/show.py SURNAME [SURNAME...] [--width 150] [--max 8]
       python scripts/speaker_merge/show.py --key FILE:SOURCE_START [--key ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from candidates import CACHE  # noqa: E402
from polnear_sources import POLNEAR  # noqa: E402


def context(file: str, start: int, end: int, width: int) -> str:
    text = (POLNEAR / "train" / "text" / file).read_text(encoding="utf-8")
    left = text[max(0, start - width) : start].replace("\n", " / ")
    right = text[end : end + width].replace("\n", " / ")
    return f"{left}[[{text[start:end]}]]{right}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("surnames", nargs="*")
    ap.add_argument("--key", action="append", default=[])
    ap.add_argument("--width", type=int, default=150)
    ap.add_argument("--max", type=int, default=8, help="mentions per surname, at most one per article and form")
    args = ap.parse_args()
    rows = json.loads(CACHE.read_text(encoding="utf-8"))
    if args.key:
        wanted = set(args.key)
        for r in rows:
            if f"{r['file']}:{r['source_start']}" in wanted:
                print(f"{r['file']}:{r['source_start']}\t{r['mention']}\t{r['full_forms']}")
                print("   ", context(r["file"], r["source_start"], r["source_end"], args.width))
        return
    for s in args.surnames:
        seen: set[tuple[str, str]] = set()
        per: dict[str, int] = defaultdict(int)
        print(f"===== {s}")
        for r in rows:
            if r["name"][-1] != s or (r["file"], r["mention"]) in seen or per[s] >= args.max:
                continue
            seen.add((r["file"], r["mention"]))
            per[s] += 1
            print(f"{r['file']}:{r['source_start']}\t{r['mention']}\t{r['full_forms']}")
            print("   ", context(r["file"], r["source_start"], r["source_end"], args.width))


if __name__ == "__main__":
    main()
