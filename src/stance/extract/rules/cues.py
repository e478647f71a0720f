"""From a cue to its speaker: the subject of a reporting verb (with the parser's usual misattachments
repaired), the speaker mention as written, and the cue's own extent. Every family that has a cue word
attaches its cue and speaker through `attach_cue`."""

from __future__ import annotations

from spacy.tokens import Token

from stance.extract.base import Article, Candidate
from stance.extract.lexicon import (
    CLAUSE_VERBS,
    DIRECT_VERBS,
    DOCUMENT_NOUNS,
    GROUP_NOUNS,
    ORG_NOUNS,
    PERSON_PRONOUNS,
    ROLE_NOUNS,
)
from stance.extract.rules.common import QUOTE_CHARS, SUBJ_DEPS, Settings, is_verb


def subject_of(verb: Token) -> Token | None:
    """The speaker token of a cue verb: its subject, a passive agent, or the subject it shares with its head."""
    for child in verb.children:
        if child.dep_ in SUBJ_DEPS:
            return child
    for child in verb.children:
        if child.dep_ == "agent":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return obj
    head = verb.head
    if verb.dep_ == "pcomp" and head.dep_ == "prep" and head.head.i != head.i:
        # "as they have taken to saying", "defended it by saying that ...": the subject of the verb
        return next((c for c in head.head.children if c.dep_ in SUBJ_DEPS), None)
    if (
        verb.dep_ == "conj"
        and verb.lemma_.lower() in DIRECT_VERBS
        and head.dep_ == "ccomp"
        and head.lemma_.lower() not in DIRECT_VERBS
        and head.head.lemma_.lower() in DIRECT_VERBS
        and any(c.dep_ in SUBJ_DEPS for c in head.head.children)
    ):
        head = head.head  # "Pence said it takes time but added ...": added goes with said, not with takes
    if head.i != verb.i and (verb.dep_ in ("conj", "xcomp") or (verb.dep_ == "advcl" and verb.tag_ == "VBG")):
        for child in head.children:
            if child.dep_ in SUBJ_DEPS or (verb.dep_ == "conj" and child.dep_ == "nsubjpass"):
                return child  # "officials were angered by the deal and predicted ...": a passive head shares it too
        return _left_clause_subject(head)
    return _left_clause_subject(verb)


def _left_clause_subject(verb: Token) -> Token | None:
    """A subject the parser hung on a clause before the verb ("activists clamoring to block Trump say ...",
    "Trump summed up Clinton as ..., denounced her record and said ..."): the subject of that clause."""
    for child in verb.children:
        if child.i < verb.i and child.dep_ == "advcl" and child.tag_ in ("VBG", "VBD", "VBN"):
            if any(g.dep_ == "mark" for g in child.children):
                continue  # "When he arrived, ...": a subordinate clause has a subject of its own
            for grand in child.children:
                if grand.dep_ in SUBJ_DEPS and grand.i < child.i:
                    return grand
    return None


def noun_right_before(verb: Token) -> Token | None:
    """A speaker the parser attached elsewhere but that stands right before its verb ("..., House Speaker
    Paul Ryan's office announced Friday that ..."): a person, group or document noun, adverbs skipped."""
    j = verb.i - 1
    while j >= 0 and verb.doc[j].pos_ == "ADV":
        j -= 1
    if j < 0 or verb.doc[j].sent != verb.sent:
        return None
    tok = verb.doc[j]
    if tok.pos_ in ("NOUN", "PROPN") and tok.dep_ != "compound" and speaker_like(tok):
        if verb.tag_ == "VBG" and tok.dep_ == "dobj" and tok.lemma_.lower() in DOCUMENT_NOUNS:
            # "Trump's campaign issued a statement saying ...": the statement speaks for whoever issued it
            return subject_of(tok.head) or tok
        return tok
    return None


def speaker_like(tok: Token) -> bool:
    """Could this subject hold a position: a person, group or document, not "the problem" or "it"."""
    if tok.ent_type_ in ("PERSON", "ORG", "NORP", "GPE"):
        return True
    lower = tok.lower_
    if lower in PERSON_PRONOUNS or lower in ("they", "we", "who") or lower in GROUP_NOUNS:
        return True  # a generic group ("critics compared ...") holds a position, though it names no one
    lemma = tok.lemma_.lower()
    return tok.pos_ == "PROPN" or lemma in ROLE_NOUNS or lemma in ORG_NOUNS or lemma in DOCUMENT_NOUNS


def person_before(verb: Token, window: list[Token]) -> Token | None:
    """A speaker the parser did not attach to its verb ("..., Col. Steven Warren, a spokesman, said"): the
    nearest person name before the verb, with nothing between them but its own apposition and commas."""
    earlier = [t for t in window if t.i < verb.i]
    for tok in reversed(earlier):
        if (
            tok.ent_type_ == "PERSON"
            and tok.pos_ == "PROPN"
            and (tok.i + 1 >= len(tok.doc) or tok.doc[tok.i + 1].ent_type_ != "PERSON")
        ):
            between = [t for t in tok.doc[tok.i + 1 : verb.i] if not t.is_punct]
            subtree = {t.i for t in tok.subtree}
            if all(t.i in subtree for t in between):
                return tok
            return None
    return None


def cue_extent(verb: Token) -> tuple[int, int]:
    """Character span of the cue: the verb with its auxiliaries, negation and particles next to it."""
    toks = [verb] + [c for c in verb.children if c.dep_ in ("aux", "auxpass", "neg", "prt") and abs(c.i - verb.i) <= 3]
    toks = [t for t in toks if not t.is_space]
    lo = min(toks, key=lambda t: t.i)
    hi = max(toks, key=lambda t: t.i)
    if hi.i - lo.i > 4:
        lo = hi = verb
    return lo.idx, hi.idx + len(hi.text)


def according_speaker(tok: Token) -> Token | None:
    """X in "according to X": the object of its "to"."""
    for child in tok.children:
        if child.lower_ == "to":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return obj
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    if nxt is not None and nxt.lower_ == "to":
        for obj in nxt.children:
            if obj.dep_ == "pobj":
                return obj
    return None


def is_nested_cue(tok: Token) -> bool:
    """A reporting verb with a subject of its own (or a participle): a new attribution starts here; not one
    whose only clause is a small clause ("groups are finding themselves alienated")."""
    clauses = [c for c in tok.children if c.dep_ == "ccomp"]
    return (
        is_verb(tok)
        and tok.lemma_.lower() in CLAUSE_VERBS
        and (tok.tag_ == "VBG" or any(g.dep_ in SUBJ_DEPS for g in tok.children))
        and not (clauses and all(small_clause(c) for c in clauses))
    )


def small_clause(clause: Token) -> bool:
    """ "found themselves alienated", "saw prices rising": a participle with a pronoun or noun subject and no
    auxiliary, which a parser labels a clause but which states nothing anyone said."""
    return (
        clause.tag_ in ("VBN", "VBG")
        and not any(c.dep_ in ("aux", "auxpass", "mark") for c in clause.children)
        and any(c.dep_ == "nsubj" and c.i < clause.i for c in clause.children)
    )


def mention_span(art: Article, head: Token, cue: Token | None = None, max_tokens: int = 25) -> tuple[int, int]:
    """The speaker mention as written: the subject's noun phrase, cut at quotes, the cue and relative clauses."""
    doc = art.doc
    lo, hi = head.left_edge.i, head.right_edge.i
    for child in head.children:
        if child.dep_ in ("relcl", "acl") and child.i > head.i and (hi - lo) > 8:
            hi = min(hi, child.left_edge.i - 1)
    if cue is not None:
        if lo <= cue.i <= hi:
            if cue.i > head.i:
                hi = cue.i - 1
            else:
                lo = cue.i + 1
    for i in range(head.i, hi + 1):
        if art.in_quote[i] >= 0 or doc[i].is_space or doc[i].text in QUOTE_CHARS:
            hi = i - 1
            break
    for i in range(head.i, lo - 1, -1):
        if art.in_quote[i] >= 0 or doc[i].is_space:
            lo = i + 1
            break
    if hi - lo + 1 > max_tokens:
        lo = max(lo, head.i - 6)
        hi = min(hi, head.i)
    while hi > lo and (doc[hi].is_punct or doc[hi].is_space):
        hi -= 1
    while lo < hi and (doc[lo].is_punct or doc[lo].is_space):
        lo += 1
    lo, hi = min(lo, head.i), max(hi, head.i)
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


def attach_cue(
    art: Article, cand: Candidate, cue: Token, settings: Settings, known_speaker: Token | None = None
) -> bool:
    """Attach cue and speaker mention; False when the cue has no speaker. `known_speaker`: the speaker a caller
    already found for a verb cue, used when the searches below find none (they look for the subject again)."""
    if cue.lower_ == "according":
        spk = according_speaker(cue)
        if spk is None:
            return False
        to = cue.doc[cue.i + 1] if cue.i + 1 < len(cue.doc) else cue
        cand.cue = (cue.idx, to.idx + len(to.text))
    elif cue.text == ":":
        spk = cue.doc[cue.i - 1]
        cand.cue = (cue.idx, cue.idx + len(cue.text))
    else:
        spk = subject_of(cue)
        if spk is not None and art.in_quote[spk.i] >= 0 and art.in_quote[cue.i] < 0:
            # '"Meh," wrote a supporter': the parser took a word of the quote for the subject
            spk = None
        spk = spk or _nearby_speaker(art, cand, cue)
        if spk is None and settings.open_cues:
            spk = person_before(cue, list(cue.sent))
        if spk is None and settings.open_cues and cue.lemma_.lower() in CLAUSE_VERBS and cue.idx <= cand.end:
            # a cue before its content (one after it takes the speaker between them, found above)
            spk = noun_right_before(cue)
        if spk is None:
            spk = known_speaker
        if spk is None:
            return False
        cand.cue = cue_extent(cue)
    cand.cue_token = cue.i
    cand.speaker_head = spk.i
    cand.speaker = mention_span(art, spk, cue, settings.max_speaker_tokens)
    return True


def _nearby_speaker(art: Article, cand: Candidate, cue: Token) -> Token | None:
    """A misparsed cue after a quote ("“A,” Smith, a former aide, told ..."): the noun phrase between."""
    if cue.idx < cand.end:
        return None
    lo = art.token_at(cand.end - 1)
    if lo is None:
        return None
    between = [t for t in art.doc[lo.i + 1 : cue.i] if not t.is_space and not t.is_punct]
    for tok in between:
        if tok.pos_ in ("PROPN", "NOUN", "PRON") and (tok.head.i >= cue.i or tok.head.i <= lo.i or tok.head == cue):
            return tok
    after = [t for t in art.doc[cue.i + 1 : cue.i + 4] if t.pos_ in ("PROPN", "NOUN")]
    if not between and after:
        tok = after[0]
        while tok.head.i > tok.i and tok.head.i < cue.i + 6 and tok.head.pos_ in ("PROPN", "NOUN"):
            tok = tok.head
        return tok
    return None
