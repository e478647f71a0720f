"""Find quotation-mark regions in raw text, one paragraph at a time.

Working per paragraph is what keeps an unbalanced mark from swallowing the rest of the article:
a quote left open at the end of a paragraph is kept only when the next paragraph reopens it
(the newspaper convention for quotes that run over several paragraphs); otherwise it is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Double quotation marks in the forms news text uses; '' and `` are typewriter (NYT-style) marks.
_MARK_RE = re.compile(r"''|``|[\"“”„‟«»]")
_OPEN_ONLY = {"“", "„", "‟", "«", "``"}
_CLOSE_ONLY = {"”", "»"}
_PARA_SPLIT_BLANK = re.compile(r"\n[ \t\r\f\v\u00a0]*\n\s*")
_PARA_SPLIT_LINE = re.compile(r"\n\s*")
_OPENERS_BEFORE = set("([{—–-/‘'\u00a0 \t\n")


@dataclass
class QuoteRegion:
    """A quotation between marks; `pieces` are [start, end) offsets including the marks, one per paragraph."""

    pieces: list[tuple[int, int]]
    paragraphs: list[int] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each paragraph: blank-line separated if the text has blank lines, else line by line."""
    splitter = _PARA_SPLIT_BLANK if _PARA_SPLIT_BLANK.search(text) else _PARA_SPLIT_LINE
    spans = []
    pos = 0
    for m in splitter.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def _direction(text: str, m: re.Match) -> str:
    """'open', 'close' or '?' for one mark, from its glyph and the characters around it."""
    mark = m.group()
    before = text[m.start() - 1] if m.start() > 0 else " "
    after = text[m.end()] if m.end() < len(text) else " "
    space_before = before.isspace() or before in _OPENERS_BEFORE
    space_after = after.isspace() or after in ".,;:!?)]}—–-"
    if mark in _OPEN_ONLY:
        # a curly opening mark glued to a word on the left and followed by space is a mis-typed closer
        return "close" if (not space_before and space_after and mark == "“") else "open"
    if mark in _CLOSE_ONLY:
        return "open" if (space_before and not space_after and mark == "”") else "close"
    if space_before and not space_after:
        return "open"
    if space_after and not space_before:
        return "close"
    return "?"


def _paragraph_marks(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), _direction(text, m)) for m in _MARK_RE.finditer(text, start, end)]


def find_quote_regions(text: str, paragraphs: list[tuple[int, int]] | None = None) -> list[QuoteRegion]:
    """Pair quotation marks paragraph by paragraph and join quotes that run over several paragraphs."""
    paragraphs = paragraph_spans(text) if paragraphs is None else paragraphs
    regions: list[QuoteRegion] = []
    carry: QuoteRegion | None = None  # a quote left open at the end of the previous paragraph
    for p_idx, (p_start, p_end) in enumerate(paragraphs):
        marks = _paragraph_marks(text, p_start, p_end)
        if carry is not None:
            # the convention: a continued quote reopens at the very start of the next paragraph
            if not (marks and marks[0][0] == p_start and marks[0][2] in ("open", "?")):
                carry = None
        open_at: int | None = None
        open_piece_start: int | None = None
        for i, (m_start, m_end, direction) in enumerate(marks):
            if open_at is None:
                if direction == "close":
                    continue  # stray closing mark: ignore, never let it open a quote
                open_at = m_start
                open_piece_start = m_start
                if carry is not None and i == 0:
                    continue
                carry = None
                continue
            if direction == "open":
                # a new opening mark while one is open: the first one was never closed; restart here
                carry = None
                open_at = m_start
                open_piece_start = m_start
                continue
            piece = (open_piece_start, m_end)
            if carry is not None:
                carry.pieces.append(piece)
                carry.paragraphs.append(p_idx)
                regions.append(carry)
                carry = None
            else:
                regions.append(QuoteRegion([piece], [p_idx]))
            open_at = None
        if open_at is not None:
            piece = (open_piece_start, p_end)
            if carry is not None:
                carry.pieces.append(piece)
                carry.paragraphs.append(p_idx)
            else:
                carry = QuoteRegion([piece], [p_idx])
        else:
            carry = None
    # a quote still open when the article ends is dropped: there is nothing to close it
    regions.sort(key=lambda r: r.start)
    return regions
