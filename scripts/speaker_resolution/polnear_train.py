"""Read PolNeAR train articles and their gold attribution relations (brat standoff) from ../shared.

Shared by the speaker-resolution set's selection and labelling scripts; never writes article text anywhere.
Only the alphabetically first .ann of an article is used, as in ../shared/data/polnear/SOURCE.md.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("STANCE_SHARED_DATA_DIR", ROOT.parent / "shared" / "data"))
POLNEAR = SHARED_DATA / "polnear"


@dataclass(frozen=True)
class Relation:
    """One gold attribution relation: each part as (start, end) over its outermost pieces."""

    rel_id: str
    source: tuple[int, int]
    source_pieces: int
    cue: tuple[int, int]
    content: tuple[int, int]


def _span(field: str) -> tuple[tuple[int, int], int]:
    """'Label 3 9;12 20' -> ((3, 20), 2): outer bounds and the number of pieces."""
    _label, _, offsets = field.partition(" ")
    pieces = [tuple(int(x) for x in part.split()) for part in offsets.split(";")]
    return (min(p[0] for p in pieces), max(p[1] for p in pieces)), len(pieces)


def first_ann(split: str, stem: str) -> Path | None:
    """The alphabetically first annotation file of an article, or None."""
    anns = sorted((POLNEAR / split / "attributions").glob(f"{stem}_*.ann"))
    return anns[0] if anns else None


def read_relations(ann: Path) -> list[Relation]:
    """All relations of one .ann file that have a Source, Cue and Content."""
    spans: dict[str, tuple[tuple[int, int], int]] = {}
    rels: list[Relation] = []
    lines = ann.read_text(encoding="utf-8").splitlines()
    for line in lines:
        if re.match(r"T\d+\t", line):  # span texts with line breaks continue on lines of their own
            tid, field = line.split("\t")[:2]
            spans[tid] = _span(field)
    for line in lines:
        if not re.match(r"E\d+\t", line):
            continue
        eid, args = line.split("\t")[:2]
        roles = dict(arg.split(":") for arg in args.split()[1:] if ":" in arg)
        if not {"Source", "Cue", "Content"} <= roles.keys():
            continue
        src, n_src = spans[roles["Source"]]
        rels.append(Relation(eid, src, n_src, spans[roles["Cue"]][0], spans[roles["Content"]][0]))
    return rels


def read_text(split: str, file: str) -> str:
    """The article text (never to be committed)."""
    return (POLNEAR / split / "text" / file).read_text(encoding="utf-8")


def publishers() -> dict[str, str]:
    """Article file stem -> publisher, from metadata.tsv."""
    out: dict[str, str] = {}
    lines = (POLNEAR / "metadata.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t")))
        out[row["filename"]] = row["publisher"]
    return out
