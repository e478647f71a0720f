"""Resolve each speaker mention to the fullest name the article gives for that entity.

A light, article-local coreference over the article's entity layer (`entities.py`): named mentions map to
the fullest variant of the person's name, pronouns to the most recent person speaker or subject before them
(a plural "they" to two people named together), role nouns ("the senator") to the last person introduced
with that role, generic nouns ("the agency") to the organisation named just before. A mention that names no
one ("economists", "a source close to the mayor", "the report") keeps `speaker` None and says what it is in
`speaker_type` (group, unnamed, document, organization). Each step can be switched off in
`conf/extract/default.yaml` (`attributor:`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from stance.extract.base import Article, Candidate
from stance.extract.entities import (
    SAID_NOUNS,
    EntityLayer,
    clean_name,
    is_epithet,
    mention_kind,
    role_key,
    role_of,
    role_word,
)
from stance.extract.lexicon import (
    AUTHOR_VERBS,
    FEMALE_PRONOUNS,
    GENERIC_ORG_NOUNS,
    GROUP_PRONOUNS,
    MALE_PRONOUNS,
    MEDIA_NAME_WORDS,
    MEDIA_NOUNS,
    PERSON_PRONOUNS,
    PUBLISH_VERBS,
)
from stance.extract.people import Mentions, People, first_name_gender
from stance.extract.people import Person as _Person

__all__ = ["EntityAttributor", "clean_name", "role_key"]

_ORG_LABELS = {"ORG", "NORP", "GPE", "FAC"}
_NARRATOR_NOUNS = {"reporter", "writer", "author", "correspondent", "columnist", "journalist"}
_PUBLISHER_LABELS = {"ORG", "PERSON", "GPE", "NORP", "FAC"}  # who a document may be by or from
_POSSESSIVE = {"his": "he", "her": "she", "hers": "she", "their": "they", "its": "it"}
_PLURAL = {"they", "them", "their"}
_STRIP_EDGE = re.compile(r"^(?:the|a|an)\s+|['’]s$", re.IGNORECASE)


def _is_name(tok: Token) -> bool:
    """A proper noun, or a capitalised word inside a sentence that the tagger took for a common noun."""
    return tok.pos_ == "PROPN" or (tok.pos_ == "NOUN" and tok.text[:1].isupper() and not tok.is_sent_start)


@dataclass
class _Index:
    """One article's lookups: its entity layer, the speakers resolved so far (what a pronoun may refer back
    to), and its ORGs by word."""

    layer: EntityLayer
    history: Mentions = field(default_factory=Mentions)  # resolved person speakers, by offset
    orgs: list[Span] = field(default_factory=list)
    org_ends: list[int] = field(default_factory=list)
    orgs_by_word: dict[str, tuple[list[int], list[Span]]] = field(default_factory=dict)

    @classmethod
    def build(cls, layer: EntityLayer, article: Article) -> _Index:
        orgs = layer.orgs
        by_word: dict[str, tuple[list[int], list[Span]]] = {}
        title_case: dict[int, bool] = {}  # paragraph -> is it a title-case headline
        for ent in orgs:
            para = article.paragraph_of(ent.start_char)
            if para not in title_case:
                title_case[para] = _title_case_line(article.text[slice(*article.paragraphs[para])])
            if title_case[para]:
                continue  # "Top Climate Group Will Run Ads ...": a headline's capitals fool the NER model
            for word in set(ent.text.lower().split()):
                ends, ents = by_word.setdefault(word, ([], []))
                ends.append(ent.end_char)
                ents.append(ent)
        return cls(layer, Mentions(), orgs, [e.end_char for e in orgs], by_word)


def _author_kind(name: str, people: People) -> str:
    """A document's author or publisher is a person when the article names that person, else an organisation."""
    return "person" if name in people.last_by_name else "organization"


_TITLE_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


def _title_case_line(text: str) -> bool:
    """Is this paragraph five or more words, nearly all capitalised (a title-case headline)?"""
    words = [w for w in text.split() if w[:1].isalpha()]
    content = [w for w in words if w.lower() not in _TITLE_SMALL_WORDS]
    return len(words) >= 5 and sum(w[0].isupper() for w in content) >= 0.8 * len(content)


class EntityAttributor:
    """Fills `resolved`, `role` and `speaker_type` of each candidate from the article's entity layer.

    max_pronoun_distance: paragraphs back a pronoun may look for its antecedent.
    name_variants: name a person by the fullest variant of their name ("Jim Hart" -> "James R. Hart").
    predicate_roles: read roles from "X is the company's spokesman" as well as titles and appositions.
    plural_pronouns: resolve "they" to two people named together as a subject ("A and B").
    generic_null: a mention that names no one ("economists", "the report") gets speaker None and a type
        (group, unnamed, document); off, such a mention is its own speaker, as before.
    main_clause_salience: a pronoun whose nearest candidate is the subject of a subordinate clause goes to the
        speaker or main-clause subject earlier in that sentence ("X said ... as Y did. He added").
    """

    def __init__(
        self,
        max_pronoun_distance: int = 3,
        name_variants: bool = True,
        predicate_roles: bool = True,
        plural_pronouns: bool = True,
        generic_null: bool = True,
        main_clause_salience: bool = True,
    ):
        self.max_pronoun_distance = int(max_pronoun_distance)
        self.name_variants = bool(name_variants)
        self.predicate_roles = bool(predicate_roles)
        self.plural_pronouns = bool(plural_pronouns)
        self.generic_null = bool(generic_null)
        self.main_clause_salience = bool(main_clause_salience)

    def layer(self, article: Article) -> EntityLayer:
        """The article's entity layer, as this attributor is configured to build it."""
        return EntityLayer.build(
            article, predicates=self.predicate_roles, variants=self.name_variants, plurals=self.plural_pronouns
        )

    # -------------------------------------------------------------- resolution
    def attribute(self, article: Article, candidates: list[Candidate]) -> None:
        layer = self.layer(article)
        people = layer.people
        index = _Index.build(layer, article)
        for cand in sorted(candidates, key=lambda c: c.speaker[0] if c.speaker else c.start):
            if cand.speaker is None or cand.speaker_head is None:
                continue
            head = article.doc[cand.speaker_head]
            mention = article.doc.char_span(cand.speaker[0], cand.speaker[1], alignment_mode="expand")
            if mention is None:
                continue
            resolved, role, kind = self._resolve(article, mention, head, index)
            if resolved is not None and kind == "person" and " and " not in resolved:
                resolved = layer.canonical(resolved)
            cand.resolved, cand.speaker_type = resolved, kind
            cand.role = role
            if kind == "person" and resolved and " and " not in resolved:
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

    def _nobody(self, mention: Span, kind: str) -> tuple[str | None, str | None, str]:
        """A mention that names no one: None and its kind (or, with generic_null off, the mention itself)."""
        if self.generic_null:
            return None, None, kind
        return _STRIP_EDGE.sub("", mention.text.strip()) or None, None, "unknown" if kind != "document" else kind

    def _resolve(self, art: Article, mention: Span, head: Token, index: _Index) -> tuple[str | None, str | None, str]:
        doc = art.doc
        layer = index.layer
        people = layer.people
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
        # (a headline's "Sanders:" may even be tagged a plural noun)
        if not persons and not ents and (head.pos_ == "PROPN" or (head.is_title and len(mention) == 1)):
            # a surname the model did not tag at all: resolve it when the article names that person in full
            full = people.fullest(head.text, head.idx)
            if full is not None and len(full.name.split()) > 1:
                return full.name, full.role, "person"
        owner: Span | None = None
        if (
            persons
            and head.pos_ == "NOUN"
            and self.generic_null
            and not any(
                e.start <= head.i < e.end or (e.root.dep_ == "appos" and e.root.head.i == head.i) for e in persons
            )
        ):
            # "several Clinton supporters", "the Obama administration", "Trump's statement": the name is not the
            # head of the mention but what the head belongs to
            owner = max(persons, key=len)
            persons = []
        if persons:
            ent = max(persons, key=lambda e: len(e))
            name = clean_name(ent.text)
            full = people.fullest(name, ent.start_char)
            role = role_of(ent)
            if role is None:
                rest = doc[mention.start : ent.start]
                words = [t for t in rest if not t.is_punct and t.dep_ != "det"]
                if words:
                    role = doc[words[0].i : words[-1].i + 1].text
            return (full.name if full else name), role or (full.role if full else None), "person"
        pronoun = _POSSESSIVE.get(low, low) if head.dep_ == "poss" else low
        if pronoun in PERSON_PRONOUNS or pronoun in ("they", "we") and head.dep_ in ("nsubj", "nsubjpass", "poss"):
            return self._pronoun(art, mention, head, pronoun, index)
        if low in GROUP_PRONOUNS or low in _POSSESSIVE:
            return None, None, "unknown"
        owner_name = self._owner(art, head, owner, index)
        kind = mention_kind(mention, head)
        if kind == "document" and self.generic_null:
            # a document speaks for whoever wrote or published it ("An email from Neera Tanden", "his remarks",
            # "the poll" after "an AP-GfK poll"); unnamed, it is nobody
            named = owner_name or self._named_document(art, mention, head, ents, index)
            if named:
                return named, None, _author_kind(named, people)
            author = self._author(art, head, index) or self._earlier_author(art, mention, head, index)
            if author is not None:
                return author
            return self._nobody(mention, kind)
        key = role_word(head.text)
        if is_epithet(head) and head.pos_ in ("NOUN", "PROPN") and (key is not None or self.generic_null):
            return self._role_noun(art, mention, head, key, owner_name, index)
        orgs = [e for e in ents if e.label_ in _ORG_LABELS]
        if orgs and owner is None:
            ent = max(orgs, key=len)
            if ent.start <= head.i < ent.end:
                if ent.label_ == "NORP" and self.generic_null:
                    return self._nobody(mention, "group" if head.tag_ in ("NNS", "NNPS") else "unnamed")
                return _STRIP_EDGE.sub("", ent.text).strip(), None, "organization"
            if kind == "organization" and (head.tag_ not in ("NNS", "NNPS") or low == "police") and ent.end <= head.i:
                # "the Oslo police": the organisation is the place with its noun, not the place
                return layer.owner_name(ent, head), None, "organization"
            if kind is None or not self.generic_null:
                return _STRIP_EDGE.sub("", ent.text).strip(), None, "organization"
            return self._nobody(mention, kind)
        if kind == "organization":
            if owner_name and head.tag_ not in ("NNS", "NNPS"):
                return owner_name, None, "organization"
            named = self._named_org(art, mention, head, index) or self._named_next(art, mention, head, index)
            if named:
                return named, None, "organization"
            return self._nobody(mention, "organization")
        if kind is not None:
            return self._nobody(mention, kind)
        if head.pos_ == "PROPN":
            return _STRIP_EDGE.sub("", mention.text.strip()), None, "unknown"
        return None, None, "unknown"

    def _pronoun(
        self, art: Article, mention: Span, head: Token, pronoun: str, index: _Index
    ) -> tuple[str | None, str | None, str]:
        if pronoun in ("i", "me"):
            return None, None, "unnamed"
        if pronoun in ("we", "they"):
            pair = self._pair(art, head, index) if pronoun == "they" and self.plural_pronouns else None
            return (pair, None, "person") if pair else self._nobody(mention, "group")
        person = self._recent(art, head, index)
        if person is not None:
            person = index.layer.people.fullest(person.name, head.idx) or person
        if person is None:
            return None, None, "unnamed"
        return person.name, person.role, "person"

    def _owner(self, art: Article, head: Token, owner: Span | None, index: _Index) -> str | None:
        """Whose the head noun is: a name before it ("the Clinton campaign") or a possessive pronoun ("his
        campaign", resolved as a pronoun would be)."""
        if owner is not None:
            return index.layer.owner_name(owner, head)
        poss = next((c for c in head.children if c.dep_ == "poss" and c.lower_ in ("his", "her")), None)
        if poss is None or not self.generic_null:
            return None
        person = self._recent(art, poss, index)
        if person is None:
            return None
        name = index.layer.canonical((index.layer.people.fullest(person.name, poss.idx) or person).name)
        lemma = head.lemma_.lower()
        if lemma in ("campaign", "camp"):
            return f"{name} campaign"
        return name if lemma in SAID_NOUNS else None

    def _named_document(self, art: Article, mention: Span, head: Token, ents: list[Span], index: _Index) -> str | None:
        """ "The latest Reuters/Ipsos poll": the organisation inside the mention; "the poll": the one named with
        that noun before."""
        named = [e for e in ents if e.label_ in ("ORG", "PERSON", "GPE", "NORP") and e.end <= head.i + 1]
        if named:
            return index.layer.owner_name(max(named, key=len), head)
        names = [t for t in mention if t.i < head.i and _is_name(t)]
        if names:  # "the RealClearPolitics polling average": a name the model did not tag
            first = names[-1].i
            while first - 1 >= mention.start and _is_name(art.doc[first - 1]):
                first -= 1
            return art.doc[first : names[-1].i + 1].text
        publisher = self._publisher(art, head, index)
        if publisher:
            return publisher
        if mention[0].lower_ in ("the", "this", "that"):
            return index.layer.latest_owned(head.lemma_.lower(), head.idx)
        return None

    def _named_next(self, art: Article, mention: Span, head: Token, index: _Index) -> str | None:
        """A lede's "A major climate group is demanding ..." followed by "NextGen Climate, founded by ...": an
        indefinite organisation noun in the article's first paragraphs is the organisation named first after it,
        within the next paragraph."""
        if mention[0].lower_ not in ("a", "an") or head.tag_ in ("NNS", "NNPS") or head.lower_ not in GENERIC_ORG_NOUNS:
            return None
        if any(c.dep_ == "prep" and c.lower_ == "of" for c in head.children):
            return None  # "a group of senators" is a group of people
        para = art.paragraph_of(head.idx)
        if para > 2:
            return None
        k = bisect_right(index.org_ends, mention.end_char)
        while k < len(index.orgs) and index.orgs[k].start_char < mention.end_char:
            k += 1
        if k < len(index.orgs) and art.paragraph_of(index.orgs[k].start_char) <= para + 1:
            return _STRIP_EDGE.sub("", index.orgs[k].text).strip()
        return None

    def _author(self, art: Article, head: Token, index: _Index) -> tuple[str | None, str | None, str] | None:
        """Who wrote or put out the document: the subject of an authorship verb it is the object of ("Henry added
        the caption which reads"), or of one in its relative clause ("the statement she posted said")."""
        verbs = [head.head] if head.dep_ in ("dobj", "nsubjpass") and head.head is not head else []
        verbs += [c for c in head.children if c.dep_ == "relcl"]
        for verb in verbs:
            if verb.lemma_.lower() not in AUTHOR_VERBS:
                continue
            subj = next(
                (c for c in verb.children if c.dep_ == "nsubj" and c.lower_ not in ("who", "which", "that")), None
            )
            if subj is None:
                continue
            span = art.doc[subj.left_edge.i : subj.i + 1]
            name, role, kind = self._resolve(art, span, subj, index)
            if name is not None and kind in ("person", "organization"):
                return name, role, kind
        return None

    def _publisher(self, art: Article, head: Token, index: _Index) -> str | None:
        """ "a survey by Edison Research", and through a participle: "a report released by the Pew Research
        Center", "a statement issued by the Vatican", "a letter posted on the Sierra Club's website"."""
        preps = [t for t in head.rights if t.lower_ in ("by", "from")]
        # "a poll of 400 voters released by Latino Decisions": the participle may hang on the "of" object
        nouns = [head] + [o for p in head.rights if p.lower_ == "of" for o in p.children if o.dep_ == "pobj"]
        for verb in (t for noun in nouns for t in noun.rights if t.dep_ == "acl" and t.tag_ == "VBN"):
            preps += [t for t in verb.children if t.dep_ in ("agent", "prep") and t.lower_ in ("by", "from", "on")]
        for tok in preps:
            obj = next((c for c in tok.children if c.dep_ == "pobj"), None)
            if obj is None:
                continue
            # "on the website GunBroker.com": the name right after the noun is the place too (parsed apart)
            ents = [e for e in art.ents if e.label_ in _PUBLISHER_LABELS and obj.left_edge.i <= e.start <= obj.i + 1]
            if ents:
                return index.layer.owner_name(ents[0], head)
        return None

    def _earlier_author(
        self, art: Article, mention: Span, head: Token, index: _Index
    ) -> tuple[str | None, str | None, str] | None:
        """ "The ads ask ...", after "The group is also running full-page ads": a definite document is the one
        put out before by the publisher named with it ("A poll of Latino voters released on Friday by Latino
        Decisions"), or, in this or the previous paragraph, by the subject of a publishing verb ("run", "air",
        "release", "post", ...) with the same noun as its object."""
        definite = ("the", "this", "these", "those")
        # the determiner may sit outside a mention cut by a quoted title: The “No Comparison” ad
        if mention[0].lower_ not in definite and not any(
            c.dep_ == "det" and c.lower_ in definite for c in head.children
        ):
            return None
        lemma = head.lemma_.lower()
        para = art.paragraph_of(head.idx)
        start = art.paragraphs[max(0, para - 1)][0]
        doc = art.doc
        for tok in reversed(doc[: head.i]):
            if tok.lemma_.lower() != lemma:
                continue
            # "A poll ... released on Friday by Latino Decisions", anywhere before
            publisher = self._publisher(art, tok, index)
            if publisher:
                return publisher, None, _author_kind(publisher, index.layer.people)
            if tok.idx < start:
                continue  # a publishing verb only counts in this or the previous paragraph
            verb = tok.head
            if tok.dep_ != "dobj" or verb.lemma_.lower() not in PUBLISH_VERBS:
                continue
            subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
            if subj is None and verb.dep_ == "conj":  # "founded the group and will air an ad"
                subj = next((c for c in verb.head.children if c.dep_ == "nsubj"), None)
            if subj is None or subj.lower_ in ("who", "which", "that"):
                continue
            name, role, kind = self._resolve(art, doc[subj.left_edge.i : subj.i + 1], subj, index)
            if name is not None and kind in ("person", "organization"):
                return name, role, kind
        return None

    def _role_noun(
        self, art: Article, mention: Span, head: Token, key: str | None, owner: str | None, index: _Index
    ) -> tuple[str | None, str | None, str]:
        """ "the senator", "the Vermont senator", "the investor": the last person introduced with that role
        (whose role or neighbouring words have the mention's modifiers), else, for "the ...", the person the
        passage is about; "a detective" is an unnamed person with that role."""
        role = _STRIP_EDGE.sub("", mention.text.strip())
        layer = index.layer
        if mention[0].lower_ == "this" and head.lemma_.lower() in _NARRATOR_NOUNS:
            return None, role, "unnamed"  # "As this reporter revealed": the article's own unnamed writer
        definite = mention[0].lower_ in ("the", "this", "that")
        modifiers = [
            t.lower_
            for t in mention
            if t.i < head.i and t.dep_ in ("compound", "amod") and t.pos_ in ("PROPN", "ADJ") and t.is_alpha
        ]
        person = None
        if key is not None and owner is None:
            person = layer.by_role(key, head.idx, modifiers if self.generic_null else [])
        if person is None and definite and owner is None and self.generic_null and mention.start == head.left_edge.i:
            person = self._recent(art, head, index)
        if person is None:
            return None, role, "unnamed"
        person = layer.people.fullest(person.name, head.idx) or person
        return person.name, person.role or role, "person"

    def _pair(self, art: Article, head: Token, index: _Index) -> str | None:
        """ "Hart and Lee ... They said": the latest two people named together as a subject, in this or the
        previous paragraph."""
        pairs = index.layer.pairs
        k = bisect_right(pairs, (head.idx, "\uffff"))
        if not k:
            return None
        at, names = pairs[k - 1]
        if art.paragraph_of(head.idx) - art.paragraph_of(at) > 1:
            return None
        return names

    def _recent(self, art: Article, head: Token, index: _Index) -> _Person | None:
        """Most recent person speaker or subject before the pronoun whose gender fits, within a few paragraphs
        (a speaker before a subject at the same offset)."""
        pos = head.idx
        para = art.paragraph_of(pos)
        gender = "m" if head.lower_ in MALE_PRONOUNS else "f" if head.lower_ in FEMALE_PRONOUNS else None

        def fits(person: _Person) -> bool:
            # a first name says more than the surname's gender ("Melania Trump" where "Mr. Trump" is a man)
            own = first_name_gender(person.name) or person.gender
            return not (gender and own and own != gender)

        def too_far(at: int) -> bool:
            return para - art.paragraph_of(at) > self.max_pronoun_distance

        spoke = index.history.latest_before(pos, fits, too_far)
        named = index.layer.subjects.latest_before(pos, fits, too_far)
        best = spoke if named is None or (spoke is not None and spoke[0] >= named[0]) else named
        if best is not None and best is named and self.main_clause_salience and best[0] in index.layer.embedded:
            best = self._main_clause_subject(art, best, fits, index) or best
        return best[1] if best is not None else None

    def _main_clause_subject(
        self, art: Article, embedded: tuple[int, _Person], fits: Callable[[_Person], bool], index: _Index
    ) -> tuple[int, _Person] | None:
        """ "Axelrod said the race helped Clinton, who need not prove herself as Obama did. 'She has ...,' he
        said": the speaker or main-clause subject earlier in the sentence of an embedded subject outranks it."""
        tok = art.token_at(embedded[0])
        if tok is None:
            return None
        start = tok.sent.start_char

        def outside(at: int) -> bool:
            return at < start

        spoke = index.history.latest_before(embedded[0], fits, outside)
        pos = embedded[0]
        named = index.layer.subjects.latest_before(pos, fits, outside)
        while named is not None and named[0] in index.layer.embedded:
            named = index.layer.subjects.latest_before(named[0], fits, outside)
        found = [c for c in (spoke, named) if c is not None]
        return max(found, key=lambda c: c[0]) if found else None

    def _named_org(self, art: Article, mention: Span, head: Token, index: _Index) -> str | None:
        """A generic noun ("the agency said") stands for the organisation the article named just before."""
        if mention[0].lower_ != "the" or len(mention) > 4 or head.tag_ in ("NNS", "NNPS"):
            return None
        noun = head.lower_
        ends, ents = index.orgs_by_word.get(noun, ([], []))
        k = bisect_right(ends, mention.start_char)
        if k:  # the latest ORG before the mention with this noun in its name
            return _STRIP_EDGE.sub("", ents[k - 1].text).strip()
        if head.lemma_.lower() in ("campaign", "camp"):
            # "the campaign": the campaign of the person the passage is about, else the one named last
            person = self._recent(art, head, index)
            if person is not None:
                return f"{index.layer.canonical(person.name)} campaign"
        owned = index.layer.latest_owned(head.lemma_.lower(), head.idx)
        if owned:  # "the poll" after "the AP-GfK poll"
            return owned
        if noun in MEDIA_NOUNS:
            # "the paper": the last news outlet named within a few paragraphs
            para = art.paragraph_of(head.idx)
            k = bisect_right(index.org_ends, mention.start_char)
            while k > 0 and para - art.paragraph_of(index.orgs[k - 1].start_char) <= self.max_pronoun_distance:
                org = index.orgs[k - 1]
                if any(w.lower_ in MEDIA_NAME_WORDS for w in org):
                    return _STRIP_EDGE.sub("", org.text).strip()
                k -= 1
        if noun in GENERIC_ORG_NOUNS or noun in MEDIA_NOUNS:
            k = bisect_right(index.org_ends, mention.start_char)
            last = index.orgs[k - 1] if k else None
            # "NextGen Climate ... will air an ad on the Fox Business network. The group is also ...": the
            # organisation the previous sentence is about, not one named in passing after it
            if last is not None and last.root.dep_ not in ("nsubj", "nsubjpass"):
                prev = art.doc[head.sent.start - 1].sent if head.sent.start > 0 else None
                subject = next(
                    (o for o in reversed(index.orgs[:k]) if o.root.dep_ in ("nsubj", "nsubjpass")
                     and prev is not None and o.start >= prev.start and o.end <= head.sent.start),
                    None,
                )  # fmt: skip
                last = subject or last
            reach = 1 if noun in GENERIC_ORG_NOUNS else self.max_pronoun_distance
            # "the rights group" is not the U.N. named before it: a noun modifier must be in the organisation's name
            # (adjectives need not: "the environmental group" after the Sierra Club)
            modifiers = {t.lower_ for t in mention if t.i < head.i and t.dep_ == "compound" and t.is_alpha}
            if (
                last is not None
                and art.paragraph_of(head.idx) - art.paragraph_of(last.start_char) <= reach
                and modifiers <= {t.lower_ for t in last}
            ):
                return _STRIP_EDGE.sub("", last.text).strip()
        return None
