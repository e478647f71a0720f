"""Inter-annotator agreement on the speaker-resolution set: pass A labels against pass B labels, per kind.

Joins every labels_a_*.jsonl with every labels_b_*.jsonl found in the given folders by item_id, and prints
for all joined items and per kind (pronoun/role/surname/group): exact agreement on `expected` after
normalising case, whitespace and punctuation (null = "no named speaker" agrees only with null), Cohen's
kappa on null-vs-named, and Cohen's kappa on speaker_type.
Usage: python scripts/speaker_resolution/agreement.py [FOLDER ...] [--items data/speaker_resolution/items.jsonl]
       [--disagreements]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from show_items import item_files  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = ROOT / "data" / "speaker_resolution"
KINDS = ("pronoun", "role", "surname", "group")


def normalise(name: str | None) -> str | None:
    """Case-, accent-, punctuation- and whitespace-insensitive form of a name; None stays None."""
    if name is None:
        return None
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split()) or None


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters' categorical labels; None when undefined (no items, or chance agreement 1)."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    count_a = Counter(a for a, _ in pairs)
    count_b = Counter(b for _, b in pairs)
    expected = sum(count_a[c] * count_b[c] for c in count_a) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def load_labels(path: Path) -> dict[str, dict]:
    """item_id -> label row of one labels file; a clear error names the file and line of any bad row."""
    rows: dict[str, dict] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{lineno}: not JSON ({exc.msg})") from exc
        for field in ("item_id", "expected", "speaker_type"):
            if field not in row:
                raise ValueError(f"{path}:{lineno}: missing field {field!r}")
        if row["item_id"] in rows:
            raise ValueError(f"{path}:{lineno}: item_id {row['item_id']!r} labelled twice")
        rows[row["item_id"]] = row
    return rows


def collect(folders: list[Path], prefix: str) -> dict[str, dict]:
    """All labels of one pass (prefix 'labels_a_' or 'labels_b_') across folders; an item twice is an error."""
    merged: dict[str, dict] = {}
    origin: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.glob(f"{prefix}*.jsonl")):
            for item_id, row in load_labels(path).items():
                if item_id in merged:
                    raise ValueError(f"{item_id} has {prefix[:-1]} labels in both {origin[item_id]} and {path}")
                merged[item_id] = row
                origin[item_id] = path
    return merged


def agreement(a: dict[str, dict], b: dict[str, dict], kinds: dict[str, str]) -> dict[str, dict]:
    """Per kind (and 'all'): n, exact agreement, kappa null-vs-named, kappa speaker_type, disagreeing ids."""
    groups: dict[str, list[str]] = {"all": []}
    for item_id in sorted(a.keys() & b.keys()):
        groups["all"].append(item_id)
        groups.setdefault(kinds.get(item_id, "unknown"), []).append(item_id)
    out: dict[str, dict] = {}
    for group, ids in groups.items():
        same = [normalise(a[i]["expected"]) == normalise(b[i]["expected"]) for i in ids]
        named = [(str(a[i]["expected"] is not None), str(b[i]["expected"] is not None)) for i in ids]
        types = [(a[i]["speaker_type"], b[i]["speaker_type"]) for i in ids]
        out[group] = {
            "n": len(ids),
            "exact": sum(same) / len(ids) if ids else None,
            "kappa_named": cohen_kappa(named),
            "kappa_type": cohen_kappa(types),
            "disagree": [i for i, ok in zip(ids, same) if not ok],
        }
    return out


def statement_agreement(folder: Path, kinds: dict[str, str]) -> dict[str, dict] | None:
    """Pass A against pass B on the statement label (statements_a/b.jsonl): per kind and 'all', n, the share
    of items labelled alike and Cohen's kappa; None when either file is missing."""
    paths = [folder / "statements_a.jsonl", folder / "statements_b.jsonl"]
    if not all(p.is_file() for p in paths):
        return None
    a, b = ({json.loads(x)["item_id"]: json.loads(x)["statement"] for x in p.read_text().splitlines() if x.strip()}
            for p in paths)  # fmt: skip
    groups: dict[str, list[str]] = {"all": sorted(a.keys() & b.keys())}
    for item_id in groups["all"]:
        groups.setdefault(kinds.get(item_id, "unknown"), []).append(item_id)
    return {
        group: {
            "n": len(ids),
            "same": sum(a[i] == b[i] for i in ids) / len(ids) if ids else None,
            "kappa": cohen_kappa([(str(a[i]), str(b[i])) for i in ids]),
            "disagree": [i for i in ids if a[i] != b[i]],
        }
        for group, ids in groups.items()
    }


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[DEFAULT_DIR])
    parser.add_argument("--items", type=Path, default=DEFAULT_DIR / "items.jsonl")
    parser.add_argument("--disagreements", action="store_true", help="also list the items whose names differ")
    args = parser.parse_args(argv)
    kinds = {}
    for path in item_files(args.items):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            kinds[row["item_id"]] = row["kind"]
    a, b = collect(args.folders, "labels_a_"), collect(args.folders, "labels_b_")
    table = agreement(a, b, kinds)
    print(f"pass A labels: {len(a)}, pass B labels: {len(b)}, items with both: {table['all']['n']}")
    print(f"{'kind':<8} {'n':>4} {'exact':>6} {'k_named':>8} {'k_type':>7}")
    for group in ("all", *KINDS, *sorted(set(table) - {"all", *KINDS})):
        if group in table:
            row = table[group]
            print(
                f"{group:<8} {row['n']:>4} {_fmt(row['exact']):>6} {_fmt(row['kappa_named']):>8} "
                f"{_fmt(row['kappa_type']):>7}"
            )
    statements = statement_agreement(args.folders[0], kinds)
    if statements is not None:
        print(f"statement label, pass A vs pass B ({statements['all']['n']} items):")
        for group in ("all", *KINDS):
            if group in statements:
                row = statements[group]
                print(f"{group:<8} {row['n']:>4} {_fmt(row['same']):>6} kappa {_fmt(row['kappa'])}")
    if args.disagreements:
        for item_id in table["all"]["disagree"]:
            print(f"{item_id}\t{kinds.get(item_id)}\tA={a[item_id]['expected']!r}\tB={b[item_id]['expected']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
