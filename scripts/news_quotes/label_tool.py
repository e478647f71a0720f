"""Annotator helper for pass ann_h: show a blind batch compactly, then record one label per item.

    python scripts/news_quotes/label_tool.py show hn_000
    python scripts/news_quotes/label_tool.py save hn_000 "NNCSU NDNNC ..."   # S C D U N, K = skip

Labels are appended to data/news_quotes/round2/labels_ann_h.jsonl (cand_id, batch, label): offsets and
labels only, no article text, so PolNeAR rows are safe to commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ANNOT = ROOT / ".annot2"
OUT = ROOT / "data" / "news_quotes" / "round2" / "labels_ann_h.jsonl"
CODES = {"S": "supportive", "C": "critical", "D": "dismissive", "U": "urging_action", "N": "neutral", "K": "skip"}


def batch(name: str) -> list[dict]:
    return [json.loads(x) for x in (ANNOT / "batches" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]


def show(name: str, part: str = "0", before: int = 170, after: int = 70) -> None:
    """Print half a batch (part 0 or 1) with the context trimmed around the quote (marked [[Q]])."""
    items = batch(name)
    lo = 0 if part == "0" else len(items) // 2
    hi = len(items) // 2 if part == "0" else len(items)
    for i, c in list(enumerate(items))[lo:hi]:
        ctx, q = c["context"], c["text"]
        at = ctx.find(q)
        if at < 0:
            window = ctx[: before + after]
        else:
            window = ctx[max(0, at - before) : at] + "[[Q]]" + ctx[at + len(q) : at + len(q) + after]
        window = " ".join(window.split())
        print(f"{i} ({c['speaker']}|{c['cue']}) «{' '.join(q.split())}» ~ {window}")


def save(name: str, codes: str) -> None:
    letters = [ch for ch in codes.upper() if not ch.isspace()]
    items = batch(name)
    if len(letters) != len(items) or any(ch not in CODES for ch in letters):
        raise SystemExit(f"{name}: {len(letters)} codes for {len(items)} items, or an unknown code")
    done = set()
    if OUT.exists():
        done = {json.loads(x)["batch"] for x in OUT.read_text(encoding="utf-8").splitlines()}
    if name in done:
        raise SystemExit(f"{name} already saved")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "a", encoding="utf-8") as fh:
        for c, ch in zip(items, letters):
            fh.write(json.dumps({"cand_id": c["cand_id"], "batch": name, "label": CODES[ch]}) + "\n")
    print(name, {v: letters.count(k) for k, v in CODES.items()})


if __name__ == "__main__":
    {
        "show": lambda: show(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "0"),
        "save": lambda: save(sys.argv[2], sys.argv[3]),
    }[sys.argv[1]]()
