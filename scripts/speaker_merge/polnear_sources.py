"""Read gold Source/Cue/Content relations from PolNeAR train (first .ann per article), text stays in ../shared."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLNEAR = ROOT.parent / "shared" / "data" / "polnear"


@dataclass(frozen=True)
class Relation:
    file: str  # the article's .txt name
    source_start: int
    source_end: int
    cue_start: int
    cue_end: int
    content_start: int
    content_end: int
    mention: str


def first_ann_per_article(split: str = "train") -> dict[str, Path]:
    """Alphabetically first .ann per article, keyed by the .txt file name."""
    out: dict[str, Path] = {}
    for ann in sorted((POLNEAR / split / "attributions").glob("*.ann")):
        txt = re.sub(r"_[0-9a-f]{4}\.ann$", ".txt", ann.name)
        out.setdefault(txt, ann)
    return out


def _span(field: str) -> tuple[int, int]:
    """Outer (start, end) of a possibly discontinuous brat span."""
    parts = [tuple(map(int, p.split())) for p in field.split(";")]
    return parts[0][0], parts[-1][1]


def relations(split: str = "train") -> list[Relation]:
    rels: list[Relation] = []
    for txt, ann in sorted(first_ann_per_article(split).items()):
        spans: dict[str, tuple[str, int, int]] = {}
        events: list[dict[str, str]] = []
        for line in ann.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if line.startswith("T") and len(cols) >= 2:
                label, _, rest = cols[1].partition(" ")
                start, end = _span(rest)
                spans[cols[0]] = (label, start, end)
            elif line.startswith("E") and len(cols) >= 2:
                events.append(dict(a.split(":", 1) for a in cols[1].split()))
        text = (POLNEAR / split / "text" / txt).read_text(encoding="utf-8")
        for ev in events:
            if not {"Source", "Cue", "Content"} <= set(ev):
                continue
            _, ss, se = spans[ev["Source"]]
            _, cs, ce = spans[ev["Cue"]]
            _, xs, xe = spans[ev["Content"]]
            rels.append(Relation(txt, ss, se, cs, ce, xs, xe, text[ss:se]))
    return rels
