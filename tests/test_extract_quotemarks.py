"""Quotation-mark pairing works per paragraph and never lets a stray mark swallow the article."""

from stance.extract.quotemarks import find_quote_regions, paragraph_spans


def texts(text):
    return [[text[a:b] for a, b in r.pieces] for r in find_quote_regions(text)]


def test_paragraphs_split_on_blank_lines_or_single_lines():
    assert len(paragraph_spans("One.\n\nTwo.\n\n\nThree.")) == 3
    assert len(paragraph_spans("One.\nTwo.\nThree.")) == 3
    text = "  One.\n\n Two. \n"
    assert [text[a:b] for a, b in paragraph_spans(text)] == ["One.", "Two."]


def test_straight_curly_and_typewriter_marks():
    text = "He said, \"we will win,\" and she said “no way.” The Times wrote ''not so fast.''"
    assert texts(text) == [['"we will win,"'], ["“no way.”"], ["''not so fast.''"]]


def test_quote_over_several_paragraphs_is_one_region():
    text = "“The first part.\n\n“The second part.\n\n“The end,” she said."
    (region,) = find_quote_regions(text)
    assert [text[a:b] for a, b in region.pieces] == ["“The first part.", "“The second part.", "“The end,”"]
    assert region.paragraphs == [0, 1, 2]


def test_unclosed_quote_is_dropped_for_its_paragraph_only():
    text = "He said “this never closes.\n\nNext paragraph with “a real quote” here.\n\nLast one."
    assert texts(text) == [["“a real quote”"]]


def test_stray_closing_mark_and_odd_straight_marks():
    text = 'A stray ” mark. Then 5 " tall and "fine words" here.'
    regions = texts(text)
    assert ['"fine words"'] in regions or all("fine words" in " ".join(r) for r in regions)
    assert all("stray" not in piece for r in regions for piece in r)
