"""Placeholder attributor (replaced below)."""
from __future__ import annotations


class EntityAttributor:
    def __init__(self, max_pronoun_distance: int = 3):
        self.max_pronoun_distance = max_pronoun_distance

    def attribute(self, article, candidates) -> None:
        for c in candidates:
            if c.speaker:
                c.resolved = article.text[c.speaker[0]:c.speaker[1]]
