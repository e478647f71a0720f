"""Names as the speaker table compares them: titles off, nicknames mapped, initials and suffixes kept apart.

"Sen. Ann M. Kessler", "Ann Kessler" and "Kessler" parse to the same surname and compatible first and
middle names; "George W. Bush" and "George H. W. Bush" do not (their middle initials differ), and
"John Smith Jr." and "John Smith Sr." do not, nor (by default) "Donald Trump Jr." and "Donald Trump": a suffix
distinguishes. Titles and honorifics are not part
of the name; they become role words ("Sen." -> senator) and a gender hint ("Mrs." -> f), which the merge
uses as evidence between namesakes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from stance.extract import lexicon
from stance.extract.lexicon import DOCUMENT_NOUNS, FEMALE_NAMES, HONORIFICS, MALE_NAMES, ORG_NOUNS, ROLE_NOUNS

# A title word -> the role word it stands for ("" when it says nothing about a role, e.g. "Mr.").
TITLES = {
    "mr": "", "mrs": "", "ms": "", "miss": "", "mx": "", "sir": "", "dame": "", "lord": "", "lady": "", "madam": "",
    "dr": "doctor", "prof": "professor", "professor": "professor", "rev": "reverend", "reverend": "reverend",
    "sen": "senator", "senator": "senator", "rep": "representative", "representative": "representative",
    "congressman": "representative", "congresswoman": "representative", "gov": "governor", "governor": "governor",
    "president": "president", "pres": "president", "vice": "", "prime": "", "minister": "minister",
    "secretary": "secretary", "sec": "secretary", "mayor": "mayor", "judge": "judge", "justice": "justice",
    "gen": "general", "general": "general", "col": "colonel", "lt": "lieutenant", "sgt": "sergeant",
    "capt": "captain", "adm": "admiral", "chancellor": "chancellor", "ambassador": "ambassador", "speaker": "speaker",
    "chairman": "chairman", "chairwoman": "chairman", "commissioner": "commissioner", "attorney": "attorney",
    "king": "king", "queen": "queen", "prince": "prince", "princess": "princess", "pope": "pope",
    "sheikh": "sheikh", "ayatollah": "ayatollah", "premier": "premier", "chief": "chief",
}  # fmt: skip
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_DEGREES = {"phd", "md", "esq", "mp", "qc", "kc"}
PARTICLES = {"de", "del", "della", "der", "di", "da", "du", "la", "le", "van", "von", "den", "bin", "ibn", "al", "el"}
# Short forms of first names for merging across articles: the project's one table (lexicon.NICKNAMES, also used
# within an article) less the forms that could stand for several full names ("Chris", "Pat", "Alex", "Sam", ...)
# or that are names in their own right ("Jack", "Harry", "Steven"), where a wrong merge across articles costs more
# than a missed one. "Hilary" is a different name from "Hillary" (Hilary Benn is not Hillary Clinton).
NOT_ONE_NAME = frozenset(
    """
    abby al alex barb becky bert betty cathy chris deb doug drew hank harry jack jamie jerry johnny jon kate liam
    meg ned pam pat patty pete phil ray sam sandy steven suzy ted trish vicky
    """.split()
)
NICKNAMES = {short: full for short, full in lexicon.NICKNAMES.items() if short not in NOT_ONE_NAME}
_ROLE_WORDS = {w.rstrip(".").lower() for w in ROLE_NOUNS} | {v for v in TITLES.values() if v}
_ROLE_ALIASES = {"sen": "senator", "rep": "representative", "gov": "governor", "gen": "general", "rev": "reverend"}
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_POSSESSIVE = re.compile(r"['’]s?$")
_EDGE_PUNCT = ' \t\n,;:()[]{}"“”'


def fold(text: str) -> str:
    """Lower case without accents or curly apostrophes: "José O’Neill" -> "jose o'neill"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _word(token: str) -> str:
    """A token as compared: folded, dots and apostrophes gone ("O'Neill" -> "oneill", "W." -> "w")."""
    return re.sub(r"[.'\-]", "", fold(token))


def role_words(text: str | None) -> set[str]:
    """The role nouns in a role or title string: "Sen." -> {senator}, "a Republican senator" -> {senator}."""
    if not text:
        return set()
    out = set()
    vice = False
    for token in re.split(r"[\s,/]+", fold(text)):
        w = token.strip(".()'\"")
        w = _ROLE_ALIASES.get(w, w)
        if w in _ROLE_WORDS:
            out.add(("vice " if vice else "") + w)
        vice = w == "vice"
    return out


_COMMON_NOUNS = {w.rstrip(".").lower() for w in ROLE_NOUNS | ORG_NOUNS | DOCUMENT_NOUNS} | set(
    """police authorities official expert analyst critic supporter opponent protester demonstrator voter people
        resident witness observer investigator source aide adviser advisor lawmaker economist researcher scientist
        study poll survey report member leader worker employee staff staffer activist organizer organiser user
        customer student teacher parent family friend neighbor neighbour officer agent spokesman spokeswoman
        """.split()
)
_DETERMINERS = set(
    """the a an his her their its our my your some many several most all both other others these those this that
    few two three four five local small large top senior former federal state city county
    """.split()
)


def has_capital(text: str) -> bool:
    """A proper name has a capital letter somewhere ("the agency" and "officials" do not)."""
    return any(c.isupper() for c in text)


def is_generic(name: str, person: bool = False) -> bool:
    """A name that names no one in particular: no capital letter ("officials"), or only the sentence's first
    capital on a common word ("Police", "His aides", "Small groups of protesters"). For a `person` only the
    first two tests apply: "King" or "Judge" alone is more likely a surname than a role."""
    words = fold(name).split()
    if not words or not has_capital(name):
        return True
    if has_capital(name.lstrip()[1:]):
        return False
    first = words[0].strip(".,'\"")
    singular = first[:-1] if first.endswith("s") else first
    return first in _DETERMINERS or (not person and (first in _COMMON_NOUNS or singular in _COMMON_NOUNS))


@dataclass
class PersonName:
    """A person's name split into the parts the merge compares (all folded; `first` nickname-mapped)."""

    raw: str
    display: str = ""  # the name as written, titles and possessive off: "Sen. Ann Kessler's" -> "Ann Kessler"
    first: str = ""  # "" for a surname alone
    first_initial: bool = False  # "J. Smith"
    middles: list[str] = field(default_factory=list)  # folded words or single-letter initials
    last: str = ""
    suffix: str = ""
    roles: set[str] = field(default_factory=set)  # from titles in the name: "Sen." -> senator
    gender: str | None = None  # from an honorific ("Mrs.") or a first name the lexicon knows

    @property
    def partial(self) -> bool:
        """A surname alone (or with a title): which person it is depends on who else the corpus names."""
        return not self.first

    @property
    def key(self) -> str:
        """The whole name folded, parts in order: two strings with the same key are the same name."""
        parts = [self.first, *self.middles, self.last, self.suffix]
        return " ".join(p for p in parts if p)

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        """More parts (a full first name, more and longer middle names, a suffix) first."""
        full_middles = sum(len(m) > 1 for m in self.middles)
        return (
            int(bool(self.first) and not self.first_initial),
            len(self.middles),
            full_middles,
            int(bool(self.suffix)),
        )


def parse_person(name: str, nicknames: bool = True) -> PersonName | None:
    """Split a person's name; None when nothing name-like is left (empty, or only titles)."""
    text = " ".join(str(name).translate(_APOSTROPHES).split())
    text = _POSSESSIVE.sub("", text) if text.endswith(("'s", "'")) else text
    tokens = [t.strip(_EDGE_PUNCT) for t in text.replace(",", " , ").split()]
    tokens = [t for t in tokens if t and t != ","]
    roles: set[str] = set()
    gender = None
    vice = False  # "Vice President X" is not "President X"
    # titles and lower-case words in front ("former Sen.", "the late") are not part of the name
    while tokens:
        w = _word(tokens[0])
        if w in TITLES and len(tokens) > 1:
            gender = HONORIFICS.get(w, gender)
            if TITLES[w]:
                roles.add(("vice " if vice else "") + TITLES[w])
            vice = w == "vice"
        elif not has_capital(tokens[0]) and len(tokens) > 1 and w not in PARTICLES:
            pass
        else:
            break
        tokens = tokens[1:]
    suffix, suffix_raw = "", ""
    while len(tokens) > 1 and _word(tokens[-1]) in SUFFIXES | _DEGREES:
        if _word(tokens[-1]) in SUFFIXES and not suffix:
            suffix, suffix_raw = _word(tokens[-1]), tokens[-1]
        tokens = tokens[:-1]
    words = [_word(t) for t in tokens]
    words = [w for w in words if w]
    if not words:
        return None
    display = " ".join([*tokens, suffix_raw]).strip()
    parsed = PersonName(str(name), display, last=words[-1], suffix=suffix, roles=roles, gender=gender)
    if len(words) == 1:
        return parsed
    first = words[0]
    parsed.first_initial = len(first) == 1
    parsed.first = NICKNAMES.get(first, first) if nicknames else first
    parsed.middles = [w for w in words[1:-1] if w not in PARTICLES]
    if parsed.gender is None and not parsed.first_initial:
        parsed.gender = "m" if first in MALE_NAMES else "f" if first in FEMALE_NAMES else None
    return parsed


def _part_fits(a: str, b: str) -> bool:
    """Two name parts agree: equal, or one is the initial of the other."""
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def compatible(a: PersonName, b: PersonName, optional_suffix: bool = False) -> bool:
    """Could two full names (same surname) be the same person? Middles must match part for part when both
    give them; suffixes must be the same (with `optional_suffix`, only when both give one: "Joseph R. Biden Jr."
    = "Joe Biden", but then also "Donald Trump Jr." = "Donald Trump"); a first initial must fit the other's
    first name."""
    if a.last != b.last or not a.first or not b.first:
        return False
    if a.suffix != b.suffix and (not optional_suffix or (a.suffix and b.suffix)):
        return False
    if not _part_fits(a.first, b.first):
        return False
    if a.middles and b.middles:
        return len(a.middles) == len(b.middles) and all(_part_fits(x, y) for x, y in zip(a.middles, b.middles))
    return True


def org_key(name: str) -> str:
    """An organisation's name as compared: folded, no leading "the", no dots ("U.S." = "US"), & = and."""
    text = fold(" ".join(str(name).split()))
    text = _POSSESSIVE.sub("", text) if text.endswith(("'s", "'")) else text
    text = text.replace("&", " and ").replace(".", "")
    text = re.sub(r"[^\w\s-]", " ", text)
    text = re.sub(r"^(the|a|an)\s+", "", " ".join(text.split()))
    return text
