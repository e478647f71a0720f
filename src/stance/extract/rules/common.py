"""What every quote family shares: the extractor's settings, the small token tests, the trimming of a
content range, and an index of character ranges for the overlap checks."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from spacy.tokens import Token

from stance.extract.base import Article, Candidate
from stance.extract.lexicon import NO_COMMENT_PATTERNS

NO_COMMENT = re.compile("|".join(NO_COMMENT_PATTERNS), re.IGNORECASE)
QUOTE_CHARS = set("\"“”„‟«»'`")
SENT_END = {".", "!", "?"}
SUBJ_DEPS = {"nsubj", "csubj"}


@dataclass(frozen=True)
class Settings:
    """The `RuleExtractor` options the families read (documented in conf/extract/default.yaml)."""

    min_direct_words: int = 2
    indirect: bool = True
    object_cues: bool = True
    continuation: bool = True
    keep_unattributed: bool = False
    max_speaker_tokens: int = 25
    open_cues: bool = False
    nested: bool = False


class Ranges:
    """[start, end) ranges sorted by start: those near a range are found by bisection, not a scan of all of
    them, so comparing every quote with every other one no longer grows with the square of the article."""

    def __init__(self, items: list, span=lambda item: item):
        keyed = sorted(((span(item), n, item) for n, item in enumerate(items)), key=lambda x: x[0][0])
        self.items = [item for _, _, item in keyed]
        self.order = [n for _, n, _ in keyed]  # position of each item in the input list
        self.starts = [a for (a, _), _, _ in keyed]
        self.longest = max((b - a for (a, b), _, _ in keyed), default=0)

    def starting_in(self, lo: int, hi: int) -> list:
        """Items whose start is in [lo, hi], in input order."""
        i, j = bisect_left(self.starts, lo), bisect_right(self.starts, hi)
        return [item for _, item in sorted(zip(self.order[i:j], self.items[i:j]), key=lambda x: x[0])]

    def near(self, lo: int, hi: int) -> list:
        """Every item that overlaps or touches [lo, hi] (and maybe a few that do not), in input order."""
        return self.starting_in(lo - self.longest, hi)


def is_verb(tok: Token) -> bool:
    return tok.tag_.startswith("VB") and tok.dep_ not in ("aux", "auxpass")


def count_words(tokens) -> int:
    return sum(1 for t in tokens if t.is_alpha or t.like_num)


def trim(art: Article, lo: int, hi: int) -> tuple[int, int] | None:
    """Token range [lo, hi] without edge punctuation, spaces and a leading "that"; None if nothing is left."""
    doc = art.doc
    while lo <= hi and (doc[lo].is_space or (doc[lo].is_punct and doc[lo].text not in QUOTE_CHARS)):
        lo += 1
    if lo <= hi and doc[lo].lower_ in ("that",) and doc[lo].dep_ == "mark":
        lo += 1
    while lo <= hi and (doc[lo].is_space or (doc[lo].is_punct and doc[lo].text not in QUOTE_CHARS)):
        lo += 1
    while hi >= lo and (
        doc[hi].is_space or doc[hi].dep_ == "cc" or (doc[hi].is_punct and doc[hi].text not in QUOTE_CHARS | {"?", "!"})
    ):
        hi -= 1
    if hi < lo:
        return None
    return lo, hi


def close_quotes(art: Article, lo: int, hi: int) -> int:
    """A quotation that starts inside the content ends with it (same paragraph only)."""
    para = art.paragraph_of(art.doc[lo].idx)
    for idx in {art.in_quote[i] for i in range(lo, hi + 1) if art.in_quote[i] >= 0}:
        region = art.regions[idx]
        end_tok = art.token_at(region.end - 1)
        if end_tok is not None and end_tok.i > hi and art.paragraph_of(region.end - 1) == para:
            hi = end_tok.i
    return hi


def content_candidate(
    art: Article, ranges: list[tuple[int, int]], spk: Token | None, min_words: int = 2
) -> Candidate | None:
    """Trimmed content pieces (never containing the speaker) as an indirect candidate, or None when too short."""
    doc = art.doc
    pieces = []
    for lo, hi in ranges:
        trimmed = trim(art, lo, hi)
        if trimmed is None:
            continue
        lo, hi = trimmed
        if spk is not None and lo <= spk.i <= hi:
            continue
        pieces.append((lo, close_quotes(art, lo, hi)))
    if not pieces or count_words([t for lo, hi in pieces for t in doc[lo : hi + 1]]) < min_words:
        return None
    return Candidate(
        "indirect",
        [(doc[lo].idx, doc[hi].idx + len(doc[hi].text)) for lo, hi in pieces],
        art.paragraph_of(doc[pieces[0][0]].idx),
    )
