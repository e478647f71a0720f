"""The report pieces on their own: highlighting in context, escaping everywhere, per-speaker tallies,
the bounded quote sample and spreadsheet-safe speakers.csv cells."""

from __future__ import annotations

import re

import pandas as pd

from stance.report import UNRESOLVED, QuoteSample, SpeakerTally, render_report
from stance.report.html import highlight, speaker_chart

LABELS = ["supportive", "critical", "neutral"]
ARTICLE = 'Intro. Mayor Ana Roe said: "Close the <b>road</b> now." Later text.'


def quote(**over) -> dict:
    start = ARTICLE.index('"Close')
    end = ARTICLE.index(" Later")
    base = {
        "article_id": "a<1>",
        "quote_id": "a<1>-q1",
        "text": ARTICLE[start:end],
        "start": start,
        "end": end,
        "spans": [[start, end]],
        "type": "direct",
        "cue": "said",
        "cue_start": ARTICLE.index("said"),
        "cue_end": ARTICLE.index("said") + 4,
        "speaker_mention": "Mayor Ana Roe",
        "speaker_start": ARTICLE.index("Mayor"),
        "speaker_end": ARTICLE.index(" said"),
        "speaker": "Ana Roe",
        "speaker_type": "person",
        "context": ARTICLE[ARTICLE.index("Mayor") : end],
        "stance": "critical",
        "stance_score": 0.81,
        "low_confidence": False,
        "source": "/data/articles/a<1>.txt",
        "source_line": None,
    }
    base.update(over)
    return base


def test_highlight_marks_quote_cue_and_speaker_and_escapes():
    html = highlight("x <i> y", [(0, 5, "hl-quote"), (2, 7, "hl-cue")])
    assert html == (
        '<span class="hl-quote">x </span><span class="hl-cue hl-quote">&lt;i&gt;</span><span class="hl-cue"> y</span>'
    )


def test_quote_row_shows_context_with_marks_and_links():
    page = render_report([quote()], [], LABELS, {"quotes": 1, "input": "articles"})
    assert '<span class="hl-speaker">Mayor Ana Roe</span>' in page
    assert '<span class="hl-cue">said</span>' in page
    assert '<span class="hl-quote">&quot;Close the &lt;b&gt;road&lt;/b&gt; now.&quot;</span>' in page
    assert "<b>road</b>" not in page
    assert 'data-article-id="a&lt;1&gt;"' in page and 'id="article-1"' in page
    assert 'href="file:///data/articles/a%3C1%3E.txt"' in page


def test_hostile_speaker_names_stay_text_in_attributes_chart_and_options():
    evil = '"><img src=x onerror=alert(1)>'
    speakers = [{"speaker": evil, "speaker_type": "person", "resolved": True, "quotes": 1, "n_critical": 1}]
    page = render_report([quote(speaker=evil)], speakers, LABELS, {"quotes": 1, "input": "x"})
    assert "<img" not in page
    assert page.count("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;") >= 3  # row, chart bar, filter option
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page)


def test_chart_has_a_bar_per_speaker_up_to_the_limit_and_handles_none():
    speakers = [
        {"speaker": f"S{i}", "speaker_type": "person", "resolved": True, "quotes": 10 - i, "n_neutral": 10 - i}
        for i in range(5)
    ]
    speakers.append({"speaker": UNRESOLVED, "speaker_type": "", "resolved": False, "quotes": 50, "n_neutral": 50})
    svg = speaker_chart(speakers, LABELS, limit=3)
    assert svg.startswith('<svg id="speaker-chart"')
    assert re.findall(r'data-speaker="([^"]*)"', svg) == ["S0", "S1", "S2"]  # unresolved is not a speaker
    empty = speaker_chart([], LABELS, limit=3)
    assert 'id="speaker-chart"' in empty and "No quote was attributed" in empty


def test_speaker_tally_counts_and_keeps_the_top_quotes_by_score():
    tally = SpeakerTally(LABELS, typical=2, quote_chars=12)
    rows = [
        ("Ana", "person", "critical", 0.9, True, "q1", "first quote that is long"),
        ("Ana", "person", "neutral", 0.4, True, "q2", "second"),
        ("Ana", "person", "critical", 0.95, False, "q3", "third"),
        ("Ana", "organization", "supportive", 0.5, False, "q4", "an organisation"),
        (None, "unknown", "neutral", 0.6, False, "q5", "nobody"),
        (pd.NA, "unknown", "critical", 0.7, False, "q6", "nobody again"),
    ]
    columns = ["speaker", "speaker_type", "stance", "stance_score", "low_confidence", "quote_id", "text"]
    tally.add(pd.DataFrame(rows[:3], columns=columns))
    tally.add(pd.DataFrame(rows[3:], columns=columns))
    out = {(r["speaker"], r["speaker_type"]): r for r in tally.rows()}
    ana = out[("Ana", "person")]
    assert (ana["quotes"], ana["n_critical"], ana["n_neutral"], ana["low_confidence"]) == (3, 2, 1, 2)
    assert ana["typical_quote_1"] == "[critical 0.95] third"
    assert ana["typical_quote_2"] == "[critical 0.90] first quote…"  # cut to 12 characters
    assert out[("Ana", "organization")]["quotes"] == 1
    assert tally.rows()[-1]["speaker"] == UNRESOLVED and out[(UNRESOLVED, "")]["quotes"] == 2
    assert tally.unresolved_quotes == 2
    assert sum(r["quotes"] for r in tally.rows()) == len(rows)


def test_speakers_csv_cells_cannot_run_as_formulas():
    tally = SpeakerTally(LABELS)
    columns = ["speaker", "speaker_type", "stance", "stance_score", "low_confidence", "quote_id", "text"]
    tally.add(pd.DataFrame([["=HYPERLINK(1)", "person", "neutral", 0.5, False, "q1", "+1 call me"]], columns=columns))
    frame = tally.frame()
    assert frame.loc[0, "speaker"] == "'=HYPERLINK(1)"
    assert frame.loc[0, "typical_quote_1"].startswith("[neutral")  # starts with the label, safe as it is
    tally2 = SpeakerTally(LABELS, typical=1)
    tally2.add(pd.DataFrame([["-x", "@type", "neutral", 0.5, False, "q1", "t"]], columns=columns))
    assert tally2.frame().loc[0, ["speaker", "speaker_type"]].tolist() == ["'-x", "'@type"]


def test_quote_sample_is_bounded_uniform_and_in_input_order():
    sample = QuoteSample(limit=50, seed=1)
    built = []

    def make(i):
        built.append(i)
        return {"i": i}

    for i in range(10_000):
        sample.offer(lambda i=i: make(i))
    kept = [item["i"] for item in sample.items()]
    assert len(kept) == 50 and kept == sorted(kept) and sample.seen == 10_000
    assert max(kept) > 5_000 and min(kept) < 5_000  # not just the first or the last quotes
    assert len(built) < 1_000  # items are only built when kept
    small = QuoteSample(limit=50)
    for i in range(3):
        small.offer(lambda i=i: {"i": i})
    assert [item["i"] for item in small.items()] == [0, 1, 2]


def test_tally_and_report_are_keyed_by_speaker_id_when_quotes_carry_one():
    tally = SpeakerTally(LABELS, typical=1)
    columns = ["speaker", "speaker_type", "stance", "stance_score", "low_confidence", "quote_id", "text", "speaker_id"]
    rows = [
        ("Ana Roe", "person", "critical", 0.8, False, "q1", "one", "ana-roe-1"),
        ("Ana Roe", "person", "neutral", 0.6, False, "q2", "two", "ana-roe-1"),
        ("Ana Roe", "person", "neutral", 0.6, False, "q3", "three", "ana-roe-2"),  # a namesake, another id
        (None, "unknown", "neutral", 0.5, False, "q4", "four", None),
    ]
    tally.add(pd.DataFrame(rows, columns=columns))
    by_id = {r["speaker_id"]: r for r in tally.rows()}
    assert (by_id["ana-roe-1"]["quotes"], by_id["ana-roe-2"]["quotes"], by_id[None]["speaker"]) == (2, 1, UNRESOLVED)
    frame = tally.frame({"ana-roe-1": {"aliases": "=Ana; Roe", "roles": "mayor", "articles": 2, "ambiguous": False}})
    first = frame.set_index("speaker_id").loc["ana-roe-1"]
    assert (first["aliases"], first["roles"], first["articles"]) == ("'=Ana; Roe", "mayor", 2)
    assert frame.set_index("speaker_id").loc["ana-roe-2", "aliases"] == ""
    quotes = [
        quote(speaker_id="ana-roe-1"),
        quote(speaker="Roe", speaker_id="ana-roe-1"),
        quote(speaker_id="ana-roe-2"),
    ]
    page = render_report(quotes, tally.rows(), LABELS, {"quotes": 3, "input": "x"})
    keys = re.findall(r'class="quote[^"]*"[^>]*data-speaker="([^"]*)"', page)
    assert keys == ["ana-roe-1", "ana-roe-1", "ana-roe-2"]  # "Roe" and "Ana Roe" filter together
    assert re.findall(r'<g class="bar"[^>]*data-speaker="([^"]*)"', page) == ["ana-roe-1", "ana-roe-2"]
    assert re.findall(r'<option value="(ana-roe-\d)">Ana Roe \((\d)\)', page) == [
        ("ana-roe-1", "2"),
        ("ana-roe-2", "1"),
    ]
