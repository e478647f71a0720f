"""Print PolNeAR articles with speaker-resolution items marked, for a human annotator (resb).

Why: the annotator reads each item in its article context. The article text is read from the
local PolNeAR copy and printed only to the terminal; it is never written to the repository.

Markers (item number n): Source ``[[n:...]]``, Cue ``{n:...}``, Content ``<<n:...>>``.

Usage:
    python scripts/speaker_resolution/print_items_resb.py ITEMS.jsonl --half heldout --list
    python scripts/speaker_resolution/print_items_resb.py ITEMS.jsonl --half heldout --file-index 3
    python scripts/speaker_resolution/print_items_resb.py ITEMS.jsonl --ids id1 id2
"""

from __future__ import annotations

import argparse
import json
from collections import OrderedDict
from pathlib import Path

TEXT_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "polnear" / "train" / "text"


def load_items(path: Path) -> list[dict]:
    """Read the items file, one JSON object per line."""
    items = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"{path}:{line_no}: bad JSON: {exc}") from exc
    return items


def mark_article(text: str, items: list[dict], numbers: dict[str, int]) -> str:
    """Insert open/close markers for every item's Source, Cue and Content spans."""
    inserts: list[tuple[int, int, str]] = []  # (offset, order, marker); closers before openers
    for item in items:
        n = numbers[item["item_id"]]
        for kind, (open_m, close_m) in {
            "source": (f"[[{n}:", "]]"),
            "cue": (f"{{{n}:", "}"),
            "content": (f"<<{n}:", ">>"),
        }.items():
            start, end = item.get(f"{kind}_start"), item.get(f"{kind}_end")
            if start is None or end is None:
                continue
            inserts.append((start, 1, open_m))
            inserts.append((end, 0, close_m))
    out = []
    prev = 0
    for offset, _, marker in sorted(inserts, key=lambda x: (x[0], x[1])):
        out.append(text[prev:offset])
        out.append(marker)
        prev = offset
    out.append(text[prev:])
    return "".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("items", type=Path)
    parser.add_argument("--half", choices=["tune", "heldout"])
    parser.add_argument("--ids", nargs="*")
    parser.add_argument("--first", type=int, help="only the first N items (after --half)")
    parser.add_argument("--list", action="store_true", help="list files and item counts only")
    parser.add_argument("--file-index", type=int, nargs="*", help="print only these file groups (0-based)")
    args = parser.parse_args()

    items = load_items(args.items)
    if args.half:
        items = [it for it in items if it["half"] == args.half]
    if args.first:
        items = items[: args.first]
    if args.ids:
        wanted = set(args.ids)
        items = [it for it in items if it["item_id"] in wanted]

    groups: OrderedDict[str, list[dict]] = OrderedDict()
    for item in items:
        groups.setdefault(item["file"], []).append(item)
    numbers = {it["item_id"]: i for i, it in enumerate(items)}

    for idx, (fname, group) in enumerate(groups.items()):
        if args.list:
            print(idx, fname, len(group), " ".join(f"{numbers[it['item_id']]}={it['kind']}" for it in group))
            continue
        if args.file_index is not None and idx not in args.file_index:
            continue
        path = TEXT_DIR / fname
        if not path.exists():
            path = TEXT_DIR / f"{fname}.txt"
        text = path.read_text(encoding="utf-8")
        print(f"=================== [{idx}] {fname}")
        for it in group:
            src = text[it["source_start"] : it["source_end"]]
            ok = "" if src == it.get("mention", src) else f"  MISMATCH mention={it.get('mention')!r}"
            print(f"  #{numbers[it['item_id']]} {it['item_id']} kind={it['kind']} source={src!r}{ok}")
        print(mark_article(text, group, numbers))
        print()


if __name__ == "__main__":
    main()
