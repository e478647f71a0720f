"""Speakers for quotes with no cue of their own, filled in once every family has run (the donors can be
any family's quotes): the subject of a colon lead-in without a reporting verb ("Stated Stone:", "... said in
a statement:"), else the speaker of the nearest attribution before the quote in its own or the previous
paragraph, else of the next one in its paragraph. Borrowed speakers are marked `inherited`.

Deliberately not done: borrowing from an attribution nested inside another one, from an attribution that
itself borrowed or inherited its speaker, or across more than one paragraph break.
"""

from __future__ import annotations

from spacy.tokens import Token

from stance.extract.base import Article, Candidate
from stance.extract.rules.common import SUBJ_DEPS, Ranges
from stance.extract.rules.cues import mention_span


def borrow_speakers(art: Article, cands: list[Candidate], max_speaker_tokens: int) -> None:
    """A quote with no cue of its own: the speaker of its colon lead-in, else of the nearest attribution
    before it (same or previous paragraph), else of a later quote in its paragraph."""
    attributed = [c for c in cands if c.speaker is not None and not c.inherited]
    by_start = Ranges(attributed, lambda c: (c.start, c.end))
    by_paragraph: dict[int, list[Candidate]] = {}
    for c in attributed:
        by_paragraph.setdefault(c.paragraph, []).append(c)
    for cand in cands:
        if cand.speaker is not None or cand.cue is not None:
            continue
        lead = _lead_in_speaker(art, cand)
        if lead is not None:
            cand.speaker_head = lead.i
            cand.speaker = mention_span(art, lead, None, max_speaker_tokens)
            if lead.dep_ == "ROOT":  # "Continued Baxter:": the name only
                lo = lead.i
                while lo > 0 and art.doc[lo - 1].pos_ == "PROPN" and art.doc[lo - 1].head.i == lead.i:
                    lo -= 1
                cand.speaker = (art.doc[lo].idx, lead.idx + len(lead.text))
            cand.inherited, cand.confidence = True, 0.5
            continue
        # only attributions ending in this or the previous paragraph qualify: look at those starting near there
        near = by_start.near(art.paragraphs[cand.paragraph - 1][0] if cand.paragraph > 1 else 0, cand.start)
        before = [c for c in near if c.start < cand.start and cand.paragraph - art.paragraph_of(c.end) <= 1]
        # an attribution nested in another ("X said that critics claimed Y") does not speak on after it
        before = [c for c in before if not any(o is not c and o.start <= c.start and c.end <= o.end for o in before)]
        after = [c for c in by_paragraph.get(cand.paragraph, []) if c.start > cand.start]
        donor = max(before, key=lambda c: c.start) if before else (min(after, key=lambda c: c.start) if after else None)
        if donor is not None:
            cand.speaker, cand.speaker_head, cand.inherited = donor.speaker, donor.speaker_head, True
            cand.confidence = 0.4


def _lead_in_speaker(art: Article, cand: Candidate) -> Token | None:
    """Subject of a lead-in that ends in a colon without a reporting verb ("Stated Stone:", "... a statement:")."""
    doc = art.doc
    para_start = art.paragraphs[cand.paragraph][0]
    before = art.text[para_start : cand.start].rstrip()
    if before:
        if not before.endswith(":"):
            return None
        colon = para_start + len(before) - 1
    elif cand.paragraph > 0:
        a, b = art.paragraphs[cand.paragraph - 1]
        prev = art.text[a:b].rstrip()
        if not prev.endswith(":"):
            return None
        colon = a + len(prev) - 1
    else:
        return None
    tok = art.token_at(colon)
    if tok is None or tok.i == 0:
        return None
    sent = doc[tok.i - 1].sent
    subj = next((c for c in sent.root.children if c.dep_ in SUBJ_DEPS), None)
    if subj is not None and subj.lower_ not in ("it", "this", "that", "there", "here") and art.in_quote[subj.i] < 0:
        return subj
    people = [e for e in art.ents_in(sent) if e.label_ in ("PERSON", "ORG") and e.end <= tok.i]
    if people:
        return people[-1].root
    root = sent.root
    return root if root.pos_ == "PROPN" and root.i < tok.i and art.in_quote[root.i] < 0 else None
