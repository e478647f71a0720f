"""Machine guess of the person a name-like mention names, from the article's own full-name forms.

Only a proposal for the labeller: every mention that ends up in a pair is checked by reading its article,
and the human decision (data/speaker_merge/resolved.tsv) overrides this guess.
"""

from __future__ import annotations

import re

# Given-name variants that name the same person (nickname -> formal key).
NICK = {
    "Bernie": "Bernard",
    "Joe": "Joseph",
    "Chuck": "Charles",
    "Bill": "William",
    "Mike": "Michael",
    "Ed": "Edward",
    "Tom": "Thomas",
    "Ben": "Benjamin",
    "Andy": "Andrew",
    "Pat": "Patrick",
    "Hilary": "Hillary",
    "Jim": "James",
    "Bob": "Robert",
    "Chris": "Christopher",
    "Tim": "Timothy",
    "Dick": "Richard",
    "Rick": "Richard",
    "Tony": "Anthony",
    "Steve": "Stephen",
    "Dan": "Daniel",
    "Matt": "Matthew",
}
JUNK = {
    "Billionaire",
    "Certainly",
    "Bashing",
    "Fascist",
    "Endorsed",
    "Republican",
    "Democrat",
    "Democratic",
    "Classic",
    "Beneath",
    "Top",
    "Team",
    "Asserting",
    "Rival",
    "Neither",
    "Weak",
    "Said",
    "Without",
    "Moderator",
    "Journalist",
    "Author",
    "Stated",
    "Comedian",
    "Spokeswoman",
    "Co-moderator",
    "Representative",
    "Defense",
    "Secretary",
    "House",
    "Party",
    "Fox",
    "Several",
    "Painting",
    "Absent",
    "Hijos",
    "Senator",
    "Sen.",
    "Rep.",
    "Gov.",
    "President",
    "Conservative",
    "Icon",
    "Chairman",
    "Speaker",
    "Former",
    "former",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Pope",
    "Rabbi",
    "Libertarian",
    "Vice",
    "Attorney",
    "General",
    "State",
    "News",
    "Media",
    "Research",
    "Center’s",
    "Gallup’s",
}
SUFFIX = {"Jr.", "Jr", "Sr.", "II", "III", "IV"}


def clean_form(form: str) -> list[str]:
    """Drop leading junk words and possessives from a spaCy PERSON string."""
    toks = [t for t in re.sub(r"[(),]", " ", form).split() if t]
    while toks and (toks[0] in JUNK or toks[0].endswith(("’s", "'s")) or not toks[0][:1].isupper()):
        toks.pop(0)
    return toks


def given_key(given: str) -> str:
    return NICK.get(given, given)


def guess_people(name: list[str], full_forms: list[str]) -> list[str]:
    """Distinct 'Given Surname' people in the article that the mention's name tokens could name."""
    core = [t for t in name if t not in SUFFIX]
    if len(core) >= 2 and not re.fullmatch(r"[A-Z]\.", core[0]):
        return [f"{given_key(core[0])} {core[-1]}"]
    surname = core[-1]
    people = set()
    for form in full_forms:
        toks = [t for t in clean_form(form) if t not in SUFFIX]
        if len(toks) >= 2 and toks[-1] == surname and toks[0] != surname:
            people.add(f"{given_key(toks[0])} {surname}")
    if not people and len(core) == 1:  # a bare given name ("Hillary", "Bernie")
        for form in full_forms:
            toks = [t for t in clean_form(form) if t not in SUFFIX]
            if len(toks) >= 2 and toks[0] == surname:
                people.add(f"{given_key(toks[0])} {toks[-1]}")
    return sorted(people)
