"""Shared state for one article and the interfaces the swappable strategies implement.

The extractor finds quote candidates (content, cue, speaker mention) in a parsed article; the
attributor resolves each speaker mention to the fullest name the article gives. Both are chosen
in `conf/extract/` by `_target_`, so they only meet through these types.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Protocol

from spacy.tokens import Doc, Span, Token

from stance.extract.quotemarks import QuoteRegion, find_quote_regions, paragraph_spans


@dataclass
class Candidate:
    """A quote before it becomes a record: character offsets into the article, plus parse anchors."""

    type: str
    pieces: list[tuple[int, int]]
    paragraph: int
    cue: tuple[int, int] | None = None
    speaker: tuple[int, int] | None = None
    speaker_head: int | None = None  # token index of the speaker mention's head
    cue_token: int | None = None
    confidence: float = 0.5
    inherited: bool = False  # speaker carried over from the previous quote
    resolved: str | None = None
    role: str | None = None
    speaker_type: str = "unknown"

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


@dataclass
class Article:
    """A parsed article with the paragraph and quotation-mark layout the strategies share."""

    doc: Doc
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    regions: list[QuoteRegion] = field(default_factory=list)
    in_quote: list[int] = field(default_factory=list)  # per token: index of its quote region or -1
    text: str = ""  # doc.text, kept: spaCy rebuilds it from the tokens on every access
    starts: list[int] = field(default_factory=list)  # per token: its first character
    ents: tuple[Span, ...] = ()  # doc.ents, kept: spaCy rebuilds every entity span on each access
    ent_starts: list[int] = field(default_factory=list)  # per entity: its first token
    cache: dict = field(default_factory=dict)  # lookups a strategy builds once per article

    @classmethod
    def from_doc(cls, doc: Doc) -> Article:
        text = doc.text
        starts = [t.idx for t in doc]
        paragraphs = paragraph_spans(text)
        regions = find_quote_regions(text, paragraphs)
        in_quote = [-1] * len(doc)
        for r_idx, region in enumerate(regions):
            for a, b in region.pieces:
                span = doc.char_span(a, b, alignment_mode="expand")
                if span is not None:
                    for i in range(span.start, span.end):
                        in_quote[i] = r_idx
        ents = tuple(doc.ents)
        return cls(doc, paragraphs, regions, in_quote, text, starts, ents, [e.start for e in ents])

    def ents_in(self, span: Span) -> list[Span]:
        """`span.ents` (the entities wholly inside it, in order) without spaCy's scan over every entity of the
        document, which made each speaker lookup cost time in proportion to the article's length."""
        out = []
        for k in range(bisect_left(self.ent_starts, span.start), len(self.ents)):
            if self.ents[k].end > span.end:
                break
            out.append(self.ents[k])
        return out

    def paragraph_of(self, char: int) -> int:
        lo, hi = 0, len(self.paragraphs) - 1
        best = 0
        while lo <= hi:
            mid = (lo + hi) // 2
            if self.paragraphs[mid][0] <= char:
                best = mid
                lo = mid + 1
            else:
                hi = mid - 1
        return best

    def span(self, a: int, b: int) -> Span | None:
        return self.doc.char_span(a, b, alignment_mode="expand")

    def token_at(self, char: int) -> Token | None:
        """The token whose characters include `char`; None for whitespace between tokens or out of range."""
        i = bisect_right(self.starts, char) - 1
        if i < 0:
            return None
        tok = self.doc[i]
        return tok if char < tok.idx + len(tok.text) else None


class Extractor(Protocol):
    def find(self, article: Article) -> list[Candidate]: ...


class Attributor(Protocol):
    def attribute(self, article: Article, candidates: list[Candidate]) -> None: ...
