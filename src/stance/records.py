"""The quote record shared by extraction, classification and the corpus tools."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

QuoteType = Literal["direct", "indirect", "mixed"]
SpeakerType = Literal["person", "organization", "document", "group", "unnamed", "unknown"]


@dataclass
class Quote:
    """One quotation found in an article.

    Offsets are Python str offsets into the article text, so `article[start:end] == text`.
    A direct quote split around its attribution ("A," she said. "B.") lists each part in `spans`.
    """

    article_id: str
    quote_id: str
    text: str
    start: int
    end: int
    type: QuoteType
    spans: list[list[int]] = field(default_factory=list)
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    speaker_mention: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker: str | None = None
    speaker_id: str | None = None  # the same person across articles (speakers.csv); set by the post-pass, None before
    speaker_role: str | None = None
    speaker_type: SpeakerType = "unknown"
    paragraph: int = 0
    context: str = ""
    confidence: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


QUOTE_FIELDS = [f for f in Quote.__dataclass_fields__]
