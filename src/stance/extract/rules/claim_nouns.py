"""Claim nouns: a position carried by a noun and owned by its possessor, "Trump's claim that the vote was
rigged" (the "that" clause is the content), "his call for a recount" (the object of for/of/to right after
the noun). Run only with `open_cues`; the nouns are `CLAIM_NOUNS` in `stance.extract.lexicon`.

Deliberately not found: a claim noun with no possessor ("the claim that ...": the holder is unknown), an
"its"/"their" possessor that is no named entity, a noun inside quotation marks, and a "that" clause under two
words.
"""

from __future__ import annotations

from stance.extract.base import Article, Candidate
from stance.extract.lexicon import CLAIM_NOUNS
from stance.extract.rules.common import Settings, content_candidate
from stance.extract.rules.cues import mention_span


def find_noun_cues(art: Article, settings: Settings) -> list[Candidate]:
    """A position carried by a noun and owned by its possessor: "Trump's claim that the vote was rigged",
    "his call for a recount". Without a possessor the holder is unknown, so nothing is emitted."""
    out: list[Candidate] = []
    for tok in art.doc:
        if tok.pos_ != "NOUN" or tok.lemma_.lower() not in CLAIM_NOUNS or art.in_quote[tok.i] >= 0:
            continue
        owner = next((c for c in tok.children if c.dep_ == "poss" and c.i < tok.i), None)
        if owner is None or (owner.lower_ in ("its", "their") and owner.ent_type_ == ""):
            continue
        content, target = None, False
        for child in tok.children:
            if child.i <= tok.i:
                continue
            that = next((g for g in child.children if g.dep_ == "mark" and g.lower_ == "that"), None)
            if child.dep_ in ("acl", "ccomp") and that is not None:
                content = (that.i + 1, child.right_edge.i)
            elif child.dep_ == "prep" and child.lower_ in ("for", "of", "to") and child.i == tok.i + 1:
                objects = [g for g in child.children if g.dep_ in ("pobj", "pcomp")]
                if objects:
                    content, target = (objects[0].left_edge.i, objects[0].right_edge.i), True
            if content is not None:
                break
        if content is None:
            continue
        # the target of a "support for" may be one name; a clause needs two words
        cand = content_candidate(art, [content], owner, min_words=1 if target else 2)
        if cand is None:
            continue
        cand.cue, cand.cue_token = (tok.idx, tok.idx + len(tok.text)), tok.i
        cand.speaker_head = owner.i
        cand.speaker = mention_span(art, owner, tok, settings.max_speaker_tokens)
        cand.confidence = 0.55
        out.append(cand)
    return out
