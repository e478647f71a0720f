"""Resolve each speaker mention to the fullest name the article gives for that entity.

A light, article-local coreference: named mentions map to the longest PERSON name sharing their
surname, pronouns to the most recent person speaker or subject before them, role nouns ("the
senator") to the last person introduced with that role. Anything else that cannot be resolved is
left as `None` rather than guessed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from stance.extract.base import Article, Candidate
from stance.extract.lexicon import (
    DOCUMENT_NOUNS,
    FEMALE_NAMES,
    GENERIC_ORG_NOUNS,
    GROUP_PRONOUNS,
    HONORIFICS,
    MALE_NAMES,
    ORG_NOUNS,
    PERSON_PRONOUNS,
    ROLE_NOUNS,
)
from stance.extract.people import FIRST_NAMES, Mentions, People, surname_key
from stance.extract.people import Person as _Person

_TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt", "prof", "rev",
    "president", "senator", "governor", "secretary", "minister", "judge", "justice", "mayor", "speaker",
    "representative", "congressman", "congresswoman", "sir", "lord", "lady", "dame", "prime", "vice",
}  # fmt: skip
_ROLE_GROUPS = {
    "spokesman": "spokesperson", "spokeswoman": "spokesperson", "spokesperson": "spokesperson",
    "sen": "senator", "senator": "senator", "rep": "representative", "representative": "representative",
    "congressman": "representative", "congresswoman": "representative", "gov": "governor", "governor": "governor",
    "gen": "general", "general": "general", "rev": "reverend", "reverend": "reverend",
}  # fmt: skip
_ORG_LABELS = {"ORG", "NORP", "GPE", "FAC"}
_HONORIFICS = {k: (0 if v == "m" else 1) for k, v in HONORIFICS.items()}
_MALE = {"he", "him", "his", "himself"}
_FEMALE = {"she", "her", "hers", "herself"}
_DOC_LABELS = {"WORK_OF_ART", "LAW"}
_STRIP_EDGE = re.compile(r"^(?:the|a|an)\s+|['’]s$", re.IGNORECASE)


def role_key(word: str) -> str | None:
    w = word.lower().rstrip(".")
    if w in _ROLE_GROUPS:
        return _ROLE_GROUPS[w]
    return w if (w in ROLE_NOUNS or w + "." in ROLE_NOUNS) else None


def clean_name(span_text: str) -> str:
    """A person's name without titles, possessive 's or line breaks."""
    words = span_text.replace("\n", " ").split()
    while len(words) > 1 and (words[0].lower().rstrip(".") in _TITLES or role_key(words[0])):
        words = words[1:]
    name = " ".join(words)
    return re.sub(r"['’]s$", "", name).strip(" ,")


@dataclass
class _Index:
    """One article's lookups: its people, the subjects and speakers a pronoun may refer back to, its ORGs."""

    people: People
    subjects: Mentions
    history: Mentions = field(default_factory=Mentions)  # resolved person speakers, by offset
    orgs: list[Span] = field(default_factory=list)
    org_ends: list[int] = field(default_factory=list)
    orgs_by_word: dict[str, tuple[list[int], list[Span]]] = field(default_factory=dict)

    @classmethod
    def build(cls, art: Article, people: People, subjects: Mentions) -> _Index:
        orgs = [e for e in art.ents if e.label_ == "ORG"]
        by_word: dict[str, tuple[list[int], list[Span]]] = {}
        for ent in orgs:
            for word in set(ent.text.lower().split()):
                ends, ents = by_word.setdefault(word, ([], []))
                ends.append(ent.end_char)
                ents.append(ent)
        return cls(people, subjects, Mentions(), orgs, [e.end_char for e in orgs], by_word)


class EntityAttributor:
    """Fills `resolved`, `role` and `speaker_type` of each candidate from the article's entities."""

    def __init__(self, max_pronoun_distance: int = 3):
        self.max_pronoun_distance = int(max_pronoun_distance)

    # -------------------------------------------------------------- article index
    def _people(self, art: Article) -> People:
        people = []
        for ent in art.ents:
            if not self._is_person(ent):
                continue
            name = clean_name(ent.text)
            if not name or not any(ch.isalpha() for ch in name):
                continue
            people.append(_Person(name, ent.start_char, self._role_of(ent)))
        people.extend(self._names_inside_other_entities(art, people))
        people.sort(key=lambda p: p.start)
        genders = self._genders(art, people)
        for person in people:
            person.gender = genders.get(surname_key(person.name))
        return People(people)

    @staticmethod
    def _names_inside_other_entities(art: Article, people: list[_Person]) -> list[_Person]:
        """ "Barack Obama Election Day": a common first name before a known surname names that person in full,
        even where the model tagged the words as part of something else."""
        surnames = {surname_key(p.name) for p in people}
        doc = art.doc
        out = []
        for tok in doc[:-1]:
            nxt = doc[tok.i + 1]
            if tok.ent_type_ == "PERSON" or not tok.is_title or not nxt.is_title:
                continue
            if tok.lower_ not in FIRST_NAMES or nxt.lower_.replace("’", "'") not in surnames:
                continue
            out.append(_Person(f"{tok.text} {nxt.text}", tok.idx, None))
        return out

    @staticmethod
    def _genders(art: Article, people: list[_Person]) -> dict[str, str]:
        """Gender per surname from what the article itself says: an honorific (Mr./Mrs./Ms.), a common first
        name, or the pronoun that follows the name as subject in the same sentence ("Smith said she ...")."""
        votes: dict[str, list[int]] = {}
        surnames = {surname_key(p.name) for p in people if len(p.name.split()) > 1}
        for person in people:
            words = person.name.split()
            key = surname_key(person.name)
            tally = votes.setdefault(key, [0, 0])
            first = words[0].lower()
            if len(words) == 1 and (key in surnames or first not in FIRST_NAMES):
                continue  # a lone "Warren" is Elizabeth Warren's surname, not the first name Warren
            if first in MALE_NAMES:
                tally[0] += 3
            elif first in FEMALE_NAMES:
                tally[1] += 3
        doc = art.doc
        surnames = set(votes)
        for tok in doc:
            low = tok.lower_.rstrip(".")
            if low in _HONORIFICS and tok.i + 1 < len(doc):
                # "Mr. Trump", "Mrs. Hillary Clinton": the honorific names the gender of the next name
                j = tok.i + 1
                while j + 1 < len(doc) and doc[j + 1].pos_ == "PROPN" and doc[j + 1].is_title:
                    j += 1
                key = doc[j].lower_.replace("’", "'")
                if key in surnames:
                    votes[key][_HONORIFICS[low]] += 5
            elif tok.dep_ in ("nsubj", "nsubjpass") and tok.pos_ == "PROPN":
                key = tok.lower_.replace("’", "'")
                if key not in surnames:
                    continue
                for nxt in doc[tok.i + 1 : tok.sent.end]:
                    if nxt.dep_ in ("dobj", "dative") and nxt.head.i == tok.head.i:
                        break  # "Smith scolded him": an object of the subject's own verb is someone else
                    if nxt.lower_ in ("he", "him", "his", "himself"):
                        votes[key][0] += 1
                        break
                    if nxt.lower_ in ("she", "her", "hers", "herself"):
                        votes[key][1] += 1
                        break
                    if nxt.pos_ == "PROPN" and nxt.ent_type_ == "PERSON":
                        break
        return {k: ("m" if m > f else "f") for k, (m, f) in votes.items() if m != f}

    @staticmethod
    def _is_person(ent: Span) -> bool:
        """PERSON, or a name the small model mislabels but the article introduces with a role or title."""
        if ent.label_ == "PERSON":
            return True
        if ent.label_ not in ("ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "LOC") or len(ent) > 4:
            return False
        if not all(t.pos_ == "PROPN" for t in ent):
            return False
        doc = ent.doc
        prev = doc[ent.start - 1] if ent.start > 0 else None
        if prev is not None and (role_key(prev.text) or prev.lower_.rstrip(".") in _TITLES):
            return True
        first = ent[0].lower_.rstrip(".")
        return first in _TITLES and first not in ("president",)

    @staticmethod
    def _role_of(ent: Span) -> str | None:
        """The role the article gives with a name: "Government spokesperson Phay Siphan", "X, a senator from Y"."""
        doc = ent.doc
        root = ent.root
        left = [t for t in root.lefts if t.i < ent.start and t.dep_ in ("compound", "amod", "nmod", "poss")]
        if left:
            lo = min(t.left_edge.i for t in left)
            toks = [t for t in doc[lo : ent.start] if not t.is_punct and t.dep_ != "det" and t.ent_type_ != "PERSON"]
            if toks and any(role_key(t.text) or t.pos_ == "NOUN" for t in toks):
                text = doc[toks[0].i : toks[-1].i + 1].text
                return text.strip(" ,") or None
        # a title or role inside the entity itself: "Sen. Ted Cruz", "Farmer Tom Reed"
        first = ent[0].text.lower().rstrip(".")
        if (
            len(ent) > 1
            and (first in _TITLES or role_key(first))
            and first not in ("mr", "mrs", "ms", "miss", "dr", "sir")
        ):
            return ent[0].text
        for child in root.children:
            if child.dep_ == "appos" and child.i > root.i:
                span = doc[child.left_edge.i : child.right_edge.i + 1]
                words = [t for t in span if not t.is_punct]
                if words and len(words) <= 12 and words[0].dep_ == "det":
                    words = words[1:]
                if words and len(words) <= 12 and not any(t.ent_type_ == "PERSON" for t in words):
                    return doc[words[0].i : words[-1].i + 1].text
        return None

    # -------------------------------------------------------------- resolution
    def attribute(self, article: Article, candidates: list[Candidate]) -> None:
        people = self._people(article)
        index = _Index.build(article, people, self._subjects(article, people))
        for cand in sorted(candidates, key=lambda c: c.speaker[0] if c.speaker else c.start):
            if cand.speaker is None or cand.speaker_head is None:
                continue
            head = article.doc[cand.speaker_head]
            mention = article.doc.char_span(cand.speaker[0], cand.speaker[1], alignment_mode="expand")
            if mention is None:
                continue
            resolved, role, kind = self._resolve(article, mention, head, index)
            cand.resolved, cand.speaker_type = resolved, kind
            cand.role = role
            if kind == "person" and resolved:
                person = people.last_by_name.get(resolved)
                if person is None:
                    person = _Person(resolved, head.idx, role, people.gender_of_surname(resolved))
                index.history.add(head.idx, person)
                if cand.role is None:
                    cand.role = person.role or people.role_by_name.get(resolved)
            if cand.inherited:
                cand.confidence = min(cand.confidence, 0.6)
            elif resolved is None:
                cand.confidence = min(cand.confidence, 0.5)

    def _resolve(self, art: Article, mention: Span, head: Token, index: _Index):
        doc = art.doc
        people = index.people
        low = head.lower_
        # relative pronoun: "..., who said" refers to the noun the clause hangs on
        if low in ("who", "which", "that") and head.head.dep_ == "relcl":
            antecedent = head.head.head
            span = doc[antecedent.left_edge.i : antecedent.i + 1]
            return self._resolve(art, span, antecedent, index)
        ents = art.ents_in(mention)
        persons = [e for e in ents if e.label_ == "PERSON" or e.start_char in people.starts]
        if not persons:
            # a surname alone that the model tagged as something else ("Eysan said")
            for e in ents:
                surname = clean_name(e.text)
                if len(surname.split()) == 1 and people.fullest(surname, e.start_char) is not None:
                    persons = [e]
                    break
        if not persons and head.pos_ == "PROPN" and not ents:
            # a surname the model did not tag at all: resolve it when the article names that person in full
            full = people.fullest(head.text, head.idx)
            if full is not None and len(full.name.split()) > 1:
                return full.name, full.role, "person"
        if persons:
            ent = max(persons, key=lambda e: len(e))
            name = clean_name(ent.text)
            full = people.fullest(name, ent.start_char)
            role = self._role_of(ent)
            if role is None:
                rest = doc[mention.start : ent.start]
                words = [t for t in rest if not t.is_punct and t.dep_ != "det"]
                if words:
                    role = doc[words[0].i : words[-1].i + 1].text
            return (full.name if full else name), role or (full.role if full else None), "person"
        if low in PERSON_PRONOUNS or low in ("they", "we") and head.dep_ in ("nsubj", "nsubjpass"):
            if low in ("i", "me", "we", "they"):
                return None, None, "person" if low in ("i", "me") else "unknown"
            person = self._recent(art, head, index)
            if person is not None:
                person = people.fullest(person.name, head.idx) or person
            if person is None:
                return None, None, "person"
            return person.name, person.role, "person"
        if low in GROUP_PRONOUNS:
            return None, None, "unknown"
        key = role_key(head.text)
        if key is not None and head.pos_ in ("NOUN", "PROPN") and head.tag_ not in ("NNS", "NNPS"):
            person = people.by_role(key, head.idx, role_key)
            if person is not None:
                person = people.fullest(person.name, head.idx) or person
            role = mention.text
            role = _STRIP_EDGE.sub("", role.strip())
            if person is None:
                return None, role, "person"
            return person.name, person.role or role, "person"
        orgs = [e for e in ents if e.label_ in _ORG_LABELS]
        if orgs:
            ent = max(orgs, key=len)
            return _STRIP_EDGE.sub("", ent.text).strip(), None, "organization"
        if head.lemma_.lower() in ORG_NOUNS or head.lower_ in ORG_NOUNS:
            named = self._named_org(art, mention, head, index)
            return named or _STRIP_EDGE.sub("", mention.text.strip()), None, "organization"
        if head.lemma_.lower() in DOCUMENT_NOUNS or any(e.label_ in _DOC_LABELS for e in ents):
            return _STRIP_EDGE.sub("", mention.text.strip()), None, "document"
        if head.pos_ in ("NOUN", "PROPN"):
            return _STRIP_EDGE.sub("", mention.text.strip()), None, "unknown"
        return None, None, "unknown"

    def _subjects(self, art: Article, people: People) -> Mentions:
        """People named as the subject (or in apposition) of a clause: what a later "he"/"she" refers to."""
        out = Mentions()
        known = set(people.by_surname)
        for tok in art.doc:
            if tok.pos_ != "PROPN":
                continue
            if tok.dep_ not in ("nsubj", "nsubjpass", "appos") and not self._has_who_clause(tok):
                continue
            if tok.ent_type_ != "PERSON" and tok.lower_.replace("’", "'") not in known:
                continue
            full = people.fullest(tok.text, tok.idx)
            if full is not None:
                out.add(tok.idx, full)
        return out

    @staticmethod
    def _has_who_clause(tok: Token) -> bool:
        """ "with Jane Smith, who has called for ...": the name is the subject of its relative clause."""
        return any(
            child.dep_ == "relcl"
            and any(g.dep_ in ("nsubj", "nsubjpass") and g.lower_ == "who" for g in child.children)
            for child in tok.children
        )

    def _recent(self, art: Article, head: Token, index: _Index) -> _Person | None:
        """Most recent person speaker or subject before the pronoun whose gender fits, within a few paragraphs
        (a speaker before a subject at the same offset)."""
        pos = head.idx
        para = art.paragraph_of(pos)
        gender = "m" if head.lower_ in _MALE else "f" if head.lower_ in _FEMALE else None

        def fits(person: _Person) -> bool:
            return not (gender and person.gender and person.gender != gender)

        def too_far(at: int) -> bool:
            return para - art.paragraph_of(at) > self.max_pronoun_distance

        spoke = index.history.latest_before(pos, fits, too_far)
        named = index.subjects.latest_before(pos, fits, too_far)
        best = spoke if named is None or (spoke is not None and spoke[0] >= named[0]) else named
        return best[1] if best is not None else None

    @staticmethod
    def _named_org(art: Article, mention: Span, head: Token, index: _Index) -> str | None:
        """A generic noun ("the agency said") stands for the organisation the article named just before."""
        if mention[0].lower_ != "the" or len(mention) > 3 or head.tag_ in ("NNS", "NNPS"):
            return None
        noun = head.lower_
        ends, ents = index.orgs_by_word.get(noun, ([], []))
        k = bisect_right(ends, mention.start_char)
        if k:  # the latest ORG before the mention with this noun in its name
            return _STRIP_EDGE.sub("", ents[k - 1].text).strip()
        if noun in GENERIC_ORG_NOUNS:
            k = bisect_right(index.org_ends, mention.start_char)
            last = index.orgs[k - 1] if k else None
            if last is not None and art.paragraph_of(head.idx) - art.paragraph_of(last.start_char) <= 1:
                return _STRIP_EDGE.sub("", last.text).strip()
        return None
