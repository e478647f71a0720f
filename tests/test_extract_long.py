"""Long articles: the work grows in proportion to the length (counted in function calls, not timed), a long
article is parsed in paragraph-aligned parts with a progress line each, and every offset still slices it."""

from __future__ import annotations

import cProfile
import logging
import pstats

from hypothesis import given, settings
from hypothesis import strategies as st

from stance.extract.pipeline import QuoteExtractor

BLOCK = (
    "Senator Maria Lopez said the budget plan would fail.\n\n"
    '"We cannot accept this," Lopez told reporters on Monday.\n\n'
    "According to the ministry, 40 people were hurt in the fire.\n\n"
    "She added that the agency would review the decision.\n\n"
    "The spokesman said the office was closed, and the company said it would appeal.\n\n"
)


def work(extractor, text: str) -> tuple[int, int]:
    """Function calls (Python and spaCy's) made while finding the quotes of a parsed article, and the quotes."""
    doc = extractor.nlp(text)
    profile = cProfile.Profile()
    profile.enable()
    quotes = extractor.quotes_from_doc(doc, "x")
    profile.disable()
    return pstats.Stats(profile).total_calls, len(quotes)


def test_work_grows_in_proportion_to_the_length(extractor):
    """Four times the text, four times the work: before, every speaker lookup rebuilt all of the document's
    entities and scanned every person, which made 40 blocks cost 10 times as much as 10 blocks."""
    small, small_quotes = work(extractor, BLOCK * 10)
    large, large_quotes = work(extractor, BLOCK * 40)
    assert large_quotes == 4 * small_quotes > 0
    assert large / small < 4.6, f"{large} calls for 4x the text of {small} calls"


_TEXT = st.lists(st.sampled_from(["word", "said", " ", "\n", "\n\n", "  \n\n ", "“Yes,”", "x" * 30]), max_size=60).map(
    "".join
)


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.integers(1, 80))
def test_paragraph_parts_cover_the_text_and_cut_only_between_words(text, size):
    from stance.extract.nlp import paragraph_parts

    parts = paragraph_parts(text, size)
    assert "".join(text[a:b] for a, b in parts) == text
    assert all(b > a for a, b in parts) or text == ""
    for a, b in parts[:-1]:
        hard = not any(ch.isspace() for ch in text[a + 1 : a + size])
        assert hard or (text[b - 1].isspace() and not text[b].isspace())  # a whole whitespace run ends the part


def test_long_article_is_parsed_in_parts_with_progress_and_the_same_quotes(extractor, caplog):
    article = BLOCK * 12  # about 3,400 characters
    in_parts = QuoteExtractor(extractor.extractor, extractor.attributor, part_chars=1000, nlp=extractor.nlp)
    with caplog.at_level(logging.INFO, logger="stance.extract.pipeline"):
        quotes = in_parts.extract(article, "long")
    progress = [r.getMessage() for r in caplog.records if "parsed" in r.getMessage()]
    assert len(progress) >= 3 and progress[-1].startswith(f"article 'long': parsed {len(article)} of {len(article)}")
    assert quotes and all(article[q.start : q.end] == q.text for q in quotes)
    for q in quotes:
        if q.speaker_mention is not None:
            assert article[q.speaker_start : q.speaker_end] == q.speaker_mention
    whole = extractor.extract(article, "long")
    assert [q.to_dict() for q in quotes] == [q.to_dict() for q in whole]
