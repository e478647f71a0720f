"""Write data/speaker_merge/pairs.jsonl from the proposed pairs and the hand resolutions.

`same` is never guessed here: it is whether the two mentions were resolved (by reading their articles) to the
same person in data/speaker_merge/resolved.tsv. Offsets come straight from PolNeAR's gold relations.
Usage: python scripts/speaker_merge/select_pairs.py && python scripts/speaker_merge/build_pairs.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from polnear_sources import ROOT, relations  # noqa: E402
from resolve import NICK, SUFFIX  # noqa: E402
from select_pairs import OUT as SELECTION  # noqa: E402

DATA = ROOT / "data" / "speaker_merge"
TITLE = re.compile(
    r"^(?:(?:former|Former|Vice|House|Party|Defense|Attorney|Co-moderator|Moderator|Chairman|Speaker|Secretary|"
    r"General|President|Sen\.|Senator|Rep\.|Representative|Gov\.|Mr\.?|Mrs\.|Ms\.|Dr\.|Dean|Judge|Justice|"
    r"Chief|Professor|Admiral|Pope|Author|Journalist|Comedian|Spokeswoman|Billionaire|Republican|Democrat|Rival|"
    r"Absent|Fox News|Fox's|Twitter's|Gallup’s|Illinois's|Pennsylvania's|Germany’s|Chancellor)\s+)+"
)


def name_parts(mention: str) -> tuple[bool, list[str]]:
    """(has a title or descriptor, name tokens without possessive, suffix or party tag)."""
    m = re.sub(r"\s*\([A-Z]-[A-Za-z. ]+\)$", "", mention.strip())
    m = re.sub(r"[’']s$", "", m).strip()
    stripped = TITLE.sub("", m)
    return stripped != m, [t for t in stripped.split() if t not in SUFFIX]


def surname(canonical: str) -> str:
    return [t for t in canonical.split() if t not in SUFFIX][-1]


def kind_of(a: str, b: str, canonical_a: str, canonical_b: str) -> str:
    """Which hard case a pair is, from the two mentions as written and the two resolved people."""
    ta, na = name_parts(a)
    tb, nb = name_parts(b)
    if canonical_a != canonical_b:
        shared = na[-1] == nb[-1] or surname(canonical_a) == surname(canonical_b)
        return "shared-surname-different-person" if shared else "unrelated-common"
    if len(na) >= 2 and na == nb and ta == tb:
        return "same-full-name"
    if len(na) == 1 and na == nb and not ta and not tb:
        return "bare-surname-same-person"
    initials = any(re.fullmatch(r"[A-Z]\.", t) for t in na[1:-1] + nb[1:-1])
    firsts = {n[0] for n in (na, nb) if len(n) >= 2}
    bare_given = any(len(n) == 1 and (n[0] in firsts or n[0] in NICK) for n in (na, nb))
    if initials or (len(na) >= 2 and len(nb) >= 2 and na[0] != nb[0]) or bare_given:
        return "nickname/initials"
    if (ta and len(na) == 1) or (tb and len(nb) == 1):
        return "title+surname"
    return "variant"


def main() -> None:
    resolved: dict[str, tuple[str, str]] = {}
    for n, line in enumerate((DATA / "resolved.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 3:
            raise ValueError(f"resolved.tsv line {n}: expected 3 tab-separated fields, got {len(cols)}")
        resolved[cols[0]] = (cols[1], cols[2])
    rels = {}
    for r in relations("train"):
        rels.setdefault(f"{r.file}:{r.source_start}", r)
    out = []
    for p in json.loads(SELECTION.read_text(encoding="utf-8")):
        ka, kb = p["a"], p["b"]
        if resolved[ka][1] == "DROP" or resolved[kb][1] == "DROP":
            continue
        sides = {}
        for side, k in (("a", ka), ("b", kb)):
            r = rels[k]
            if r.mention != resolved[k][0]:
                raise ValueError(f"resolved.tsv: mention of {k} is {resolved[k][0]!r}, PolNeAR has {r.mention!r}")
            sides[side] = {f: getattr(r, f) for f in r.__dataclass_fields__}
        same = resolved[ka][1] == resolved[kb][1]
        row = {
            "pair_id": f"mp-{len(out) + 1:04d}",
            "a": sides["a"],
            "b": sides["b"],
            "same": same,
            "canonical_a": resolved[ka][1],
            "canonical_b": resolved[kb][1],
            "kind": kind_of(sides["a"]["mention"], sides["b"]["mention"], resolved[ka][1], resolved[kb][1]),
        }
        if p["proposed_kind"] in ("ambiguous-bare-surname", "targeted"):
            row["note"] = "hard: an article names several people with this surname; resolved from context"
        out.append(row)
    tmp = DATA / "pairs.jsonl.tmp"
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    tmp.replace(DATA / "pairs.jsonl")
    print(f"{len(out)} pairs -> {DATA / 'pairs.jsonl'}")


if __name__ == "__main__":
    main()
