"""Per-speaker tallies kept while quotes stream past: counts per stance and the few most typical quotes.

Memory grows with the number of distinct speakers, never with the number of quotes.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from stance.io import neutralise

UNRESOLVED = "(unresolved)"


def truncate(text: str, limit: int) -> str:
    """One line of at most `limit` characters, ending in an ellipsis when cut."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)].rstrip() + "…"


@dataclass
class _Speaker:
    name: str
    speaker_type: str
    resolved: bool
    quotes: int = 0
    low_confidence: int = 0
    per_label: dict[str, int] = field(default_factory=dict)
    top: list[tuple[float, int, str, str, str]] = field(default_factory=list)  # min-heap of (score, -seq, ...)


class SpeakerTally:
    """One row per resolved speaker (name + speaker_type); quotes with no resolved speaker share one
    "(unresolved)" row, listed last, so the rows' counts always add up to the quote count."""

    def __init__(self, labels: list[str], typical: int = 3, quote_chars: int = 160):
        self.labels = list(labels)
        self.typical = int(typical)
        self.quote_chars = int(quote_chars)
        self._speakers: dict[tuple[str, str], _Speaker] = {}
        self._seq = itertools.count()

    def add(self, frame: pd.DataFrame) -> None:
        """Count the classified quotes of one chunk (columns speaker, speaker_type, stance, stance_score,
        low_confidence, quote_id, text)."""
        columns = ["speaker", "speaker_type", "stance", "stance_score", "low_confidence", "quote_id", "text"]
        for name, kind, stance, score, low, quote_id, text in frame[columns].itertuples(index=False, name=None):
            resolved = isinstance(name, str) and bool(name.strip())
            key = (str(name), str(kind)) if resolved else (UNRESOLVED, "")
            entry = self._speakers.get(key)
            if entry is None:
                entry = self._speakers[key] = _Speaker(key[0], key[1], resolved)
            entry.quotes += 1
            entry.low_confidence += bool(low)
            entry.per_label[stance] = entry.per_label.get(stance, 0) + 1
            item = (float(score), -next(self._seq), str(stance), str(quote_id), truncate(text, self.quote_chars))
            if len(entry.top) < self.typical:
                heapq.heappush(entry.top, item)
            else:
                heapq.heappushpop(entry.top, item)

    @property
    def unresolved_quotes(self) -> int:
        entry = self._speakers.get((UNRESOLVED, ""))
        return entry.quotes if entry else 0

    def rows(self) -> list[dict[str, Any]]:
        """Speakers by quote count (then name); the unresolved row last. Plain strings, not CSV-escaped."""
        ordered = sorted(self._speakers.values(), key=lambda s: (not s.resolved, -s.quotes, s.name, s.speaker_type))
        out = []
        for s in ordered:
            row: dict[str, Any] = {
                "speaker": s.name,
                "speaker_type": s.speaker_type,
                "resolved": s.resolved,
                "quotes": s.quotes,
            }
            for label in self.labels:
                row[f"n_{label}"] = s.per_label.get(label, 0)
            row["low_confidence"] = s.low_confidence
            best = sorted(s.top, reverse=True)
            for i in range(self.typical):
                row[f"typical_quote_{i + 1}"] = f"[{best[i][2]} {best[i][0]:.2f}] {best[i][4]}" if i < len(best) else ""
            out.append(row)
        return out

    def frame(self) -> pd.DataFrame:
        """The speakers.csv table, with every text cell safe to open in a spreadsheet."""
        columns = ["speaker", "speaker_type", "resolved", "quotes", *[f"n_{x}" for x in self.labels], "low_confidence"]
        columns += [f"typical_quote_{i + 1}" for i in range(self.typical)]
        frame = pd.DataFrame(self.rows(), columns=columns)
        for col in ("speaker", "speaker_type", *[f"typical_quote_{i + 1}" for i in range(self.typical)]):
            frame[col] = frame[col].map(neutralise)
        return frame
