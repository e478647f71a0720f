"""Reported speech: a reporting verb and what it reports, "X said (that) A", "X told reporters: A",
"X accused Y of A", "A, X said, B", "As X reported, A", and (with `open_cues`) any verb whose subject is a
person, group or document and that takes a clause, a stance object or a position phrase ("made the case
that A", "criticized Clinton", "called for A", "vowed to A").

The content is the verb's clause or object, run on to the end of the sentence (PolNeAR's convention) up to
the next attribution; with `nested`, also up to an outer attribution around it. The speaker is the verb's
subject (see `cues.subject_of`); an unnamed asker ("Asked whether ...") is kept with no speaker.

Deliberately not found: verbs outside the word lists of `stance.extract.lexicon` (unless `open_cues`),
subjects that cannot hold a position ("it", "there", an expletive, a word inside quotation marks), content
under two words (one for a stance verb's target), sentences matching a no-comment pattern, and tokens inside
quotation marks (the direct family's). "According to X" is the lead-in family's (`leadins.py`).
"""

from __future__ import annotations

from spacy.tokens import Token

from stance.extract.base import Article, Candidate
from stance.extract.lexicon import (
    CLAUSE_VERBS,
    DISMISS_PHRASAL,
    DOCUMENT_NOUNS,
    INTENT_VERBS,
    NOT_CUE_VERBS,
    OBJECT_VERBS,
    POSITION_OBJECT_VERBS,
    PREP_POSITION_VERBS,
)
from stance.extract.rules.common import (
    NO_COMMENT,
    SENT_END,
    SUBJ_DEPS,
    Settings,
    close_quotes,
    content_candidate,
    is_verb,
)
from stance.extract.rules.cues import (
    attach_cue,
    cue_extent,
    is_nested_cue,
    noun_right_before,
    small_clause,
    speaker_like,
    subject_of,
)

_FINITE_TAGS = {"VBD", "VBZ", "VBP", "MD"}
_EVIDENCE_VERBS = {"show", "find", "indicate", "reveal", "suggest", "project", "predict"}
_RULE_NOUNS = {
    "policy",
    "law",
    "bill",
    "resolution",
    "directive",
    "decision",
    "order",
    "ruling",
    "verdict",
}  # no findings
# "as X expected" is hedging more often than a report
_THOUGHT_VERBS = frozenset(
    "believe think hope fear worry expect doubt feel know realize realise recognize wonder".split()
)
_DASHES = {",", "—", "–", "--"}
_RELATIVE = {"who", "that", "which", "whom"}
# a framing clause after a comma that ends reported content: "X said A, despite B"
_FRAMING_MARKERS = {"despite", "even", "after", "while", "with", "whereas", "although", "though", "as"}
_OBJECT_PREPS = {"of", "as", "for", "over", "about", "on"}
_XCOMP_VERBS = {"promise", "vow", "pledge", "threaten", "urge", "ask", "warn", "call", "demand", "vote", "push"}
_DOBJ_ONLY_VERBS = {"criticize", "criticise", "slam", "blast", "condemn", "denounce", "praise", "endorse", "deny"}


_COMPARE_VERBS = {"compare", "liken", "equate", "contrast"}


def cue_lemma(verb: Token) -> str:
    """The verb's lemma, or "dismiss" for a phrasal dismissal ("waved off", "brushed aside", "shrugged off")."""
    return "dismiss" if _dismiss_particle(verb) is not None else verb.lemma_.lower()


def _dismiss_particle(verb: Token) -> Token | None:
    """The "off" of "waved off": the parser makes it a particle, a preposition or (for "away") an adverb."""
    particles = DISMISS_PHRASAL.get(verb.lemma_.lower())
    if not particles:
        return None
    return next(
        (c for c in verb.children if c.i > verb.i and c.dep_ in ("prt", "prep", "advmod") and c.lower_ in particles),
        None,
    )


def reported_speech(art: Article, tok: Token, settings: Settings) -> Candidate | None:
    """The reported speech whose cue is `tok` (a token outside quotation marks, not "according"), or None."""
    if not is_verb(tok):
        return None
    lemma = cue_lemma(tok)
    if (
        lemma not in CLAUSE_VERBS
        and lemma not in OBJECT_VERBS
        and not _open_cue(tok, settings.open_cues)
        and not _unnamed_question(tok, settings.open_cues)
    ):
        return None
    found = _content_range(art, tok, settings)
    if found is None:
        return None
    ranges, how = found
    if settings.nested:
        ranges = [(lo, _before_outer_cue(art, tok, lo, hi)) for lo, hi in ranges]
    spk = subject_of(tok)
    if spk is None and settings.open_cues and lemma in CLAUSE_VERBS:
        spk = noun_right_before(tok)
    if spk is None and _unnamed_question(tok, settings.open_cues):
        # the question ends with the clause that asks it, not with the sentence
        cand = content_candidate(art, [(lo, min(hi, tok.right_edge.i)) for lo, hi in ranges], None)
        if cand is not None and not NO_COMMENT.search(tok.sent.text):
            cand.cue, cand.cue_token, cand.confidence = cue_extent(tok), tok.i, 0.5
            return cand
        return None
    if spk is None or art.in_quote[spk.i] >= 0 or spk.dep_ == "expl":
        return None
    if spk.lower_ in ("it", "this", "that", "there"):
        return None
    # the target of a stance verb may be one word ("criticized Clinton"); other content needs two
    cand = content_candidate(art, ranges, spk, min_words=1 if how == "position" else 2)
    if cand is None or NO_COMMENT.search(tok.sent.text):
        return None
    cand.confidence = 0.75 if how == "ccomp" else 0.65
    # attach_cue looks for the subject again and may miss the one found above (a noun right before the cue):
    # that speaker is kept rather than an attribution returned without one
    attach_cue(art, cand, tok, settings, known_speaker=spk)
    return cand


def _unnamed_question(verb: Token, open_cues: bool) -> bool:
    """ "Asked whether he would run, ..." / "when asked about the wall" / "Sanders was asked about it": a
    question whose asker is not named; it is still an attribution (its speaker stays unknown)."""
    return (
        open_cues
        and verb.lemma_.lower() == "ask"
        and verb.tag_ == "VBN"
        and (verb.dep_ != "ROOT" or any(c.dep_ == "auxpass" for c in verb.children))
        and not any(c.dep_ == "agent" for c in verb.children)
    )


def _open_cue(verb: Token, open_cues: bool) -> bool:
    """A verb outside the word lists that still reports a position, said by a person, group or document:
    with a clause after it ("Obama privately made the case that ...", "she felt she wasn't taken
    seriously"), or a stance verb with a plain object ("Trump also criticized Clinton")."""
    if not open_cues:
        return False
    lemma = cue_lemma(verb)
    if lemma in NOT_CUE_VERBS or not verb.is_alpha:  # "WASHINGTON ― ...": a dateline dash tagged as a verb
        return False
    # a clause after it ("pointed out that ..."), else what the word lists say the verb takes
    has_content = any(c.dep_ == "ccomp" and c.i > verb.i and c.pos_ in ("VERB", "AUX") for c in verb.children)
    if lemma in POSITION_OBJECT_VERBS:
        has_content = has_content or _object_after(verb) is not None
    elif lemma in PREP_POSITION_VERBS:
        has_content = has_content or _prep_object(verb) is not None
    elif lemma in INTENT_VERBS:
        has_content = has_content or _intent_xcomp(verb) is not None
    spk = subject_of(verb)
    # "a PAC that backs Trump": a relative clause describes someone more than it reports them
    return has_content and spk is not None and spk.lower_ not in _RELATIVE and speaker_like(spk)


def _object_after(verb: Token) -> Token | None:
    """The verb's direct object, when it follows the verb ("waved off [the criticism]": the parser may hang it on
    the particle)."""
    dobj = next((c for c in verb.children if c.dep_ == "dobj" and c.i > verb.i), None)
    if dobj is None and (particle := _dismiss_particle(verb)) is not None:
        dobj = next((c for c in particle.children if c.dep_ == "pobj"), None)
    return dobj


def _prep_object(verb: Token) -> Token | None:
    """The object of the preposition a position verb takes: "talked about [the wall]"."""
    preps = PREP_POSITION_VERBS.get(verb.lemma_.lower(), ())
    for child in verb.children:
        if child.i > verb.i and child.dep_ in ("prep", "prt") and child.lower_ in preps:
            objects = [g for g in child.children if g.dep_ in ("pobj", "pcomp")]
            if objects:
                return objects[0]
        # "called for the secretary to release ...", parsed as an infinitive clause marked by "for"
        if (
            child.i > verb.i
            and child.dep_ == "advcl"
            and any(g.dep_ == "mark" and g.lower_ in preps and g.i == child.left_edge.i for g in child.children)
        ):
            return child
    return None


def _intent_xcomp(verb: Token) -> Token | None:
    """The infinitive after an intention verb, unless it is a cue itself ("refused to endorse Ryan" is the
    endorsement, found from "endorse")."""
    for child in verb.children:
        if child.dep_ == "xcomp" and child.i > verb.i and child.tag_ == "VB":
            lemma = child.lemma_.lower()
            cue_lists = (CLAUSE_VERBS, OBJECT_VERBS, POSITION_OBJECT_VERBS, PREP_POSITION_VERBS)
            return None if any(lemma in words for words in cue_lists) else child
    return None


def _content_range(art: Article, verb: Token, settings: Settings) -> tuple[list[tuple[int, int]], str] | None:
    """Token ranges [lo, hi] of the reported content of a cue verb, and how they were found."""
    doc = art.doc
    lemma = cue_lemma(verb)
    children = list(verb.children)
    for child in children:
        if child.dep_ == "ccomp" and small_clause(child) and not _document_finding(verb):
            continue  # "are finding themselves alienated" reports nothing; "the poll showed Trump leading" does
        if child.dep_ == "ccomp" and (
            lemma in CLAUSE_VERBS | OBJECT_VERBS
            or _open_cue(verb, settings.open_cues)
            or _unnamed_question(verb, settings.open_cues)
        ):
            lo, hi = child.left_edge.i, child.right_edge.i
            if child.i > verb.i:
                lo = max(lo, verb.i + 1)
                dobj = _object_after(verb) if lemma == "say" else None
                if dobj is not None and dobj.i < child.left_edge.i:
                    lo = dobj.left_edge.i  # "said his research shows that ...", misparsed as an object
                for sub in child.children:
                    if sub.i > child.i and sub.dep_ in ("conj", "advcl", "parataxis") and sub.i <= hi:
                        if is_nested_cue(sub):
                            hi = min(hi, sub.left_edge.i - 1)
                            break
                else:
                    hi = _extend_forward(art, verb, lo, hi)
                if settings.open_cues:
                    hi = _cut_trailing_modifier(art, child, hi)
                return [(lo, hi)], "ccomp"
            # content before the cue ("X, he said") and maybe after it ("X, he said, Y")
            speaker = subject_of(verb)
            stop = min(verb.i, speaker.left_edge.i if speaker is not None else verb.i)
            sep = stop - 1
            while sep > lo and doc[sep].is_space:
                sep -= 1
            if sep >= 0 and doc[sep].text in (":", ";") and verb.i + 2 < verb.sent.end:  # -1 is the last token
                # "... paying off: He said he's raised $100,000": the clause before belongs to the writer
                return [(verb.i + 1, _extend_forward(art, verb, verb.i + 1, verb.i + 1))], "ccomp"
            for j in range(stop - 2, lo - 1, -1):
                if doc[j].text in SENT_END and art.in_quote[j] < 0:
                    lo = j + 1  # a sentence end the parser missed: the content starts after it
                    break
            ranges = [(lo, stop - 1)]
            right = [t.i for t in child.subtree if t.i > verb.i]
            if right:
                ranges.append((min(right), max(right)))
            return ranges, "ccomp"
    if lemma in CLAUSE_VERBS - _THOUGHT_VERBS:
        # "reported holding investments in Ford", "denied knowing him", "recalled meeting her"
        gerund = next((c for c in children if c.dep_ == "xcomp" and c.tag_ == "VBG" and c.i == verb.i + 1), None)
        if gerund is not None and gerund.right_edge.i > gerund.i:
            return [(gerund.i, _extend_forward(art, verb, gerund.i, gerund.right_edge.i))], "ccomp"
    if _document_finding(verb):
        dobj = _object_after(verb)
        if dobj is not None:
            # "The poll showed Mr. Trump losing supporters ...": what a poll or record shows is its finding
            lo = dobj.left_edge.i
            return [(lo, _extend_forward(art, verb, lo, dobj.right_edge.i))], "ccomp"
    if lemma == "say":
        dobj = _object_after(verb)
        end = verb.sent.end
        inside = {t.i for t in dobj.subtree} if dobj is not None else set()
        if dobj is not None and any(
            t.tag_ in _FINITE_TAGS
            and art.in_quote[t.i] < 0
            and (t.head in (verb, dobj) or (t.head.i in inside and t.head.i != t.i and t.head.i > dobj.i))
            and t.dep_ in ("ccomp", "conj", "dep", "parataxis")
            for t in doc[dobj.i + 1 : end]
        ):
            # "said his focus groups and other research show that ...", "said areas where Sanders wants to see
            # changes include ...": the parser took the clause's subject for an object of "say", which takes a
            # clause, not a thing said about
            lo = dobj.left_edge.i
            return [(lo, _extend_forward(art, verb, lo, dobj.right_edge.i))], "ccomp"
    if settings.object_cues and lemma in OBJECT_VERBS:
        dobj = _object_after(verb)
        if dobj is not None:
            extra = [
                c
                for c in children + list(dobj.children)
                if c.i > dobj.i
                and (
                    (c.dep_ == "prep" and c.lower_ in _OBJECT_PREPS)
                    or c.dep_ in ("oprd", "xcomp", "ccomp", "advcl", "appos")
                )
            ]
            if extra:
                return [(dobj.left_edge.i, max(c.right_edge.i for c in extra))], "object"
            if lemma in _DOBJ_ONLY_VERBS:
                return [(dobj.left_edge.i, dobj.right_edge.i)], "object"
    if settings.open_cues and lemma in PREP_POSITION_VERBS:
        pobj = _prep_object(verb)
        if pobj is not None:
            lo, hi = pobj.left_edge.i, pobj.right_edge.i
            if doc[lo].dep_ == "mark":
                lo += 1
            # "called for X to resign", "referred to him as “...”": the infinitive or "as" phrase goes with it
            for child in verb.children:
                infinitive = child.dep_ in ("advcl", "xcomp") and child.tag_ == "VB"
                as_phrase = child.dep_ == "prep" and child.lower_ == "as"
                if (infinitive or as_phrase) and hi + 1 in (child.i, child.left_edge.i):
                    hi = child.right_edge.i
            return [(lo, hi)], "position"
    if settings.open_cues and lemma in POSITION_OBJECT_VERBS:
        dobj = _object_after(verb)
        if dobj is not None:
            # "rubbished Trump's claim" parsed as two objects ("Trump", "claim"): the position runs to the last
            hi = max([dobj.right_edge.i] + [c.right_edge.i for c in children if c.dep_ == "dobj" and c.i > verb.i])
            if lemma in _COMPARE_VERBS:  # "compared abortion to the Holocaust": the comparison is the position
                hi = max(
                    [hi]
                    + [
                        c.right_edge.i
                        for c in verb.children
                        if c.dep_ == "prep" and c.lower_ in ("to", "with") and c.i > hi
                    ]
                )
            return [(dobj.left_edge.i, hi)], "position"
    if settings.open_cues and (lemma in POSITION_OBJECT_VERBS or lemma in OBJECT_VERBS):
        passive = _passive_position(verb)
        if passive is not None:
            return passive, "position"
    if settings.open_cues and lemma in INTENT_VERBS and lemma not in _XCOMP_VERBS:
        xcomp = _intent_xcomp(verb)
        if xcomp is not None:
            return [(xcomp.left_edge.i, xcomp.right_edge.i)], "intent"
    if lemma in _XCOMP_VERBS:
        xcomp = next((c for c in children if c.dep_ == "xcomp" and c.i > verb.i), None)
        if xcomp is not None:
            dobj = next((c for c in children if c.dep_ == "dobj" and verb.i < c.i < xcomp.i), None)
            lo = dobj.left_edge.i if dobj is not None else xcomp.left_edge.i
            return [(lo, xcomp.right_edge.i)], "xcomp"
    if lemma in CLAUSE_VERBS:
        doc = art.doc
        j = verb.i + 1
        # "X told reporters: ..." - skip a short object before the colon
        while j < len(doc) and j - verb.i <= 4 and doc[j].text != ":" and not doc[j].is_punct:
            j += 1
        if j < len(doc) and doc[j].text == ":":
            k = j + 1
            while k < len(doc) and doc[k].is_space:
                k += 1
            if k < len(doc):
                para_end = art.paragraphs[art.paragraph_of(doc[k].idx)][1]
                end = k
                while end + 1 < len(doc) and doc[end + 1].idx < para_end:
                    end += 1
                    if doc[end].text in SENT_END and end > k + 3:
                        break
                if art.paragraph_of(doc[k].idx) == art.paragraph_of(verb.idx):
                    return [(k, end)], "colon"
    head = verb.head
    # "as X likes to say", "as X have taken to saying": the "as" clause is headed by the verb the cue completes
    as_clause = verb.head if verb.dep_ == "xcomp" else verb
    if verb.dep_ == "pcomp" and verb.head.dep_ == "prep":
        as_clause = verb.head.head
    if (
        as_clause.dep_ == "advcl"
        and lemma in CLAUSE_VERBS - _THOUGHT_VERBS
        and any(c.dep_ == "mark" and c.lower_ == "as" and c.i < as_clause.i for c in as_clause.children)
        and as_clause.head.i != as_clause.i
    ):
        # "As The Washington Post reported, Sanders would need ...": the clause the cue modifies
        lo_cue, hi_cue = as_clause.left_edge.i, as_clause.right_edge.i
        toks = [t.i for t in as_clause.head.subtree if not lo_cue <= t.i <= hi_cue]
        left = [i for i in toks if i < lo_cue]
        right = [i for i in toks if i > hi_cue]
        return [(min(x), max(x)) for x in (left, right) if x], "as"
    # a parenthetical cue inside the content: "In three years, Barden says, far too many lives were lost"
    if verb.dep_ in ("parataxis", "ccomp") and head.i != verb.i and lemma in CLAUSE_VERBS:
        lo, hi = verb.left_edge.i, verb.right_edge.i
        while lo < verb.i and doc[lo].is_punct:
            lo += 1
        while hi > verb.i and doc[hi].is_punct:
            hi -= 1
        before = doc[lo - 1].text if lo > 0 else ""
        after = doc[hi + 1].text if hi + 1 < len(doc) else ""
        if before in _DASHES and (after in _DASHES or after in SENT_END) and subject_of(verb) is not None:
            toks = [t.i for t in head.subtree if not lo <= t.i <= hi]
            left = [i for i in toks if i < lo]
            right = [i for i in toks if i > hi]
            ranges = []
            if left:
                ranges.append((min(left), max(left)))
            if right:
                ranges.append((min(right), max(right)))
            if ranges:
                return ranges, "parenthetical"
    if lemma in CLAUSE_VERBS - _THOUGHT_VERBS and verb.dep_ != "ROOT":
        found = _comma_parenthetical(art, verb)
        if found is not None:
            return found, "parenthetical"
    return None


_TIME_DEPS = {"npadvmod", "advmod", "det", "amod", "nummod", "compound"}


def _time_word_of(tok: Token, verb: Token) -> bool:
    """Is `tok` part of an adverbial phrase of `verb` ("this week", "later", "on Monday" is not)?"""
    while tok.i != verb.i:
        if tok.dep_ not in _TIME_DEPS or tok.is_punct or tok.head.i == tok.i:
            return False
        tok = tok.head
    return True


def _comma_parenthetical(art: Article, verb: Token) -> list[tuple[int, int]] | None:
    """ "If China can build a Great Wall, he observed this week, without tractors, then ...": a cue and its
    subject set off by commas inside the content, which the parser has hung a clause of that content on
    (so the cue's own subtree is not the parenthesis). The parenthesis is the subject, the verb and a time
    phrase after it; the content is the rest of the sentence on both sides."""
    doc = art.doc
    spk = subject_of(verb)
    if spk is None or spk.right_edge.i != verb.i - 1 or art.in_quote[verb.i] >= 0:
        return None
    lo = spk.left_edge.i
    j = verb.i + 1
    while j < len(doc) and _time_word_of(doc[j], verb):
        j += 1
    sent = verb.sent
    if lo - 1 <= sent.start or doc[lo - 1].text not in _DASHES or j >= sent.end:
        return None
    left = (sent.start, lo - 2)
    words_left = sum(not t.is_punct for t in doc[left[0] : left[1] + 1])
    if doc[j].text in SENT_END and j == sent.end - 1:
        # "Eighty-four percent ... view of Trump, the poll found.": a trailing cue the parser hung on a noun
        if any(c.dep_ in ("dobj", "ccomp", "xcomp") for c in verb.children):
            return None
        return [left] if words_left >= 3 else None
    if j >= sent.end - 1 or doc[j].text not in _DASHES:
        return None
    right = (j + 1, sent.end - 1)
    clause_right = any(t.dep_ in ("nsubj", "nsubjpass") for t in doc[right[0] : right[1] + 1])
    if words_left < 3 and not clause_right:
        return None  # "Tomorrow, he said, without a word": too little around the cue to be what was said
    return [left, right]


def _document_finding(verb: Token) -> bool:
    """ "The poll showed Trump leading": what a poll, study or record shows or finds."""
    subj = subject_of(verb)
    return (
        verb.lemma_.lower() in _EVIDENCE_VERBS
        and subj is not None
        and subj.lemma_.lower() in DOCUMENT_NOUNS - _RULE_NOUNS
    )


def _passive_position(verb: Token) -> list[tuple[int, int]] | None:
    """ "Trump has been criticized by some of his rivals for failing to ...": a stance verb in the passive with
    its agent named; the content is the target and what it is criticised (praised, blamed) for."""
    if not any(c.dep_ == "auxpass" for c in verb.children) or not any(c.dep_ == "agent" for c in verb.children):
        return None
    target = next((c for c in verb.children if c.dep_ == "nsubjpass" and c.i < verb.i), None)
    reason = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("for", "as", "over") and c.i > verb.i),
                  None)  # fmt: skip
    if target is None or reason is None or not any(g.dep_ in ("pobj", "pcomp") for g in reason.children):
        return None
    return [(target.left_edge.i, target.right_edge.i), (reason.i, reason.right_edge.i)]


def _extend_forward(art: Article, verb: Token, lo: int, hi: int) -> int:
    """Reported content after its cue runs to the end of the sentence (PolNeAR's convention), up to the
    next attribution in the same sentence; a quotation it opens is kept whole."""
    doc = art.doc
    sent_end = verb.sent.end - 1
    para_end = art.paragraphs[art.paragraph_of(verb.idx)][1]
    j = hi + 1
    while j <= sent_end and doc[j].idx < para_end:
        tok = doc[j]
        if tok.lower_ == "according" and art.in_quote[j] < 0:
            break
        if tok.text in SENT_END and art.in_quote[j] < 0 and j < sent_end:
            break  # a sentence end the parser missed ("X said A. ''B,'' he said.")
        if art.in_quote[j] < 0 and tok.head == verb and tok.dep_ in ("conj", "advcl", "parataxis"):
            if is_nested_cue(tok) or tok.dep_ == "conj":
                break
        if art.in_quote[j] < 0 and is_nested_cue(tok) and tok.head.i <= verb.i:
            break
        j += 1
    return close_quotes(art, lo, max(hi, j - 1))


def _cut_trailing_modifier(art: Article, root: Token, hi: int) -> int:
    """ "X said A, despite B" / "X said A, even as B": after a comma, a modifier clause of the reported
    clause is the writer's framing more often than the speaker's words, so the content ends before it."""
    doc = art.doc
    for j in range(root.i + 1, hi):
        tok, nxt = doc[j], doc[j + 1]
        if tok.text != "," or art.in_quote[j] >= 0 or art.in_quote[j + 1] >= 0:
            continue
        clause = nxt if nxt.head == root else nxt.head if nxt.dep_ in ("mark", "advmod") else None
        if clause is not None and clause.head == root and clause.dep_ in ("advcl", "prep") and clause.i > j:
            if nxt.lower_ in _FRAMING_MARKERS:
                return j - 1
    return hi


def _before_outer_cue(art: Article, verb: Token, lo: int, hi: int) -> int:
    """Nested content ends where the attribution around it begins: "..., according to Y" or "..., the
    source added" after it is the outer record's cue, not part of what the inner speaker said."""
    doc = art.doc
    for k in range(max(lo, verb.i + 1), hi + 1):
        tok = doc[k]
        if art.in_quote[k] >= 0:
            continue
        if tok.lower_ == "according" and k + 1 < len(doc) and doc[k + 1].lower_ == "to":
            return max(lo, k - 1)
    anc = next((a for a in verb.ancestors if a.i > verb.i and lo <= a.i <= hi + 1 and is_nested_cue(a)), None)
    if anc is not None:
        subj = next((c for c in anc.children if c.dep_ in SUBJ_DEPS and c.i < anc.i), None)
        cut = subj.left_edge.i if subj is not None else anc.i
        if cut > lo:
            return min(hi, cut - 1)
    return hi
