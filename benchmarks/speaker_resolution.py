"""Speaker resolution on the stand-off PolNeAR set: accuracy over all items and per kind, with the errors.

    .venv/bin/python benchmarks/speaker_resolution.py DATA_DIR --half tune   # labels: labels_a_<half>.jsonl unless --labels

DATA_DIR holds `items.jsonl` (item_id, file, half, kind, source/cue/content offsets into
<text-dir>/<file>) and the labels file (item_id, expected full name or null, speaker_type). Names are
compared ignoring case, punctuation and whitespace; a null expected name is right when the extractor's
`speaker` is None. An item whose quote the extractor does not find is wrong and counted as "not found".

With a statement-label file (`--statements`, default `statements_a.jsonl` when DATA_DIR has it) the same
figures are printed a second time over the statements only: the items whose Content renders what the Source
said or wrote, leaving out PolNeAR's attributed actions, beliefs and events, which a quote extractor should
not find.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from omegaconf import OmegaConf  # noqa: E402

from stance.config import CONF_DIR, PROJECT_ROOT  # noqa: E402
from stance.extract.evaluate import load_resolution_set, load_statement_labels, speaker_resolution  # noqa: E402
from stance.extract.pipeline import build_extractor  # noqa: E402

TEXT_DIR = PROJECT_ROOT.parent / "shared" / "data" / "polnear" / "train" / "text"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--half", default="tune", choices=["tune", "heldout", "tune2", "tune3"])
    parser.add_argument(
        "--labels", default=None, help="file name in DATA_DIR, or a path (default: labels_a_<half>.jsonl)"
    )
    parser.add_argument("--text-dir", type=Path, default=TEXT_DIR)
    parser.add_argument(
        "--statements", type=Path, default=None, help="statement labels: file name in DATA_DIR, or a path"
    )
    parser.add_argument("--output", type=Path, default=None, help="also write the full result as JSON here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    rows = load_resolution_set(args.data_dir, args.half, args.labels or f"labels_a_{args.half}.jsonl")
    if not rows:
        sys.exit(f"no labelled {args.half} items: check --labels against the half")
    files = sorted({row["file"] for row in rows})
    missing = [f for f in files if not (args.text_dir / f).is_file()]
    if missing:
        sys.exit(f"articles missing from {args.text_dir}: {missing[:5]}")
    extractor = build_extractor(OmegaConf.load(CONF_DIR / "extract" / "default.yaml"))
    texts = ((Path(f).stem, (args.text_dir / f).read_text(encoding="utf-8")) for f in files)
    predictions = dict(extractor.extract_many(texts))
    result = speaker_resolution(rows, predictions, punctuation=True)

    print(f"{args.half} half: {len(rows)} labelled items in {len(files)} articles")
    _report(result)
    statements_file = args.statements or Path("statements_a.jsonl")
    if not statements_file.exists():
        statements_file = args.data_dir / statements_file  # a file name in DATA_DIR
    if args.statements or statements_file.is_file():
        statement = load_statement_labels(statements_file)
        said = [row for row in rows if statement.get(row["item_id"])]
        unlabelled = sum(row["item_id"] not in statement for row in rows)
        print(f"\nstatements only ({statements_file.name}): {len(said)} of {len(rows)} items, {unlabelled} unlabelled")
        result["statements"] = speaker_resolution(said, predictions, punctuation=True)
        _report(result["statements"])
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.output.with_suffix(".tmp")
        tmp.write_text(json.dumps(result, indent=1), encoding="utf-8")
        tmp.replace(args.output)


def _report(result: dict) -> None:
    print(f"all: {result['accuracy']} ({result['right']}/{result['total']})")
    for kind, tally in result["by_kind"].items():
        acc = round(tally["right"] / tally["total"], 4) if tally["total"] else None
        print(f"  {kind}: {acc} ({tally['right']}/{tally['total']})")
    print(f"not found: {result['unmatched']}, unresolved: {result['unresolved']}, wrong name: {result['wrong_name']}")
    for err in sorted(result["errors"], key=lambda e: (e["kind"], e["why"])):
        print(
            f"  [{err['kind']}] {err['item_id']} {err['file']} {err['source']} mention={err['mention']!r}: "
            f"expected {err['expected']!r}, got {err['predicted']!r} ({err['speaker_type']}; {err['why']})"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
