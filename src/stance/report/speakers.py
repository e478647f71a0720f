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
    speaker_id: str | None = None
    quotes: int = 0
    low_confidence: int = 0
    per_label: dict[str, int] = field(default_factory=dict)
    top: list[tuple[float, int, str, str, str]] = field(default_factory=list)  # min-heap of (score, -seq, ...)


class SpeakerTally:
    """One row per resolved speaker (its speaker_id when the quotes carry one, else name + speaker_type); quotes
    with no resolved speaker share one "(unresolved)" row, listed last, so the rows' counts always add up to the
    quote count."""

    def __init__(self, labels: list[str], typical: int = 3, quote_chars: int = 160):
        self.labels = list(labels)
        self.typical = int(typical)
        self.quote_chars = int(quote_chars)
        self._speakers: dict[tuple[str, str], _Speaker] = {}
        self._seq = itertools.count()

    def add(self, frame: pd.DataFrame) -> None:
        """Count the classified quotes of one chunk (columns speaker, speaker_type, stance, stance_score,
        low_confidence, quote_id, text, and optionally speaker_id: then `speaker` is the speaker's one name)."""
        columns = ["speaker", "speaker_type", "stance", "stance_score", "low_confidence", "quote_id", "text"]
        ids = frame["speaker_id"].tolist() if "speaker_id" in frame.columns else [None] * len(frame)
        rows = frame[columns].itertuples(index=False, name=None)
        for speaker_id, (name, kind, stance, score, low, quote_id, text) in zip(ids, rows):
            resolved = isinstance(name, str) and bool(name.strip())
            speaker_id = speaker_id if resolved and isinstance(speaker_id, str) and speaker_id else None
            key = (str(name), str(kind)) if resolved else (UNRESOLVED, "")
            key = ("id", speaker_id) if speaker_id else key
            entry = self._speakers.get(key)
            if entry is None:
                entry = self._speakers[key] = _Speaker(
                    str(name) if resolved else UNRESOLVED, str(kind) if resolved else "", resolved, speaker_id
                )
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
                "speaker_id": s.speaker_id,
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

    def frame(self, details: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
        """The speakers.csv table, with every text cell safe to open in a spreadsheet. `details` (speaker_id ->
        its row of the corpus speaker table) adds the aliases, roles and article count of each speaker."""
        columns = ["speaker_id", "speaker", "speaker_type", "resolved", "quotes"]
        columns += [*[f"n_{x}" for x in self.labels], "low_confidence"]
        columns += [f"typical_quote_{i + 1}" for i in range(self.typical)]
        extra = ["aliases", "roles", "articles", "ambiguous"] if details is not None else []
        rows = self.rows()
        for row in rows:
            found = (details or {}).get(row["speaker_id"] or "", {})
            row.update({c: found.get(c, "" if c in ("aliases", "roles") else None) for c in extra})
        frame = pd.DataFrame(rows, columns=columns + extra)
        text = ("speaker", "speaker_type", *[f"typical_quote_{i + 1}" for i in range(self.typical)], *extra[:2])
        for col in text:
            frame[col] = frame[col].map(neutralise)
        return frame
