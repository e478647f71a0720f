"""Score a speaker table's cross-article merges against data/speaker_merge/pairs.jsonl.

Input: a JSON object mapping "file:source_start" (a gold Source mention) to the speaker_id the table gave the
quote of that mention, or null where the table has no quote for it. A pair is *found* when both sides have a
speaker_id; the table says "same person" when the two ids are equal. Precision, recall and F1 of "same" are
over found pairs; `recall_all` also counts unfound same-person pairs as misses.
Usage: python scripts/speaker_merge/score.py PREDICTIONS.json [--pairs data/speaker_merge/pairs.jsonl]
       [--min-found 100 --min-precision 0.95 --min-recall 0.85]   (exit 1 when a bar is missed)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PAIRS = Path(__file__).resolve().parents[2] / "data" / "speaker_merge" / "pairs.jsonl"


def side_key(side: dict) -> str:
    return f"{side['file']}:{side['source_start']}"


def load_pairs(path: Path) -> list[dict]:
    """Read pairs.jsonl; a bad line raises ValueError naming file, line and field."""
    pairs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        for field in ("pair_id", "a", "b", "same"):
            if field not in row:
                raise ValueError(f"{path}:{n}: missing field {field!r}")
        for side in ("a", "b"):
            for field in ("file", "source_start"):
                if field not in row[side]:
                    raise ValueError(f"{path}:{n}: missing field {side}.{field}")
        if not isinstance(row["same"], bool):
            raise ValueError(f"{path}:{n}: field 'same' must be true or false")
        pairs.append(row)
    return pairs


def load_predictions(path: Path) -> dict[str, str | None]:
    try:
        pred = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(pred, dict):
        raise ValueError(f"{path}: expected a JSON object mapping 'file:source_start' to a speaker_id or null")
    for k, v in pred.items():
        if v is not None and not isinstance(v, (str, int)):
            raise ValueError(f"{path}: value for {k!r} must be a string, an integer or null")
    return pred


def score(pairs: list[dict], pred: dict[str, str | None]) -> dict:
    """Pairwise confusion counts and precision/recall/F1 of the 'same person' decision."""
    tp = fp = fn = tn = 0
    missing: list[str] = []
    for p in pairs:
        ia, ib = pred.get(side_key(p["a"])), pred.get(side_key(p["b"]))
        if ia is None or ib is None:
            missing.append(p["pair_id"])
            continue
        said_same = str(ia) == str(ib)
        if said_same and p["same"]:
            tp += 1
        elif said_same:
            fp += 1
        elif p["same"]:
            fn += 1
        else:
            tn += 1
    gold_same = sum(p["same"] for p in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "pairs": len(pairs),
        "found": len(pairs) - len(missing),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "recall_all": tp / gold_same if gold_same else 0.0,
        "not_found": missing,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("predictions", type=Path)
    ap.add_argument("--pairs", type=Path, default=PAIRS)
    ap.add_argument("--min-found", type=int, default=0)
    ap.add_argument("--min-precision", type=float, default=0.0)
    ap.add_argument("--min-recall", type=float, default=0.0)
    args = ap.parse_args(argv)
    try:
        result = score(load_pairs(args.pairs), load_predictions(args.predictions))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    r = result
    print(f"pairs {r['pairs']}  found {r['found']}  not found {len(r['not_found'])}")
    print(f"tp {r['tp']}  fp {r['fp']}  fn {r['fn']}  tn {r['tn']}")
    print(
        f"precision {r['precision']:.3f}  recall {r['recall']:.3f}  f1 {r['f1']:.3f}  recall_all {r['recall_all']:.3f}"
    )
    if r["not_found"]:
        print("not found: " + " ".join(r["not_found"]))
    ok = r["found"] >= args.min_found and r["precision"] >= args.min_precision and r["recall"] >= args.min_recall
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
