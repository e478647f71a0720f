"""Quotes in quotation marks: direct quotes, and the mixed quotes that start with a reporting clause before
the marks and run on past them.

Each quotation-mark region (paired by `stance.extract.quotemarks`) becomes a direct quote when a cue stands
next to it: a reporting verb or "according to" after it ("“A,” she said"), a reporting verb before it that
leads into it ("She said: “A”"), a dash byline (“A” ― Jane Smith), a "Name: “A”" lead-in (`open_cues`), or
a previous paragraph that ends in a colon ("Cruz said:"). A quote whose cue comes before it, in a sentence
that goes on after the closing mark, is extended to the end of that sentence and typed mixed. A quote with
no cue joins the quote before it when their shared cue sits between them (a split quote), takes the speaker
of a direct quote in the previous paragraph when it opens its own paragraph (`continuation`), or is kept
without a speaker (`keep_unattributed`) for `borrowing.borrow_speakers` to fill in after every family ran.

Deliberately not found: quotation marks inside a clause that are not set off by punctuation or a cue (scare
quotes, titles, fragments) unless they read like a sentence; quotes without a cue that are title case or
shorter than `min_direct_words`. Reported speech that contains quotation marks is the reported-speech
family's (`reported.py`); the orchestrator types it mixed.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from stance.extract.base import Article, Candidate
from stance.extract.lexicon import DIRECT_VERBS
from stance.extract.rules.common import NO_COMMENT, QUOTE_CHARS, SENT_END, Settings, count_words, is_verb
from stance.extract.rules.cues import attach_cue, is_nested_cue, person_before, subject_of

_SPEAKER_WINDOW = 20  # tokens between a quote and its cue after it
_LONG_SPEAKER_WINDOW = 40  # ... when all of them describe the speaker
# a quotation followed, on its own line, by a dash and a name: “...” ― Jane Smith (reader comments, epigraphs)
_DASH_BYLINE = re.compile(
    r"[ \t\u00a0]*([―—–])[ \t\u00a0]*((?:[A-Z][\w.'’-]*\.?[ \u00a0]){0,4}[A-Z][\w'’-]+)\.?[ \t\u00a0]*(?:\n|$)"
)


def find_direct(art: Article, settings: Settings) -> tuple[list[Candidate], set[int]]:
    """Candidates from quotation marks, and the indexes of the regions set aside as embedded in a clause
    (scare quotes, titles, fragments)."""
    out: list[Candidate] = []
    embedded: set[int] = set()
    for r_idx, region in enumerate(art.regions):
        first, last = region.pieces[0], region.pieces[-1]
        p_first = art.paragraph_of(first[0])
        p_last = art.paragraph_of(last[0])
        span = art.span(first[0], last[1])
        if span is None:
            continue
        content_tokens = [t for t in span if art.in_quote[t.i] == r_idx]
        n_words = count_words(content_tokens)
        if n_words == 0:
            continue
        cand = Candidate("direct", list(region.pieces), p_first, confidence=0.9)
        para_start = art.paragraphs[p_first][0]
        para_end = art.paragraphs[p_last][1]
        is_embedded = _embedded(art, first[0], para_start)
        inner = art.text[first[0] : last[1]]
        sentence_like = n_words >= 5 and inner[1:2].isupper()
        if is_embedded and not sentence_like:
            embedded.add(r_idx)
            continue
        if _dash_byline(art, cand, last[1]):
            out.append(cand)
            continue
        inner_tail = art.text[max(first[0], last[1] - 3) : last[1]]
        after_first = any(ch in inner_tail for ch in ",?!—–")
        cue = None
        if after_first:
            cue = _cue_after(art, r_idx, last[1], para_end)
        if cue is None:
            cue = _cue_before(art, r_idx, first[0], para_start, settings)
        if cue is None and not after_first:
            cue = _cue_after(art, r_idx, last[1], para_end)
        if cue is None and first[0] == para_start:
            cue = _lead_in_cue(art, r_idx, p_first, settings)
        if cue is not None and attach_cue(art, cand, cue, settings):
            # '"Savage," she said.': a one-word quote counts when its own cue follows it
            short_ok = after_first and cue.idx > last[1] and cue.idx - last[1] < 20
            if n_words < settings.min_direct_words and not short_ok:
                continue
            if cue.idx < first[0] and len(region.pieces) == 1 and settings.indirect:
                # with reported speech off, a quote stays what is inside its marks
                _extend_mixed(art, cand, r_idx)
            out.append(cand)
            continue
        if is_embedded:
            embedded.add(r_idx)
            continue
        if n_words < settings.min_direct_words or _title_like(content_tokens):
            continue
        cand.cue = None
        cand.confidence = 0.0  # unattributed for now; continuation logic may adopt it
        out.append(cand)
    return _adopt_orphans(art, out, settings), embedded


def _embedded(art: Article, start_char: int, para_start: int) -> bool:
    """True when the quote sits inside a clause (scare quote, title, mixed fragment), not set off by , : or a cue."""
    opening = art.token_at(start_char)
    if opening is None:
        return False
    doc = art.doc
    i = opening.i - 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    if i < 0 or doc[i].idx < para_start:
        return False
    prev = doc[i]
    if prev.is_punct and prev.text not in ("(", "'", "‘"):
        return False
    if is_verb(prev) and prev.lemma_.lower() in DIRECT_VERBS:
        return False
    return True


def _dash_byline(art: Article, cand: Candidate, end_char: int) -> bool:
    """`“...” ― Jane Smith` at the end of a line: the dash is the cue and the name the speaker."""
    m = _DASH_BYLINE.match(art.text, end_char)
    if m is None:
        return False
    dash = art.token_at(m.start(1))
    first = art.token_at(m.start(2))
    head = art.token_at(m.end(2) - 1)
    if dash is None or first is None or head is None or not all(t.pos_ == "PROPN" for t in (first, head)):
        return False
    cand.cue, cand.cue_token = (m.start(1), m.end(1)), dash.i
    cand.speaker, cand.speaker_head = (m.start(2), m.end(2)), head.i
    return True


def _cue_after(art: Article, region_idx: int, end_char: int, para_end: int) -> Token | None:
    """A reporting verb (or "according") after the closing mark, with only the speaker's phrase between."""
    doc = art.doc
    closing = art.token_at(end_char - 1)
    if closing is None:
        return None
    inner_end = art.text[max(0, end_char - 3) : end_char]
    ends_sentence = "." in inner_end and "," not in inner_end
    window: list[Token] = []
    for tok in doc[closing.i + 1 :]:
        if tok.idx >= para_end or art.in_quote[tok.i] not in (-1, region_idx):
            break
        if art.in_quote[tok.i] == region_idx:
            continue
        if tok.text in SENT_END or tok.text in (";",):
            break
        if not tok.is_space:
            window.append(tok)
        if len(window) > _LONG_SPEAKER_WINDOW:
            break
    if not window:
        return None
    if ends_sentence and len(window) > 6:
        return None
    if window[0].lower_ == "according":
        return window[0]
    for n, tok in enumerate(window):
        if tok.lower_ == "according" and tok.i - window[0].i <= 2:
            return tok
        if is_verb(tok) and tok.dep_ not in ("amod", "compound"):  # not "the bespectacled diplomat"
            if tok.lemma_.lower() in DIRECT_VERBS:
                if n >= _SPEAKER_WINDOW:
                    # a long speaker description ("..., Leonard E. Burman, director of ..., said"): only
                    # when the speaker's phrase starts right after the quote
                    spk = subject_of(tok)
                    return tok if spk is not None and spk.left_edge.i <= window[0].i + 1 else None
                return tok
            if tok.is_title:
                continue  # a name the tagger took for a verb ("Tulsa police Chief Chuck Jordan said")
            if _in_modifier(tok, window[0].i):
                continue  # "“A,” Smith, who is an actor, said": the clause describes the speaker
            return None
    return None


def _in_modifier(tok: Token, start: int) -> bool:
    """True when `tok` sits in a relative clause, participle or apposition hanging on a noun after `start`."""
    while tok.head.i != tok.i and tok.head.i >= start:
        if tok.dep_ in ("relcl", "acl", "appos"):
            return True
        tok = tok.head
    return tok.dep_ in ("relcl", "acl", "appos")


def _cue_before(
    art: Article, region_idx: int, start_char: int, para_start: int, settings: Settings, lead_in: bool = False
) -> Token | None:
    """A reporting verb (or "according", or a "Name:" lead-in) before the opening mark that leads into it."""
    doc = art.doc
    opening = art.token_at(start_char)
    if opening is None or opening.i == 0:
        return None
    window: list[Token] = []
    for tok in reversed(doc[: opening.i]):
        if tok.idx < para_start or art.in_quote[tok.i] >= 0:
            break
        if tok.text in SENT_END or tok.text == ";":
            break
        if not tok.is_space:
            window.append(tok)
        if len(window) > 25:
            break
    if not window:
        return None
    window.reverse()
    last = window[-1]
    if settings.open_cues and last.text == ":" and _name_before(window) is not None:
        return last  # "... - HuffPollster: “...”"
    for tok in reversed(window):
        if tok.lower_ == "according":
            return tok
        if (
            is_verb(tok)
            and tok.lemma_.lower() in DIRECT_VERBS
            and (subject_of(tok) is not None or (settings.open_cues and person_before(tok, window) is not None))
        ):
            # the verb must lead into the quote: it is right before it, or a comma/colon/dash sits between
            between = [t for t in window if t.i > tok.i]
            if not between or lead_in or last.text in (",", ":", "—", "–", "-") or len(between) <= 6:
                return tok
            return None
    return None


def _name_before(window: list[Token]) -> Token | None:
    """The name in a "Name: “quote”" lead-in: 1 to 4 proper nouns (a person or an organisation) right before
    the colon, at the start of the window or after a dash."""
    names: list[Token] = []
    for tok in reversed(window[:-1]):
        if tok.pos_ != "PROPN" or len(names) == 4:
            break
        names.append(tok)
    if not names or not any(t.ent_type_ in ("PERSON", "ORG") for t in names):
        return None
    before = window[: len(window) - 1 - len(names)]
    if before and before[-1].text not in ("-", "—", "–", "--"):
        return None
    return names[0]


def _lead_in_cue(art: Article, r_idx: int, p_idx: int, settings: Settings) -> Token | None:
    """A quote paragraph introduced by the previous paragraph ending in a colon ("Cruz said:")."""
    if p_idx == 0:
        return None
    a, b = art.paragraphs[p_idx - 1]
    if not art.text[a:b].rstrip().endswith(":"):
        return None
    colon = art.text.rindex(":", a, b)
    return _cue_before(art, r_idx, colon, a, settings, lead_in=True)


def _extend_mixed(art: Article, cand: Candidate, r_idx: int) -> None:
    """`X said "A" because B.`: the sentence goes on after the quote, so the content is the whole rest."""
    doc = art.doc
    closing = art.token_at(cand.end - 1)
    if closing is None:
        return
    para_end = art.paragraphs[cand.paragraph][1]
    last = None
    words = 0
    for tok in doc[closing.i + 1 :]:
        if tok.idx >= para_end or (tok.is_sent_start and tok.i > closing.i + 1):
            break
        if art.in_quote[tok.i] < 0 and (is_nested_cue(tok) or tok.lower_ == "according"):
            return
        if tok.text in SENT_END and art.in_quote[tok.i] < 0:
            break
        if tok.is_alpha or tok.like_num:
            words += 1
        if not tok.is_space and not (tok.is_punct and tok.text not in QUOTE_CHARS):
            last = tok
        elif not tok.is_space and art.in_quote[tok.i] >= 0:
            last = tok
    if last is None or words < 2:
        return
    first_after = next((t for t in doc[closing.i + 1 :] if not t.is_space), None)
    if first_after is not None and first_after.text in (",", ";", "—", "–", ":"):
        return
    cand.pieces = [(cand.start, last.idx + len(last.text))]
    cand.type = "mixed"


def _title_like(tokens) -> bool:
    """Every content word capitalised: a title or a name in quotation marks, not speech."""
    words = [t for t in tokens if t.is_alpha and not t.is_stop]
    return bool(words) and all(t.is_title or t.is_upper for t in words)


def _adopt_orphans(art: Article, cands: list[Candidate], settings: Settings) -> list[Candidate]:
    """Cue-less quotes: a second part of a split quote, a continued quote paragraph, or dropped."""
    kept: list[Candidate] = []
    for cand in cands:
        if cand.cue is not None:
            kept.append(cand)
            continue
        prev = kept[-1] if kept else None
        if prev is not None and prev.cue is not None and prev.paragraph == cand.paragraph:
            between = art.text[prev.end : cand.start]
            cue_between = prev.cue[0] >= prev.end and prev.cue[1] <= cand.start
            if cue_between and len(between) < 400 and not NO_COMMENT.search(between):
                prev.pieces.extend(cand.pieces)
                continue
        if (
            settings.continuation
            and prev is not None
            and prev.speaker is not None
            and prev.type == "direct"
            and 0 < cand.paragraph - art.paragraph_of(prev.end) <= 1
            and cand.start == art.paragraphs[cand.paragraph][0]
        ):
            cand.speaker = prev.speaker
            cand.speaker_head = prev.speaker_head
            cand.inherited = True
            cand.confidence = 0.6
            kept.append(cand)
            continue
        if settings.keep_unattributed:
            cand.confidence = 0.3  # a speaker may still be borrowed once all attributions are known
            kept.append(cand)
    return kept
