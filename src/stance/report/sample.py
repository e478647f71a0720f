"""A uniform, bounded sample of quotes for the report (reservoir sampling), so memory stays flat."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any


class QuoteSample:
    """Keeps at most `limit` items out of however many are offered, each with the same chance."""

    def __init__(self, limit: int, seed: int = 0):
        self.limit = max(int(limit), 0)
        self.seen = 0
        self._items: list[tuple[int, dict[str, Any]]] = []
        self._random = random.Random(seed)

    def offer(self, make: Callable[[], dict[str, Any]]) -> None:
        """Count one more item; `make()` builds it only when it is kept (most are not, on a large run)."""
        seq = self.seen
        self.seen += 1
        if len(self._items) < self.limit:
            self._items.append((seq, make()))
            return
        slot = self._random.randrange(self.seen)
        if slot < self.limit:
            self._items[slot] = (seq, make())

    def items(self) -> list[dict[str, Any]]:
        """The kept items in the order they were offered."""
        return [item for _, item in sorted(self._items, key=lambda pair: pair[0])]
