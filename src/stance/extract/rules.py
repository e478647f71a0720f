"""Rule-based quote finder over a spaCy parse: direct quotes from quotation marks, reported speech
from reporting verbs and their clause or object, "according to X", colon lead-ins and mixed quotes.

Why rules: they run at the speed of the parser, need no training data we may not redistribute,
and every decision can be traced to a word list in `stance.extract.lexicon`.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right

from spacy.tokens import Token

from stance.extract.base import Article, Candidate
from stance.extract.lexicon import (
    CLAIM_NOUNS,
    CLAUSE_VERBS,
    DIRECT_VERBS,
    DOCUMENT_NOUNS,
    INTENT_VERBS,
    JUNK_LINE_PATTERNS,
    NO_COMMENT_PATTERNS,
    NOT_CUE_VERBS,
    OBJECT_VERBS,
    ORG_NOUNS,
    PERSON_PRONOUNS,
    POSITION_OBJECT_VERBS,
    PREP_POSITION_VERBS,
    ROLE_NOUNS,
)

log = logging.getLogger(__name__)

_NO_COMMENT = re.compile("|".join(NO_COMMENT_PATTERNS), re.IGNORECASE)
_JUNK_LINE = re.compile("|".join(JUNK_LINE_PATTERNS), re.IGNORECASE)
_QUOTE_CHARS = set("\"“”„‟«»'`")
_SENT_END = {".", "!", "?"}
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
_SPEAKER_WINDOW = 20  # tokens between a quote and its cue after it
_LONG_SPEAKER_WINDOW = 40  # ... when all of them describe the speaker
# "as X expected" is hedging more often than a report
_THOUGHT_VERBS = frozenset(
    "believe think hope fear worry expect doubt feel know realize realise recognize wonder".split()
)
_DASHES = {",", "—", "–", "--"}
_RELATIVE = {"who", "that", "which", "whom"}
# a quotation followed, on its own line, by a dash and a name: “...” ― Jane Smith (reader comments, epigraphs)
_DASH_BYLINE = re.compile(
    r"[ \t\u00a0]*([―—–])[ \t\u00a0]*((?:[A-Z][\w.'’-]*\.?[ \u00a0]){0,4}[A-Z][\w'’-]+)\.?[ \t\u00a0]*(?:\n|$)"
)
_SUBJ_DEPS = {"nsubj", "csubj"}
# a framing clause after a comma that ends reported content: "X said A, despite B"
_FRAMING_MARKERS = {"despite", "even", "after", "while", "with", "whereas", "although", "though", "as"}
# "John McCain: Populist Anger Appeals ..." (1 to 4 capitalised words, a colon, then text on the same line,
# which is a headline only when the line is short)
_HEADLINE_CHARS = 160
_NAME_COLON = re.compile(r"[ \t]*((?:[A-Z][\w.'’-]*[ \t]){0,3}[A-Z][\w'’-]+)[ \t]*(:)[ \t]+(?=\S)(\D)")
_OBJECT_PREPS = {"of", "as", "for", "over", "about", "on"}
_XCOMP_VERBS = {"promise", "vow", "pledge", "threaten", "urge", "ask", "warn", "call", "demand", "vote", "push"}
_DOBJ_ONLY_VERBS = {"criticize", "criticise", "slam", "blast", "condemn", "denounce", "praise", "endorse", "deny"}


class _Ranges:
    """[start, end) ranges sorted by start: those near a range are found by bisection, not a scan of all of
    them, so comparing every quote with every other one no longer grows with the square of the article."""

    def __init__(self, items: list, span=lambda item: item):
        keyed = sorted(((span(item), n, item) for n, item in enumerate(items)), key=lambda x: x[0][0])
        self.items = [item for _, _, item in keyed]
        self.order = [n for _, n, _ in keyed]  # position of each item in the input list
        self.starts = [a for (a, _), _, _ in keyed]
        self.longest = max((b - a for (a, b), _, _ in keyed), default=0)

    def starting_in(self, lo: int, hi: int) -> list:
        """Items whose start is in [lo, hi], in input order."""
        i, j = bisect_left(self.starts, lo), bisect_right(self.starts, hi)
        return [item for _, item in sorted(zip(self.order[i:j], self.items[i:j]), key=lambda x: x[0])]

    def near(self, lo: int, hi: int) -> list:
        """Every item that overlaps or touches [lo, hi] (and maybe a few that do not), in input order."""
        return self.starting_in(lo - self.longest, hi)


def _is_verb(tok: Token) -> bool:
    return tok.tag_.startswith("VB") and tok.dep_ not in ("aux", "auxpass")


def _in_modifier(tok: Token, start: int) -> bool:
    """True when `tok` sits in a relative clause, participle or apposition hanging on a noun after `start`."""
    while tok.head.i != tok.i and tok.head.i >= start:
        if tok.dep_ in ("relcl", "acl", "appos"):
            return True
        tok = tok.head
    return tok.dep_ in ("relcl", "acl", "appos")


def _words(tokens) -> int:
    return sum(1 for t in tokens if t.is_alpha or t.like_num)


def subject_of(verb: Token) -> Token | None:
    """The speaker token of a cue verb: its subject, a passive agent, or the subject it shares with its head."""
    for child in verb.children:
        if child.dep_ in _SUBJ_DEPS:
            return child
    for child in verb.children:
        if child.dep_ == "agent":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return obj
    head = verb.head
    if (
        verb.dep_ == "conj"
        and verb.lemma_.lower() in DIRECT_VERBS
        and head.dep_ == "ccomp"
        and head.lemma_.lower() not in DIRECT_VERBS
        and head.head.lemma_.lower() in DIRECT_VERBS
        and any(c.dep_ in _SUBJ_DEPS for c in head.head.children)
    ):
        head = head.head  # "Pence said it takes time but added ...": added goes with said, not with takes
    if head.i != verb.i and (verb.dep_ in ("conj", "xcomp") or (verb.dep_ == "advcl" and verb.tag_ == "VBG")):
        for child in head.children:
            if child.dep_ in _SUBJ_DEPS or (verb.dep_ == "conj" and child.dep_ == "nsubjpass"):
                return child  # "officials were angered by the deal and predicted ...": a passive head shares it too
        return _left_clause_subject(head)
    return _left_clause_subject(verb)


def _noun_right_before(verb: Token) -> Token | None:
    """A speaker the parser attached elsewhere but that stands right before its verb ("..., House Speaker
    Paul Ryan's office announced Friday that ..."): a person, group or document noun, adverbs skipped."""
    j = verb.i - 1
    while j >= 0 and verb.doc[j].pos_ == "ADV":
        j -= 1
    if j < 0 or verb.doc[j].sent != verb.sent:
        return None
    tok = verb.doc[j]
    if tok.pos_ in ("NOUN", "PROPN") and tok.dep_ != "compound" and _speaker_like(tok):
        if verb.tag_ == "VBG" and tok.dep_ == "dobj" and tok.lemma_.lower() in DOCUMENT_NOUNS:
            # "Trump's campaign issued a statement saying ...": the statement speaks for whoever issued it
            return subject_of(tok.head) or tok
        return tok
    return None


def _left_clause_subject(verb: Token) -> Token | None:
    """A subject the parser hung on a clause before the verb ("activists clamoring to block Trump say ...",
    "Trump summed up Clinton as ..., denounced her record and said ..."): the subject of that clause."""
    for child in verb.children:
        if child.i < verb.i and child.dep_ == "advcl" and child.tag_ in ("VBG", "VBD", "VBN"):
            if any(g.dep_ == "mark" for g in child.children):
                continue  # "When he arrived, ...": a subordinate clause has a subject of its own
            for grand in child.children:
                if grand.dep_ in _SUBJ_DEPS and grand.i < child.i:
                    return grand
    return None


def _speaker_like(tok: Token) -> bool:
    """Could this subject hold a position: a person, group or document, not "the problem" or "it"."""
    if tok.ent_type_ in ("PERSON", "ORG", "NORP", "GPE"):
        return True
    lower = tok.lower_
    if lower in PERSON_PRONOUNS or lower in ("they", "we", "who"):
        return True
    lemma = tok.lemma_.lower()
    return tok.pos_ == "PROPN" or lemma in ROLE_NOUNS or lemma in ORG_NOUNS or lemma in DOCUMENT_NOUNS


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


def _person_before(verb: Token, window: list[Token]) -> Token | None:
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


def _object_after(verb: Token) -> Token | None:
    """The verb's direct object, when it follows the verb."""
    return next((c for c in verb.children if c.dep_ == "dobj" and c.i > verb.i), None)


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


def cue_extent(verb: Token) -> tuple[int, int]:
    """Character span of the cue: the verb with its auxiliaries, negation and particles next to it."""
    toks = [verb] + [c for c in verb.children if c.dep_ in ("aux", "auxpass", "neg", "prt") and abs(c.i - verb.i) <= 3]
    toks = [t for t in toks if not t.is_space]
    lo = min(toks, key=lambda t: t.i)
    hi = max(toks, key=lambda t: t.i)
    if hi.i - lo.i > 4:
        lo = hi = verb
    return lo.idx, hi.idx + len(hi.text)


class RuleExtractor:
    """Finds direct, indirect and mixed quotes with their cue and speaker mention."""

    def __init__(
        self,
        min_direct_words: int = 2,
        indirect: bool = True,
        object_cues: bool = True,
        continuation: bool = True,
        keep_unattributed: bool = False,
        max_speaker_tokens: int = 25,
        open_cues: bool = False,
        nested: bool = False,
    ):
        self.min_direct_words = int(min_direct_words)
        self.indirect = bool(indirect)
        self.object_cues = bool(object_cues)
        self.continuation = bool(continuation)
        self.keep_unattributed = bool(keep_unattributed)
        self.max_speaker_tokens = int(max_speaker_tokens)
        self.open_cues = bool(open_cues)
        self.nested = bool(nested)

    # ------------------------------------------------------------------ spans
    def mention_span(self, art: Article, head: Token, cue: Token | None = None) -> tuple[int, int]:
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
            if art.in_quote[i] >= 0 or doc[i].is_space or doc[i].text in _QUOTE_CHARS:
                hi = i - 1
                break
        for i in range(head.i, lo - 1, -1):
            if art.in_quote[i] >= 0 or doc[i].is_space:
                lo = i + 1
                break
        if hi - lo + 1 > self.max_speaker_tokens:
            lo = max(lo, head.i - 6)
            hi = min(hi, head.i)
        while hi > lo and (doc[hi].is_punct or doc[hi].is_space):
            hi -= 1
        while lo < hi and (doc[lo].is_punct or doc[lo].is_space):
            lo += 1
        lo, hi = min(lo, head.i), max(hi, head.i)
        return doc[lo].idx, doc[hi].idx + len(doc[hi].text)

    @staticmethod
    def _trim(art: Article, lo: int, hi: int) -> tuple[int, int] | None:
        """Token range [lo, hi] without edge punctuation, spaces and a leading "that"; None if nothing is left."""
        doc = art.doc
        while lo <= hi and (doc[lo].is_space or (doc[lo].is_punct and doc[lo].text not in _QUOTE_CHARS)):
            lo += 1
        if lo <= hi and doc[lo].lower_ in ("that",) and doc[lo].dep_ == "mark":
            lo += 1
        while lo <= hi and (doc[lo].is_space or (doc[lo].is_punct and doc[lo].text not in _QUOTE_CHARS)):
            lo += 1
        while hi >= lo and (
            doc[hi].is_space
            or doc[hi].dep_ == "cc"
            or (doc[hi].is_punct and doc[hi].text not in _QUOTE_CHARS | {"?", "!"})
        ):
            hi -= 1
        if hi < lo:
            return None
        return lo, hi

    # ------------------------------------------------------------------ direct
    def _cue_after(self, art: Article, region_idx: int, end_char: int, para_end: int) -> Token | None:
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
            if tok.text in _SENT_END or tok.text in (";",):
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
            if _is_verb(tok) and tok.dep_ not in ("amod", "compound"):  # not "the bespectacled diplomat"
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

    def _cue_before(
        self, art: Article, region_idx: int, start_char: int, para_start: int, lead_in: bool = False
    ) -> Token | None:
        doc = art.doc
        opening = art.token_at(start_char)
        if opening is None or opening.i == 0:
            return None
        window: list[Token] = []
        for tok in reversed(doc[: opening.i]):
            if tok.idx < para_start or art.in_quote[tok.i] >= 0:
                break
            if tok.text in _SENT_END or tok.text == ";":
                break
            if not tok.is_space:
                window.append(tok)
            if len(window) > 25:
                break
        if not window:
            return None
        window.reverse()
        last = window[-1]
        if self.open_cues and last.text == ":" and _name_before(window) is not None:
            return last  # "... - HuffPollster: “...”"
        for tok in reversed(window):
            if tok.lower_ == "according":
                return tok
            if (
                _is_verb(tok)
                and tok.lemma_.lower() in DIRECT_VERBS
                and (subject_of(tok) is not None or (self.open_cues and _person_before(tok, window) is not None))
            ):
                # the verb must lead into the quote: it is right before it, or a comma/colon/dash sits between
                between = [t for t in window if t.i > tok.i]
                if not between or lead_in or last.text in (",", ":", "—", "–", "-") or len(between) <= 6:
                    return tok
                return None
        return None

    def _according_speaker(self, tok: Token) -> Token | None:
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

    def _with_cue(self, art: Article, cand: Candidate, cue: Token) -> bool:
        """Attach cue and speaker mention; False when the cue has no speaker."""
        if cue.lower_ == "according":
            spk = self._according_speaker(cue)
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
            spk = spk or self._nearby_speaker(art, cand, cue)
            if spk is None and self.open_cues:
                spk = _person_before(cue, list(cue.sent))
            if spk is None and self.open_cues and cue.lemma_.lower() in CLAUSE_VERBS and cue.idx <= cand.end:
                # a cue before its content (one after it takes the speaker between them, found above)
                spk = _noun_right_before(cue)
            if spk is None:
                return False
            cand.cue = cue_extent(cue)
        cand.cue_token = cue.i
        cand.speaker_head = spk.i
        cand.speaker = self.mention_span(art, spk, cue)
        return True

    def _extend_mixed(self, art: Article, cand: Candidate, r_idx: int) -> None:
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
            if art.in_quote[tok.i] < 0 and (self._is_nested_cue(tok) or tok.lower_ == "according"):
                return
            if tok.text in _SENT_END and art.in_quote[tok.i] < 0:
                break
            if tok.is_alpha or tok.like_num:
                words += 1
            if not tok.is_space and not (tok.is_punct and tok.text not in _QUOTE_CHARS):
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

    @staticmethod
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

    def _lead_in_cue(self, art: Article, r_idx: int, p_idx: int) -> Token | None:
        """A quote paragraph introduced by the previous paragraph ending in a colon ("Cruz said:")."""
        if p_idx == 0:
            return None
        a, b = art.paragraphs[p_idx - 1]
        if not art.text[a:b].rstrip().endswith(":"):
            return None
        colon = art.text.rindex(":", a, b)
        return self._cue_before(art, r_idx, colon, a, lead_in=True)

    def _embedded(self, art: Article, start_char: int, para_start: int) -> bool:
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
        if _is_verb(prev) and prev.lemma_.lower() in DIRECT_VERBS:
            return False
        return True

    def _title_like(self, tokens) -> bool:
        words = [t for t in tokens if t.is_alpha and not t.is_stop]
        return bool(words) and all(t.is_title or t.is_upper for t in words)

    def find_direct(self, art: Article) -> tuple[list[Candidate], set[int]]:
        """Candidates from quotation marks; also returns the regions left for the mixed-quote pass."""
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
            n_words = _words(content_tokens)
            if n_words == 0:
                continue
            cand = Candidate("direct", list(region.pieces), p_first, confidence=0.9)
            para_start = art.paragraphs[p_first][0]
            para_end = art.paragraphs[p_last][1]
            is_embedded = self._embedded(art, first[0], para_start)
            inner = art.text[first[0] : last[1]]
            sentence_like = n_words >= 5 and inner[1:2].isupper()
            if is_embedded and not sentence_like:
                embedded.add(r_idx)
                continue
            if self._dash_byline(art, cand, last[1]):
                out.append(cand)
                continue
            inner_tail = art.text[max(first[0], last[1] - 3) : last[1]]
            after_first = any(ch in inner_tail for ch in ",?!—–")
            cue = None
            if after_first:
                cue = self._cue_after(art, r_idx, last[1], para_end)
            if cue is None:
                cue = self._cue_before(art, r_idx, first[0], para_start)
            if cue is None and not after_first:
                cue = self._cue_after(art, r_idx, last[1], para_end)
            if cue is None and first[0] == para_start:
                cue = self._lead_in_cue(art, r_idx, p_first)
            if cue is not None and self._with_cue(art, cand, cue):
                # '"Savage," she said.': a one-word quote counts when its own cue follows it
                short_ok = after_first and cue.idx > last[1] and cue.idx - last[1] < 20
                if n_words < self.min_direct_words and not short_ok:
                    continue
                if cue.idx < first[0] and len(region.pieces) == 1 and self.indirect:
                    # with reported speech off, a quote stays what is inside its marks
                    self._extend_mixed(art, cand, r_idx)
                out.append(cand)
                continue
            if is_embedded:
                embedded.add(r_idx)
                continue
            if n_words < self.min_direct_words or self._title_like(content_tokens):
                continue
            cand.cue = None
            cand.confidence = 0.0  # unattributed for now; continuation logic may adopt it
            out.append(cand)
        return self._adopt_orphans(art, out), embedded

    @staticmethod
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

    def _adopt_orphans(self, art: Article, cands: list[Candidate]) -> list[Candidate]:
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
                if cue_between and len(between) < 400 and not _NO_COMMENT.search(between):
                    prev.pieces.extend(cand.pieces)
                    continue
            if (
                self.continuation
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
            if self.keep_unattributed:
                cand.confidence = 0.3  # a speaker may still be borrowed once all attributions are known
                kept.append(cand)
        return kept

    def _lead_in_speaker(self, art: Article, cand: Candidate) -> Token | None:
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
        subj = next((c for c in sent.root.children if c.dep_ in _SUBJ_DEPS), None)
        if subj is not None and subj.lower_ not in ("it", "this", "that", "there", "here") and art.in_quote[subj.i] < 0:
            return subj
        people = [e for e in art.ents_in(sent) if e.label_ in ("PERSON", "ORG") and e.end <= tok.i]
        if people:
            return people[-1].root
        root = sent.root
        return root if root.pos_ == "PROPN" and root.i < tok.i and art.in_quote[root.i] < 0 else None

    def _borrow_speakers(self, art: Article, cands: list[Candidate]) -> None:
        """A quote with no cue of its own: the speaker of its colon lead-in, else of the nearest attribution
        before it (same or previous paragraph), else of a later quote in its paragraph."""
        attributed = [c for c in cands if c.speaker is not None and not c.inherited]
        by_start = _Ranges(attributed, lambda c: (c.start, c.end))
        by_paragraph: dict[int, list[Candidate]] = {}
        for c in attributed:
            by_paragraph.setdefault(c.paragraph, []).append(c)
        for cand in cands:
            if cand.speaker is not None or cand.cue is not None:
                continue
            lead = self._lead_in_speaker(art, cand)
            if lead is not None:
                cand.speaker_head = lead.i
                cand.speaker = self.mention_span(art, lead)
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
            before = [
                c for c in before if not any(o is not c and o.start <= c.start and c.end <= o.end for o in before)
            ]
            after = [c for c in by_paragraph.get(cand.paragraph, []) if c.start > cand.start]
            donor = (
                max(before, key=lambda c: c.start) if before else (min(after, key=lambda c: c.start) if after else None)
            )
            if donor is not None:
                cand.speaker, cand.speaker_head, cand.inherited = donor.speaker, donor.speaker_head, True
                cand.confidence = 0.4

    # ------------------------------------------------------------------ indirect
    def _is_nested_cue(self, tok: Token) -> bool:
        return (
            _is_verb(tok)
            and tok.lemma_.lower() in CLAUSE_VERBS
            and (tok.tag_ == "VBG" or any(g.dep_ in _SUBJ_DEPS for g in tok.children))
        )

    def _extend_forward(self, art: Article, verb: Token, lo: int, hi: int) -> int:
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
            if tok.text in _SENT_END and art.in_quote[j] < 0 and j < sent_end:
                break  # a sentence end the parser missed ("X said A. ''B,'' he said.")
            if art.in_quote[j] < 0 and tok.head == verb and tok.dep_ in ("conj", "advcl", "parataxis"):
                if self._is_nested_cue(tok) or tok.dep_ == "conj":
                    break
            if art.in_quote[j] < 0 and self._is_nested_cue(tok) and tok.head.i <= verb.i:
                break
            j += 1
        return self._close_quotes(art, lo, max(hi, j - 1))

    @staticmethod
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

    @staticmethod
    def _close_quotes(art: Article, lo: int, hi: int) -> int:
        """A quotation that starts inside the content ends with it (same paragraph only)."""
        para = art.paragraph_of(art.doc[lo].idx)
        for idx in {art.in_quote[i] for i in range(lo, hi + 1) if art.in_quote[i] >= 0}:
            region = art.regions[idx]
            end_tok = art.token_at(region.end - 1)
            if end_tok is not None and end_tok.i > hi and art.paragraph_of(region.end - 1) == para:
                hi = end_tok.i
        return hi

    def _open_cue(self, verb: Token) -> bool:
        """A verb outside the word lists that still reports a position, said by a person, group or document:
        with a clause after it ("Obama privately made the case that ...", "she felt she wasn't taken
        seriously"), or a stance verb with a plain object ("Trump also criticized Clinton")."""
        if not self.open_cues:
            return False
        lemma = verb.lemma_.lower()
        if lemma in NOT_CUE_VERBS or not verb.is_alpha:  # "WASHINGTON ― ...": a dateline dash tagged as a verb
            return False
        # a clause after it ("pointed out that ..."), else what the word lists say the verb takes
        has_content = any(c.dep_ == "ccomp" and c.i > verb.i and c.pos_ in ("VERB", "AUX") for c in verb.children)
        if lemma in POSITION_OBJECT_VERBS:
            has_content = has_content or _object_after(verb) is not None
        elif lemma in PREP_POSITION_VERBS:
            has_content = has_content or _prep_object(verb) is not None
        elif lemma in INTENT_VERBS:
            has_content = has_content or self._intent_xcomp(verb) is not None
        spk = subject_of(verb)
        # "a PAC that backs Trump": a relative clause describes someone more than it reports them
        return has_content and spk is not None and spk.lower_ not in _RELATIVE and _speaker_like(spk)

    @staticmethod
    def _intent_xcomp(verb: Token) -> Token | None:
        """The infinitive after an intention verb, unless it is a cue itself ("refused to endorse Ryan" is the
        endorsement, found from "endorse")."""
        for child in verb.children:
            if child.dep_ == "xcomp" and child.i > verb.i and child.tag_ == "VB":
                lemma = child.lemma_.lower()
                cue_lists = (CLAUSE_VERBS, OBJECT_VERBS, POSITION_OBJECT_VERBS, PREP_POSITION_VERBS)
                return None if any(lemma in words for words in cue_lists) else child
        return None

    def _content_range(self, art: Article, verb: Token) -> tuple[list[tuple[int, int]], str] | None:
        """Token ranges [lo, hi] of the reported content of a cue verb, and how they were found."""
        doc = art.doc
        lemma = verb.lemma_.lower()
        children = list(verb.children)
        for child in children:
            if child.dep_ == "ccomp" and (
                lemma in CLAUSE_VERBS | OBJECT_VERBS or self._open_cue(verb) or self._unnamed_question(verb)
            ):
                lo, hi = child.left_edge.i, child.right_edge.i
                if child.i > verb.i:
                    lo = max(lo, verb.i + 1)
                    dobj = _object_after(verb) if lemma == "say" else None
                    if dobj is not None and dobj.i < child.left_edge.i:
                        lo = dobj.left_edge.i  # "said his research shows that ...", misparsed as an object
                    for sub in child.children:
                        if sub.i > child.i and sub.dep_ in ("conj", "advcl", "parataxis") and sub.i <= hi:
                            if self._is_nested_cue(sub):
                                hi = min(hi, sub.left_edge.i - 1)
                                break
                    else:
                        hi = self._extend_forward(art, verb, lo, hi)
                    if self.open_cues:
                        hi = self._cut_trailing_modifier(art, child, hi)
                    return [(lo, hi)], "ccomp"
                # content before the cue ("X, he said") and maybe after it ("X, he said, Y")
                speaker = subject_of(verb)
                stop = min(verb.i, speaker.left_edge.i if speaker is not None else verb.i)
                sep = stop - 1
                while sep > lo and doc[sep].is_space:
                    sep -= 1
                if doc[sep].text in (":", ";") and verb.i + 2 < verb.sent.end:
                    # "... paying off: He said he's raised $100,000": the clause before belongs to the writer
                    return [(verb.i + 1, self._extend_forward(art, verb, verb.i + 1, verb.i + 1))], "ccomp"
                for j in range(stop - 2, lo - 1, -1):
                    if doc[j].text in _SENT_END and art.in_quote[j] < 0:
                        lo = j + 1  # a sentence end the parser missed: the content starts after it
                        break
                ranges = [(lo, stop - 1)]
                right = [t.i for t in child.subtree if t.i > verb.i]
                if right:
                    ranges.append((min(right), max(right)))
                return ranges, "ccomp"
        if lemma in _EVIDENCE_VERBS:
            subj = subject_of(verb)
            dobj = _object_after(verb)
            if subj is not None and dobj is not None and subj.lemma_.lower() in DOCUMENT_NOUNS - _RULE_NOUNS:
                # "The poll showed Mr. Trump losing supporters ...": what a poll or record shows is its finding
                lo = dobj.left_edge.i
                return [(lo, self._extend_forward(art, verb, lo, dobj.right_edge.i))], "ccomp"
        if lemma == "say":
            dobj = _object_after(verb)
            end = verb.sent.end
            if dobj is not None and any(
                t.tag_ in _FINITE_TAGS
                and art.in_quote[t.i] < 0
                and t.head in (verb, dobj)
                and t.dep_ in ("ccomp", "conj", "dep", "parataxis")
                for t in doc[dobj.i + 1 : end]
            ):
                # "said his focus groups and other research show that ...": the parser took the clause's subject
                # for an object of "say", which takes a clause, not a thing said about
                lo = dobj.left_edge.i
                return [(lo, self._extend_forward(art, verb, lo, dobj.right_edge.i))], "ccomp"
        if self.object_cues and lemma in OBJECT_VERBS:
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
        if self.open_cues and lemma in PREP_POSITION_VERBS:
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
        if self.open_cues and lemma in POSITION_OBJECT_VERBS:
            dobj = _object_after(verb)
            if dobj is not None:
                return [(dobj.left_edge.i, dobj.right_edge.i)], "position"
        if self.open_cues and lemma in INTENT_VERBS and lemma not in _XCOMP_VERBS:
            xcomp = self._intent_xcomp(verb)
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
                        if doc[end].text in _SENT_END and end > k + 3:
                            break
                    if art.paragraph_of(doc[k].idx) == art.paragraph_of(verb.idx):
                        return [(k, end)], "colon"
        head = verb.head
        if (
            verb.dep_ == "advcl"
            and lemma in CLAUSE_VERBS - _THOUGHT_VERBS
            and any(c.dep_ == "mark" and c.lower_ == "as" and c.i < verb.i for c in children)
            and head.i != verb.i
        ):
            # "As The Washington Post reported, Sanders would need ...": the clause the cue modifies
            toks = [t.i for t in head.subtree if not verb.left_edge.i <= t.i <= verb.right_edge.i]
            left = [i for i in toks if i < verb.left_edge.i]
            right = [i for i in toks if i > verb.right_edge.i]
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
            if before in _DASHES and (after in _DASHES or after in _SENT_END) and subject_of(verb) is not None:
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
        return None

    def find_indirect(self, art: Article) -> list[Candidate]:
        doc = art.doc
        out: list[Candidate] = []
        for tok in doc:
            if art.in_quote[tok.i] >= 0:
                continue
            if tok.lower_ == "according":
                cand = self._according(art, tok)
                if cand is not None:
                    out.append(cand)
                continue
            if not _is_verb(tok):
                continue
            lemma = tok.lemma_.lower()
            if (
                lemma not in CLAUSE_VERBS
                and lemma not in OBJECT_VERBS
                and not self._open_cue(tok)
                and not self._unnamed_question(tok)
            ):
                continue
            found = self._content_range(art, tok)
            if found is None:
                continue
            ranges, how = found
            if self.nested:
                ranges = [(lo, self._before_outer_cue(art, tok, lo, hi)) for lo, hi in ranges]
            spk = subject_of(tok)
            if spk is None and self.open_cues and lemma in CLAUSE_VERBS:
                spk = _noun_right_before(tok)
            if spk is None and self._unnamed_question(tok):
                # the question ends with the clause that asks it, not with the sentence
                cand = self._candidate(art, [(lo, min(hi, tok.right_edge.i)) for lo, hi in ranges], None)
                if cand is not None and not _NO_COMMENT.search(tok.sent.text):
                    cand.cue, cand.cue_token, cand.confidence = cue_extent(tok), tok.i, 0.5
                    out.append(cand)
                continue
            if spk is None or art.in_quote[spk.i] >= 0 or spk.dep_ == "expl":
                continue
            if spk.lower_ in ("it", "this", "that", "there"):
                continue
            # the target of a stance verb may be one word ("criticized Clinton"); other content needs two
            cand = self._candidate(art, ranges, spk, min_words=1 if how == "position" else 2)
            if cand is None or _NO_COMMENT.search(tok.sent.text):
                continue
            cand.confidence = 0.75 if how == "ccomp" else 0.65
            self._with_cue(art, cand, tok)
            out.append(cand)
        return out

    def _before_outer_cue(self, art: Article, verb: Token, lo: int, hi: int) -> int:
        """Nested content ends where the attribution around it begins: "..., according to Y" or "..., the
        source added" after it is the outer record's cue, not part of what the inner speaker said."""
        doc = art.doc
        for k in range(max(lo, verb.i + 1), hi + 1):
            tok = doc[k]
            if art.in_quote[k] >= 0:
                continue
            if tok.lower_ == "according" and k + 1 < len(doc) and doc[k + 1].lower_ == "to":
                return max(lo, k - 1)
        anc = next((a for a in verb.ancestors if a.i > verb.i and lo <= a.i <= hi + 1 and self._is_nested_cue(a)), None)
        if anc is not None:
            subj = next((c for c in anc.children if c.dep_ in _SUBJ_DEPS and c.i < anc.i), None)
            cut = subj.left_edge.i if subj is not None else anc.i
            if cut > lo:
                return min(hi, cut - 1)
        return hi

    def find_noun_cues(self, art: Article) -> list[Candidate]:
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
            cand = self._candidate(art, [content], owner, min_words=1 if target else 2)
            if cand is None:
                continue
            cand.cue, cand.cue_token = (tok.idx, tok.idx + len(tok.text)), tok.i
            cand.speaker_head = owner.i
            cand.speaker = self.mention_span(art, owner, tok)
            cand.confidence = 0.55
            out.append(cand)
        return out

    def find_name_colon(self, art: Article) -> list[Candidate]:
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
            if not (proper and entity) and not self._named_later(art, tokens[-1]):
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
            if colon is None or content is None or _words(content) < 3:
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

    @staticmethod
    def _named_later(art: Article, name: Token) -> bool:
        """NER often misses a name in a title-case headline ("Cruz: Trump Would ..."); the body names them."""
        named = art.cache.get("named_tokens")
        if named is None:
            named = art.cache["named_tokens"] = {}
            for t in art.doc:
                if t.ent_type_ in ("PERSON", "ORG"):
                    named.setdefault(t.lower_, []).append(t.i)
        later = named.get(name.lower_)
        return bool(later) and later[-1] > name.i

    def _unnamed_question(self, verb: Token) -> bool:
        """ "Asked whether he would run, ..." / "when asked about the wall" / "Sanders was asked about it": a
        question whose asker is not named; it is still an attribution (its speaker stays unknown)."""
        return (
            self.open_cues
            and verb.lemma_.lower() == "ask"
            and verb.tag_ == "VBN"
            and (verb.dep_ != "ROOT" or any(c.dep_ == "auxpass" for c in verb.children))
            and not any(c.dep_ == "agent" for c in verb.children)
        )

    def _candidate(
        self, art: Article, ranges: list[tuple[int, int]], spk: Token | None, min_words: int = 2
    ) -> Candidate | None:
        """Trimmed content pieces (never containing the speaker) as an indirect candidate, or None when too short."""
        doc = art.doc
        pieces = []
        for lo, hi in ranges:
            trimmed = self._trim(art, lo, hi)
            if trimmed is None:
                continue
            lo, hi = trimmed
            if spk is not None and lo <= spk.i <= hi:
                continue
            pieces.append((lo, self._close_quotes(art, lo, hi)))
        if not pieces or _words([t for lo, hi in pieces for t in doc[lo : hi + 1]]) < min_words:
            return None
        return Candidate(
            "indirect",
            [(doc[lo].idx, doc[hi].idx + len(doc[hi].text)) for lo, hi in pieces],
            art.paragraph_of(doc[pieces[0][0]].idx),
        )

    def _according(self, art: Article, tok: Token) -> Candidate | None:
        doc = art.doc
        spk = self._according_speaker(tok)
        if spk is None:
            return None
        excluded = set(t.i for t in tok.subtree)
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
            trimmed = self._trim(art, lo, hi)
            if trimmed is None:
                continue
            if best is None or (trimmed[1] - trimmed[0]) > (best[1] - best[0]):
                best = trimmed
        if best is None or _words(doc[best[0] : best[1] + 1]) < 3:
            return None
        lo, hi = best
        cand = Candidate("indirect", [(doc[lo].idx, doc[hi].idx + len(doc[hi].text))], art.paragraph_of(doc[lo].idx))
        cand.confidence = 0.7
        self._with_cue(art, cand, tok)
        return cand

    # ------------------------------------------------------------------ merge
    def find(self, art: Article) -> list[Candidate]:
        direct, embedded = self.find_direct(art)
        direct = [c for c in direct if not self._junk(art, c)]
        if not self.indirect:
            self._borrow_speakers(art, direct)
            return direct
        found = self.find_indirect(art)
        if self.open_cues:
            found += self.find_name_colon(art) + self.find_noun_cues(art)
        reported = [c for c in found if not self._junk(art, c)]
        direct_chars = _Ranges([(a, b) for c in direct for a, b in c.pieces])
        direct_quotes = _Ranges(direct, lambda c: (c.start, c.end))
        region_starts = [r.start for r in art.regions]
        direct_cues = {c.cue_token for c in direct if c.cue_token is not None}
        kept: list[Candidate] = []
        for cand in sorted(reported, key=lambda c: (c.start, -(c.end - c.start))):
            a, b = cand.start, cand.end
            length = b - a
            overlap = sum(max(0, min(b, y) - max(a, x)) for x, y in direct_chars.near(a, b))
            # a direct quote inside with a cue of its own ("X said A but added, “B”") is not this one's fragment
            cued_inside = any(
                d.cue is not None
                and a < d.cue[0] < d.start < b
                and d.speaker_head is not None
                and art.doc[d.speaker_head].idx < a  # the same speaker goes on; not a nested attribution
                for d in direct_quotes.starting_in(a, b)
            )
            if overlap >= 0.5 * length or cued_inside:
                if not self._cut_before_direct(art, cand, direct_quotes, direct_chars) and overlap >= 0.5 * length:
                    continue
                a, b = cand.start, cand.end
                length = b - a
            # quotation marks inside reported speech make it a mixed quote
            regions = art.regions[bisect_left(region_starts, a) : bisect_right(region_starts, b)]
            inside = [r for r in regions if r.start >= a and r.end <= b]
            if inside:
                emitted = [r for r in inside if any(x <= r.start < y for x, y in direct_chars.near(r.start, r.start))]
                if sum(r.end - r.start for r in emitted) >= 0.9 * length:
                    continue
                cand.type = "mixed"
            if cand.cue_token in direct_cues:
                continue
            kept.append(cand)
        final = kept if self.nested else self._drop_nested(art, kept)
        # direct quotes swallowed by a mixed quote are its fragments
        mixed_ranges = _Ranges([(c.start, c.end) for c in final if c.type == "mixed"])
        direct = [
            c for c in direct if not any(x <= c.start and c.end <= y for x, y in mixed_ranges.near(c.start, c.start))
        ]
        merged = sorted(direct + final, key=lambda c: c.start)
        self._borrow_speakers(art, merged)
        return merged

    @staticmethod
    def _drop_nested(art: Article, kept: list[Candidate]) -> list[Candidate]:
        """Nested reported speech without `nested`: each word belongs to one attribution, so keep one of the
        two; the outer one, except that "according to X" around another attribution yields to it. (With
        `nested`, both are kept: "X said A, according to Y" is Y's report of X's words.)"""
        drop: set[int] = set()
        by_start = _Ranges(list(range(len(kept))), lambda k: (kept[k].start, kept[k].end))
        for i, outer in enumerate(kept):
            for j in by_start.starting_in(outer.start, outer.end):
                inner = kept[j]
                if i == j or inner.cue is None or not (outer.start <= inner.cue[0] < outer.end):
                    continue
                if not (outer.start <= inner.start and inner.end <= outer.end):
                    continue
                according = outer.cue is not None and art.text[outer.cue[0] : outer.cue[1]].lower().startswith("accord")
                drop.add(i if according else j)
        return [c for k, c in enumerate(kept) if k not in drop]

    def _cut_before_direct(self, art: Article, cand: Candidate, direct: _Ranges, direct_chars: _Ranges) -> bool:
        """Reported speech that runs on into a direct quote ("X said A but added, “B”") keeps its own part,
        up to that quote's cue; False when too little of it is left."""
        if len(cand.pieces) != 1:
            return False
        a, b = cand.start, cand.end
        later = [d for d in direct.starting_in(a, b) if a < d.start < b]
        if not later:
            return False
        first = min(later, key=lambda d: d.start)
        cut = first.start
        if first.cue is not None and a < first.cue[0] < cut:
            cut = first.cue[0]
        while cut > a and art.text[cut - 1].isspace():
            cut -= 1
        lo, hi = art.token_at(a), art.token_at(cut - 1)
        if lo is None or hi is None:
            return False
        trimmed = self._trim(art, lo.i, hi.i)
        if trimmed is None or _words(art.doc[trimmed[0] : trimmed[1] + 1]) < 3:
            return False
        end = art.doc[trimmed[1]].idx + len(art.doc[trimmed[1]].text)
        if any(x < end and a < y for x, y in direct_chars.near(a, end)):
            return False
        cand.pieces = [(art.doc[trimmed[0]].idx, end)]
        return True

    @staticmethod
    def _junk(art: Article, cand: Candidate) -> bool:
        para = art.paragraphs[cand.paragraph]
        line = art.text[para[0] : para[1]]
        if _JUNK_LINE.search(line) and len(line) < 300:
            return True
        content = art.text[cand.start : cand.end]
        return bool(_NO_COMMENT.search(content))
