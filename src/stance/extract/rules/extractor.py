"""The rule extractor: runs the quote families in a fixed order and settles where their finds overlap.

Order: quotation marks first (`direct.py`); then, unless `indirect` is off, one pass over the tokens outside
quotation marks in text order, where "according" starts a lead-in (`leadins.py`) and any other token may be
a reporting verb (`reported.py`); then, with `open_cues`, "Name: ..." headlines (`leadins.py`) and claim
nouns (`claim_nouns.py`). Junk lines and no-comment content are dropped from every family. Reported speech
that is mostly a direct quote's text is cut before that quote or dropped; one with quotation marks inside
becomes a mixed quote (and the direct quotes inside it its fragments); one sharing a direct quote's cue is
dropped; without `nested`, of two nested attributions one is kept. Last, quotes with no cue borrow a speaker
(`borrowing.py`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from spacy.tokens import Token

from stance.extract.base import Article, Candidate
from stance.extract.lexicon import JUNK_LINE_PATTERNS
from stance.extract.rules.borrowing import borrow_speakers
from stance.extract.rules.claim_nouns import find_noun_cues
from stance.extract.rules.common import NO_COMMENT, Ranges, Settings, count_words, trim
from stance.extract.rules.cues import mention_span
from stance.extract.rules.direct import find_direct
from stance.extract.rules.leadins import according_to, find_name_colon
from stance.extract.rules.reported import reported_speech

_JUNK_LINE = re.compile("|".join(JUNK_LINE_PATTERNS), re.IGNORECASE)


class RuleExtractor:
    """Finds direct, indirect and mixed quotes with their cue and speaker mention."""

    def __init__(
        self,
        min_direct_words: int = 2,
        indirect: bool = True,
        object_cues: bool = True,
        continuation: bool = True,
        keep_unattributed: bool = False,
        max_speaker_tokens: int = 25,
        open_cues: bool = False,
        nested: bool = False,
    ):
        self.min_direct_words = int(min_direct_words)
        self.indirect = bool(indirect)
        self.object_cues = bool(object_cues)
        self.continuation = bool(continuation)
        self.keep_unattributed = bool(keep_unattributed)
        self.max_speaker_tokens = int(max_speaker_tokens)
        self.open_cues = bool(open_cues)
        self.nested = bool(nested)

    def settings(self) -> Settings:
        """The options as the families read them (taken at each call, so a changed attribute counts)."""
        return Settings(
            self.min_direct_words,
            self.indirect,
            self.object_cues,
            self.continuation,
            self.keep_unattributed,
            self.max_speaker_tokens,
            self.open_cues,
            self.nested,
        )

    def find(self, art: Article) -> list[Candidate]:
        settings = self.settings()
        direct, _ = find_direct(art, settings)
        direct = [c for c in direct if not _junk(art, c)]
        if not settings.indirect:
            borrow_speakers(art, direct, settings.max_speaker_tokens)
            return direct
        found = find_cued(art, settings)
        if settings.open_cues:
            found += find_name_colon(art) + find_noun_cues(art, settings)
        reported = [c for c in found if not _junk(art, c)]
        merged = _resolve_overlaps(art, direct, reported, settings.nested)
        borrow_speakers(art, merged, settings.max_speaker_tokens)
        return merged

    # the methods the rules had before they were split by family, for callers of the old class
    def find_direct(self, art: Article) -> tuple[list[Candidate], set[int]]:
        return find_direct(art, self.settings())

    def find_indirect(self, art: Article) -> list[Candidate]:
        return find_cued(art, self.settings())

    def find_name_colon(self, art: Article) -> list[Candidate]:
        return find_name_colon(art)

    def find_noun_cues(self, art: Article) -> list[Candidate]:
        return find_noun_cues(art, self.settings())

    def mention_span(self, art: Article, head: Token, cue: Token | None = None) -> tuple[int, int]:
        return mention_span(art, head, cue, self.max_speaker_tokens)


def find_cued(art: Article, settings: Settings) -> list[Candidate]:
    """One pass over the tokens outside quotation marks, in text order: "according" may start a lead-in,
    any other token a reported-speech cue (a token starts at most one attribution)."""
    out: list[Candidate] = []
    for tok in art.doc:
        if art.in_quote[tok.i] >= 0:
            continue
        if tok.lower_ == "according":
            cand = according_to(art, tok, settings)
        else:
            cand = reported_speech(art, tok, settings)
        if cand is not None:
            out.append(cand)
    return out


def _resolve_overlaps(
    art: Article, direct: list[Candidate], reported: list[Candidate], nested: bool
) -> list[Candidate]:
    """Direct quotes and the other families' finds, overlaps settled, in text order."""
    direct_chars = Ranges([(a, b) for c in direct for a, b in c.pieces])
    direct_quotes = Ranges(direct, lambda c: (c.start, c.end))
    region_starts = [r.start for r in art.regions]
    direct_cues = {c.cue_token for c in direct if c.cue_token is not None}
    kept: list[Candidate] = []
    for cand in sorted(reported, key=lambda c: (c.start, -(c.end - c.start))):
        a, b = cand.start, cand.end
        length = b - a
        overlap = sum(max(0, min(b, y) - max(a, x)) for x, y in direct_chars.near(a, b))
        # a direct quote inside with a cue of its own ("X said A but added, “B”") is not this one's fragment
        cued_inside = any(
            d.cue is not None
            and a < d.cue[0] < d.start < b
            and d.speaker_head is not None
            and art.doc[d.speaker_head].idx < a  # the same speaker goes on; not a nested attribution
            for d in direct_quotes.starting_in(a, b)
        )
        if overlap >= 0.5 * length or cued_inside:
            if not _cut_before_direct(art, cand, direct_quotes, direct_chars) and overlap >= 0.5 * length:
                continue
            a, b = cand.start, cand.end
            length = b - a
        # quotation marks inside reported speech make it a mixed quote
        regions = art.regions[bisect_left(region_starts, a) : bisect_right(region_starts, b)]
        inside = [r for r in regions if r.start >= a and r.end <= b]
        if inside:
            emitted = [r for r in inside if any(x <= r.start < y for x, y in direct_chars.near(r.start, r.start))]
            if sum(r.end - r.start for r in emitted) >= 0.9 * length:
                continue
            cand.type = "mixed"
        if cand.cue_token in direct_cues:
            continue
        kept.append(cand)
    final = kept if nested else _drop_nested(art, kept)
    # direct quotes swallowed by a mixed quote are its fragments
    mixed_ranges = Ranges([(c.start, c.end) for c in final if c.type == "mixed"])
    direct = [c for c in direct if not any(x <= c.start and c.end <= y for x, y in mixed_ranges.near(c.start, c.start))]
    return sorted(direct + final, key=lambda c: c.start)


def _drop_nested(art: Article, kept: list[Candidate]) -> list[Candidate]:
    """Nested reported speech without `nested`: each word belongs to one attribution, so keep one of the
    two; the outer one, except that "according to X" around another attribution yields to it. (With
    `nested`, both are kept: "X said A, according to Y" is Y's report of X's words.)"""
    drop: set[int] = set()
    by_start = Ranges(list(range(len(kept))), lambda k: (kept[k].start, kept[k].end))
    for i, outer in enumerate(kept):
        for j in by_start.starting_in(outer.start, outer.end):
            inner = kept[j]
            if i == j or inner.cue is None or not (outer.start <= inner.cue[0] < outer.end):
                continue
            if not (outer.start <= inner.start and inner.end <= outer.end):
                continue
            according = outer.cue is not None and art.text[outer.cue[0] : outer.cue[1]].lower().startswith("accord")
            drop.add(i if according else j)
    return [c for k, c in enumerate(kept) if k not in drop]


def _cut_before_direct(art: Article, cand: Candidate, direct: Ranges, direct_chars: Ranges) -> bool:
    """Reported speech that runs on into a direct quote ("X said A but added, “B”") keeps its own part,
    up to that quote's cue; False when too little of it is left."""
    if len(cand.pieces) != 1:
        return False
    a, b = cand.start, cand.end
    later = [d for d in direct.starting_in(a, b) if a < d.start < b]
    if not later:
        return False
    first = min(later, key=lambda d: d.start)
    cut = first.start
    if first.cue is not None and a < first.cue[0] < cut:
        cut = first.cue[0]
    while cut > a and art.text[cut - 1].isspace():
        cut -= 1
    lo, hi = art.token_at(a), art.token_at(cut - 1)
    if lo is None or hi is None:
        return False
    trimmed = trim(art, lo.i, hi.i)
    if trimmed is None or count_words(art.doc[trimmed[0] : trimmed[1] + 1]) < 3:
        return False
    end = art.doc[trimmed[1]].idx + len(art.doc[trimmed[1]].text)
    if any(x < end and a < y for x, y in direct_chars.near(a, end)):
        return False
    cand.pieces = [(art.doc[trimmed[0]].idx, end)]
    return True


def _junk(art: Article, cand: Candidate) -> bool:
    """A candidate from a boilerplate line (short lines matching a junk pattern) or with no-comment content."""
    para = art.paragraphs[cand.paragraph]
    line = art.text[para[0] : para[1]]
    if _JUNK_LINE.search(line) and len(line) < 300:
        return True
    content = art.text[cand.start : cand.end]
    return bool(NO_COMMENT.search(content))
