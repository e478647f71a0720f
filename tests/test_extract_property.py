"""Arbitrary Unicode never crashes the extractor, and every offset slices back to its text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from stance.config import CONF_DIR
from stance.extract.pipeline import build_extractor

_extractor = None


def get_extractor():
    global _extractor
    if _extractor is None:
        _extractor = build_extractor(OmegaConf.load(CONF_DIR / "extract" / "default.yaml"))
    return _extractor


_PIECES = st.sampled_from(
    [
        '"',
        "“",
        "”",
        "''",
        "\n\n",
        "\n",
        " said ",
        "she said, ",
        "according to Kim, ",
        "Ann Lee",
        ":",
        ", ",
        ".",
        " the plan ",
    ]
)
texts = st.lists(st.one_of(st.text(max_size=30), _PIECES), max_size=25).map("".join)


def check(text: str) -> None:
    for q in get_extractor().extract(text, "p"):
        assert text[q.start : q.end] == q.text
        assert q.start <= q.end and q.type in ("direct", "indirect", "mixed")
        for a, b in q.spans:
            assert q.start <= a <= b <= q.end
        if q.cue is not None:
            assert text[q.cue_start : q.cue_end] == q.cue
        if q.speaker_mention is not None:
            assert text[q.speaker_start : q.speaker_end] == q.speaker_mention


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_arbitrary_text_never_crashes_and_offsets_slice_back(text):
    check(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        '"',
        '""""',
        "“”“",
        "\n\n“\n\n”",
        "said said said",
        "\x00\ud7ff\U0001f600 “x” he said",
        "A,\u200b” she said",
    ],
)
def test_edge_cases(text):
    check(text)
