"""Attributions led in by a phrase rather than a reporting verb: "according to X" (anywhere outside
quotation marks) and, with `open_cues`, headline-style "Name: what they said" lines.

"According to X, A" / "A, according to X": the speaker is X, the content the larger side of the rest of the
sentence (a "but ..." clause after it is a new clause, not X's). "John McCain: Populist Anger Appeals to Bad
Angels": one to four capitalised words at the start of a short paragraph (at most 160 characters up to the
line end), a colon, and at least three words; the name must be a proper-noun entity or be named elsewhere in the
article (a transcript's "Matthews: Well, ..." after "Chris Matthews").

Deliberately not found: "according to" inside quotation marks or with no object; a "Name:" line that is a
heading glued to body text, starts with a digit after the colon, or names no one the article knows. A colon
after a reporting verb ("X told reporters: A") is the reported-speech family's (`reported.py`), and a colon
before quotation marks ("HuffPollster: “A”") or ending the paragraph before a quote the direct family's.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from stance.extract.base import Article, Candidate
from stance.extract.rules.common import Settings, count_words, trim
from stance.extract.rules.cues import according_speaker, attach_cue

# "John McCain: Populist Anger Appeals ..." (1 to 4 capitalised words, a colon, then text on the same line,
# which is a headline only when the line is short)
_HEADLINE_CHARS = 160
_NAME_COLON = re.compile(r"[ \t]*((?:[A-Z][\w.'’-]*[ \t]){0,3}[A-Z][\w'’-]+)[ \t]*(:)[ \t]+(?=\S)(\D)")


def according_to(art: Article, tok: Token, settings: Settings) -> Candidate | None:
    """The attribution that an "according" outside quotation marks starts: X in "according to X" and, as
    content, the larger side of the rest of its sentence; None without an X or under three words."""
    doc = art.doc
    spk = according_speaker(tok)
    if spk is None:
        return None
    # "according to X" and nothing of it in the content: the parser may hang "to X" elsewhere than under "according"
    excluded = {t.i for t in tok.subtree} | {t.i for t in spk.head.subtree if spk.head.lower_ == "to"}
    sent = tok.sent
    # the content is the rest of the sentence: the larger side of "according to X"
    left = (sent.start, min(excluded) - 1)
    right = (max(excluded) + 1, sent.end - 1)
    best = None
    first_right = next((t for t in doc[right[0] : right[1] + 1] if not t.is_punct and not t.is_space), None)
    if first_right is not None and first_right.lower_ in ("but", "and", "yet", "while", "though", "although"):
        right = (right[0], right[0] - 1)  # "..., according to X, but Y vowed ...": a new clause, not X's
    for lo, hi in (left, right):
        if hi < lo:
            continue
        trimmed = trim(art, lo, hi)
        if trimmed is None:
            continue
        if best is None or (trimmed[1] - trimmed[0]) > (best[1] - best[0]):
            best = trimmed
    if best is None or count_words(doc[best[0] : best[1] + 1]) < 3:
        return None
    lo, hi = best
    cand = Candidate("indirect", [(doc[lo].idx, doc[hi].idx + len(doc[hi].text))], art.paragraph_of(doc[lo].idx))
    cand.confidence = 0.7
    attach_cue(art, cand, tok, settings)
    return cand


def find_name_colon(art: Article) -> list[Candidate]:
    """Headline-style attributions, a name, a colon and what they said: "John McCain: Populist Anger
    Appeals to Bad Angels". Only a short proper-name speaker at the start of a paragraph counts."""
    out: list[Candidate] = []
    for p_idx, (a, b) in enumerate(art.paragraphs):
        match = _NAME_COLON.match(art.text, a, b)
        first = art.token_at(match.start(1)) if match else None
        if first is None or art.in_quote[first.i] >= 0:
            continue
        name = art.doc.char_span(match.start(1), match.end(1), alignment_mode="expand")
        tokens = list(name) if name is not None else []
        if not tokens:
            continue
        proper = all(t.pos_ == "PROPN" for t in tokens)
        entity = any(t.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") for t in tokens)
        if not (proper and entity) and not _named_elsewhere(art, tokens[-1]):
            continue
        colon = art.token_at(match.start(2))
        lo = match.start(3)
        newline = art.text.find("\n", lo, b)
        hi = newline if newline >= 0 else b
        if hi - a > _HEADLINE_CHARS:  # a heading glued to body text, not a headline quote
            continue
        while hi > lo and art.text[hi - 1].isspace():
            hi -= 1
        content = art.doc.char_span(lo, hi, alignment_mode="expand")
        if colon is None or content is None or count_words(content) < 3:
            continue
        cand = Candidate("indirect", [(lo, hi)], p_idx)
        cand.cue = (match.start(2), match.end(2))
        cand.cue_token = colon.i
        head = tokens[-1]
        cand.speaker_head = head.i
        cand.speaker = (tokens[0].idx, head.idx + len(head.text))
        cand.confidence = 0.6
        out.append(cand)
    return out


def _named_elsewhere(art: Article, name: Token) -> bool:
    """NER often misses a name in a title-case headline ("Cruz: Trump Would ...") or a transcript line
    ("Matthews: Well, ..."); the rest of the article names them as a person or organisation."""
    named = art.cache.get("named_tokens")
    if named is None:
        named = art.cache["named_tokens"] = {}
        for t in art.doc:
            if t.ent_type_ in ("PERSON", "ORG"):
                named.setdefault(t.lower_, []).append(t.i)
    return any(i != name.i for i in named.get(name.lower_, ()))
