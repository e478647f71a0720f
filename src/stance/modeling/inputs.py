"""How a quote becomes model input: text alone, (target, text) or (text, context)."""

from __future__ import annotations

import pandas as pd

INPUT_MODES = ("text", "target_text", "text_context")


def input_pairs(frame: pd.DataFrame, mode: str) -> tuple[list[str], list[str] | None]:
    """First and (optional) second segment for a tokenizer or a vectorizer."""
    if mode not in INPUT_MODES:
        raise ValueError(f"input mode must be one of {INPUT_MODES}, got '{mode}'")
    text = frame["text"].astype(str).tolist()
    if mode == "target_text":
        target = frame["target"].fillna("").astype(str).tolist() if "target" in frame else [""] * len(text)
        return target, text
    if mode == "text_context":
        context = frame["context"].fillna("").astype(str).tolist() if "context" in frame else [""] * len(text)
        return text, context
    return text, None


def joined_text(frame: pd.DataFrame, mode: str, sep: str = " || ") -> list[str]:
    """One string per row, for models that take a single text (TF-IDF)."""
    first, second = input_pairs(frame, mode)
    if second is None:
        return first
    return [f"{a}{sep}{b}" for a, b in zip(first, second)]
