"""The inference loop's batching: every row once, sorted by token length inside a window, padded to its own batch,
and the probabilities handed back in the input's order whatever the window."""

from __future__ import annotations

import numpy as np
import pandas as pd
from transformers import AutoTokenizer

from stance.modeling.inputs import TOKENIZE_WINDOW, model_input_names, predict_sorted, token_batches

TEXTS = [
    "The plan is a disaster.",
    "We support the bill.",
    "Act now, before it is too late for the families who depend on the river for their water and their work.",
    "No.",
    "The senator dismissed the report as old news that nobody in the capital takes seriously any more.",
    "It is fine.",
    "Critics called the decision reckless and short-sighted.",
    "We will vote for it.",
]


def test_batches_cover_every_row_once_sorted_and_padded_to_their_own_longest(tiny_model_dir):
    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    names = model_input_names(tok)
    batches = list(token_batches(tok, TEXTS, None, 32, batch_size=2, names=names, window=4))
    rows = np.concatenate([r for r, _ in batches])
    assert sorted(rows.tolist()) == list(range(len(TEXTS)))
    lengths = {i: len(tok(t, truncation=True, max_length=32)["input_ids"]) for i, t in enumerate(TEXTS)}
    for window in (range(0, 4), range(4, 8)):  # within a window, the batches go from short to long
        seen = [lengths[i] for r, _ in batches for i in r if i in window]
        assert seen == sorted(seen)
    for r, arrays in batches:
        width = arrays["input_ids"].shape[1]
        assert width == max(lengths[i] for i in r)  # padded to its own longest quote, no further
        assert arrays["attention_mask"].sum(axis=1).tolist() == [lengths[i] for i in r]
    assert TOKENIZE_WINDOW >= 1024


def test_probabilities_come_back_in_input_order_for_any_window(tiny_model_dir, monkeypatch):
    import stance.modeling.inputs as inputs

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    names = model_input_names(tok)
    frame = pd.DataFrame({"text": TEXTS * 3})

    def logits(arrays):  # a stand-in model: each row's score is its own token count, so order mistakes show
        n = arrays["attention_mask"].sum(axis=1).astype(np.float32)
        return np.stack([n, -n, np.zeros_like(n), n / 2, -n / 2], axis=1)

    expected = None
    real = inputs.token_batches
    for window in (1, 3, 7, 4096):
        monkeypatch.setattr(inputs, "token_batches", lambda *a, w=window, **k: real(*a[:6], window=w))
        probs = predict_sorted(frame, tok, "text", 32, 4, 5, names, logits)
        expected = probs if expected is None else expected
        assert np.allclose(probs, expected)
    counts = np.array([len(tok(t, truncation=True, max_length=32)["input_ids"]) for t in frame["text"]])
    assert np.allclose(np.log(expected[:, 0] / expected[:, 2]), counts, atol=1e-4)  # row i holds row i's score
