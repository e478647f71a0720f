"""Add (or replace) labels in a labels_*.jsonl file from compact lines on stdin, for fast labelling.

Each stdin line: ``item_id | expected name or - (no named speaker) | speaker_type | optional note``.
The output stays sorted by item_id; it is rewritten through a temp file so a bad line never half-writes it.
Usage: python scripts/speaker_resolution/add_labels.py --out data/speaker_resolution/labels_a_tune.jsonl \
           --annotator resset --pass A < lines.txt
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from show_items import load_items  # noqa: E402

TYPES = {"person", "organization", "group", "document", "unnamed"}


def parse(line: str, lineno: int, known: set[str]) -> dict:
    """One compact label line -> label dict; exits with the line number on any bad field."""
    parts = [p.strip() for p in line.split("|")]
    if len(parts) < 3:
        sys.exit(f"stdin line {lineno}: need 'item_id | expected | speaker_type [| note]', got {line!r}")
    item_id, expected, speaker_type = parts[:3]
    note = "|".join(parts[3:]).strip()
    if item_id not in known:
        sys.exit(f"stdin line {lineno}: unknown item_id {item_id!r}")
    if speaker_type not in TYPES:
        sys.exit(f"stdin line {lineno}: speaker_type {speaker_type!r} not in {sorted(TYPES)}")
    label = {"item_id": item_id, "expected": None if expected == "-" else expected, "speaker_type": speaker_type}
    if note:
        label["note"] = note
    return label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--annotator", required=True)
    parser.add_argument("--pass", dest="pass_", required=True)
    args = parser.parse_args()
    known = {item["item_id"] for item in load_items()}  # items.jsonl and every further items_*.jsonl
    labels: dict[str, dict] = {}
    if args.out.exists():
        for line in args.out.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            labels[row["item_id"]] = row
    for lineno, line in enumerate(sys.stdin, 1):
        if line.strip():
            label = parse(line, lineno, known)
            note = label.pop("note", None)
            row = {**label, "annotator": args.annotator, "pass": args.pass_}
            if note:
                row["note"] = note
            labels[label["item_id"]] = row
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(labels[k], ensure_ascii=False) + "\n" for k in sorted(labels)), "utf-8")
    tmp.replace(args.out)
    print(f"{len(labels)} labels in {args.out}")


if __name__ == "__main__":
    main()
