"""Rules that must hold when the parser or a helper lets them down: the speaker a rule found is kept, and
"according to X" never ends up inside the content it introduces."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc

from stance.extract.base import Article
from stance.extract.rules import cues
from stance.extract.rules.common import Settings
from stance.extract.rules.leadins import according_to


def test_reported_speech_keeps_its_speaker_when_attach_cue_finds_none(extractor, monkeypatch):
    """`attach_cue` looks for the subject again and can miss the one `reported_speech` found; the attribution
    then keeps that speaker instead of coming back without one."""
    text = "Senator Ruth Ames said that the bill would fail in the House."
    before = [q for q in extractor.extract(text, "t") if q.cue == "said"]
    assert [q.speaker_mention for q in before] == ["Senator Ruth Ames"]
    for search in ("subject_of", "_nearby_speaker", "person_before", "noun_right_before"):
        monkeypatch.setattr(cues, search, lambda *args, **kwargs: None)  # attach_cue's own searches find nobody
    after = [q for q in extractor.extract(text, "t") if q.cue == "said"]
    assert [(q.text, q.speaker_mention) for q in after] == [(before[0].text, "Senator Ruth Ames")]


def _doc(words, heads, deps, pos):
    """A parse written by hand, to reproduce an attachment the statistical parser makes only now and then."""
    doc = Doc(spacy.blank("en").vocab, words=words, spaces=[True] * (len(words) - 2) + [False, False])
    for tok, head, dep, tag in zip(doc, heads, deps, pos):
        tok.head, tok.dep_, tok.pos_ = doc[head], dep, tag
    return doc


def test_according_to_leaves_to_x_out_of_the_content_when_to_hangs_on_the_verb():
    # "Prices rose sharply according to the central bank of France ." with "to" a child of "rose", not of
    # "according": the speaker is still found through the next token, and "to the central bank of France" (the
    # longer side of the sentence) must not become the content
    words = ["Prices", "rose", "sharply", "according", "to", "the", "central", "bank", "of", "France", "."]
    heads = [1, 1, 1, 1, 1, 7, 7, 4, 7, 8, 1]
    deps = ["nsubj", "ROOT", "advmod", "prep", "prep", "det", "amod", "pobj", "prep", "pobj", "punct"]
    pos = ["NOUN", "VERB", "ADV", "VERB", "ADP", "DET", "ADJ", "NOUN", "ADP", "PROPN", "PUNCT"]
    doc = _doc(words, heads, deps, pos)
    art = Article.from_doc(doc)
    cand = according_to(art, doc[3], Settings())
    assert cand is not None
    (start, end), *_ = cand.pieces
    assert art.text[start:end] == "Prices rose sharply"
    assert art.text[cand.speaker[0] : cand.speaker[1]].endswith("central bank of France")
