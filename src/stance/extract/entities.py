"""One article's entities: the people and organisations it names, each with its name variants, role and gender,
and the kind of thing a speaker mention that is not a name refers to.

Built once per article (time linear in its length) and queried by the attributor (`speakers.py`):

- people come from PERSON entities (and names the small model mislabels but introduces with a title or role);
  their roles from what the article writes with the name: a title or role before it ("Texas Rep. Joe Hart"),
  an apposition ("Joe Hart, the Democratic candidate,"; never an age: "Mr. Hart, 61") or a predicate
  ("Hart is the company's spokesman");
- name variants of one person form a cluster whose fullest form is the speaker's name: same surname and a
  compatible first name (equal, a nickname of it, or its initial: "Jim Hart", "J. Hart", "James R. Hart");
- subjects are the people a later "he"/"she" may refer back to (named as a clause's subject, in apposition,
  or with a "who" clause); pairs are two people named together as one subject ("Hart and Lee said"), what a
  later plural "they" refers to;
- `mention_kind` says what a mention that names no one is: a group ("economists", "many voters", "sixty
  percent of those asked"), an unnamed person ("a source close to the mayor"), a document or an organisation.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from stance.extract.base import Article
from stance.extract.lexicon import (
    DOCUMENT_NOUNS,
    EPITHET_NOUNS,
    FEMALE_NAMES,
    FEMALE_PRONOUNS,
    GROUP_NOUNS,
    HONORIFICS,
    MALE_NAMES,
    MALE_PRONOUNS,
    NICKNAMES,
    ORG_NOUNS,
    ROLE_NOUNS,
    STATE_ABBREVIATIONS,
    TITLES,
    UTTERANCE_NOUNS,
)
from stance.extract.people import FIRST_NAMES, Mentions, People, Person, surname_key

_ROLE_GROUPS = {
    "spokesman": "spokesperson", "spokeswoman": "spokesperson", "spokesperson": "spokesperson",
    "sen": "senator", "senator": "senator", "rep": "representative", "representative": "representative",
    "congressman": "representative", "congresswoman": "representative", "gov": "governor", "governor": "governor",
    "gen": "general", "general": "general", "rev": "reverend", "reverend": "reverend",
}  # fmt: skip
_HONORIFIC_GENDER = {k: (0 if v == "m" else 1) for k, v in HONORIFICS.items()}
_QUANTITY_HEADS = {"percent", "%", "majority", "minority", "half", "third", "quarter", "most", "many", "some", "few"}
_QUANTITY_HEADS |= {"several", "all", "others", "both", "dozens", "hundreds", "thousands", "millions", "number"}
SAID_NOUNS = DOCUMENT_NOUNS | UTTERANCE_NOUNS  # a document or utterance speaks for its author
_AGE = re.compile(r"^\(?\d{1,3}\)?$")
_PARTY_STATE = re.compile(r"\b[RDI]-([A-Z][A-Za-z.]{1,5})")


def role_word(word: str) -> str | None:
    """`role_key`, or the word itself when it is an epithet ("investor", "columnist")."""
    key = role_key(word)
    if key is None and word.lower() in EPITHET_NOUNS:
        return word.lower()
    return key


def role_key(word: str) -> str | None:
    """The role a word names, with spelling variants folded ("Sen." and "senator"); None if it names none."""
    w = word.lower().rstrip(".")
    if w in _ROLE_GROUPS:
        return _ROLE_GROUPS[w]
    return w if (w in ROLE_NOUNS or w + "." in ROLE_NOUNS) else None


def clean_name(span_text: str) -> str:
    """A person's name without titles, possessive 's or line breaks."""
    words = span_text.replace("\n", " ").split()
    while len(words) > 1 and (words[0].lower().rstrip(".") in TITLES or role_key(words[0])):
        words = words[1:]
    name = " ".join(words)
    return re.sub(r"['’]s$", "", name).strip(" ,")


# ---------------------------------------------------------------------------------------------- name variants
def _first_key(word: str) -> str:
    w = word.lower().strip(".")
    return NICKNAMES.get(w, w)


def same_first_name(a: str, b: str) -> bool:
    """Two first names of one person: equal, one a nickname of the other ("Jim", "James"), or an initial of it."""
    x, y = a.lower().strip("."), b.lower().strip(".")
    if not x or not y:
        return False
    if x == y or _first_key(x) == _first_key(y):
        return True
    return (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))


def _fullness(name: str) -> tuple[int, int, int]:
    """Fuller names first: more words, then written-out first names over initials, then longer."""
    words = name.split()
    return len(words), int(len(words[0].strip(".")) > 1), len(name)


@dataclass
class Cluster:
    """The name variants of one person; `name` is the fullest."""

    name: str
    aliases: list[str] = field(default_factory=list)


def name_clusters(people: People) -> dict[str, Cluster]:
    """Each full name (two words or more) mapped to its cluster: names with one surname and compatible first
    names. A first name compatible with two different people's ("J." with "James" and "John") joins neither."""
    by_surname: dict[str, list[str]] = {}
    for p in people:
        if len(p.name.split()) > 1 and p.name not in by_surname.setdefault(surname_key(p.name), []):
            by_surname[surname_key(p.name)].append(p.name)
    out: dict[str, Cluster] = {}
    for names in by_surname.values():
        for name in names:
            first = name.split()[0]
            mates = [n for n in names if same_first_name(first, n.split()[0])]
            # an initial matching two written-out first names that are not each other's variants is ambiguous
            written = {_first_key(n.split()[0]) for n in mates if len(n.split()[0].strip(".")) > 1}
            if len(written) > 1:
                mates = [n for n in mates if n.split()[0].lower() == first.lower()]
            best = max(mates, key=_fullness)
            out[name] = Cluster(best, sorted(set(mates), key=lambda n: names.index(n)))
    return out


# ---------------------------------------------------------------------------------------------- people
def is_person(ent: Span) -> bool:
    """PERSON, or a name the small model mislabels but the article introduces with a role or title."""
    if ent.label_ == "PERSON":
        return True
    if ent.label_ not in ("ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "LOC") or len(ent) > 4:
        return False
    if not all(t.pos_ == "PROPN" for t in ent):
        return False
    doc = ent.doc
    prev = doc[ent.start - 1] if ent.start > 0 else None
    if prev is not None and (role_key(prev.text) or prev.lower_.rstrip(".") in TITLES):
        return True
    first = ent[0].lower_.rstrip(".")
    return first in TITLES and first not in ("president",)


def _is_age(span: Span) -> bool:
    return all(t.like_num or t.is_punct for t in span) or bool(_AGE.match(span.text.strip()))


def role_of(ent: Span) -> str | None:
    """The role the article gives with a name: "Government spokesperson Phay Siphan", "X, a senator from Y"
    (an age in apposition, "Mr. Hart, 61", is not a role)."""
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
    if len(ent) > 1 and (first in TITLES or role_key(first)) and first not in ("mr", "mrs", "ms", "miss", "dr", "sir"):
        return ent[0].text
    for child in root.children:
        if child.dep_ == "appos" and child.i > root.i:
            span = doc[child.left_edge.i : child.right_edge.i + 1]
            if _is_age(span):
                continue
            words = [t for t in span if not t.is_punct]
            if words and len(words) <= 12 and words[0].dep_ == "det":
                words = words[1:]
            if words and len(words) <= 12 and not any(t.ent_type_ == "PERSON" for t in words):
                return doc[words[0].i : words[-1].i + 1].text
    return None


def _predicate_roles(art: Article) -> list[tuple[Token, str]]:
    """ "Hart is the company's spokesman": (the name's token, the role) for a person subject of "be" whose
    attribute is headed by a role noun."""
    out = []
    for tok in art.doc:
        if tok.dep_ != "attr" or tok.head.lemma_ != "be" or not role_key(tok.text):
            continue
        subj = next((c for c in tok.head.children if c.dep_ == "nsubj"), None)
        if subj is None or subj.ent_type_ != "PERSON":
            continue
        lo = next((t.i for t in tok.subtree if t.dep_ != "det"), tok.i)
        out.append((subj, art.doc[lo : tok.i + 1].text))
    return out


def _names_inside_other_entities(art: Article, people: list[Person]) -> list[Person]:
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
        out.append(Person(f"{tok.text} {nxt.text}", tok.idx, None))
    return out


def _genders(art: Article, people: list[Person]) -> dict[str, str]:
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
        if low in _HONORIFIC_GENDER and tok.i + 1 < len(doc):
            # "Mr. Trump", "Mrs. Hillary Clinton": the honorific names the gender of the next name
            j = tok.i + 1
            while j + 1 < len(doc) and doc[j + 1].pos_ == "PROPN" and doc[j + 1].is_title:
                j += 1
            key = doc[j].lower_.replace("’", "'")
            if key in surnames:
                votes[key][_HONORIFIC_GENDER[low]] += 5
        elif tok.dep_ in ("nsubj", "nsubjpass") and tok.pos_ == "PROPN":
            key = tok.lower_.replace("’", "'")
            if key not in surnames:
                continue
            for nxt in doc[tok.i + 1 : tok.sent.end]:
                if nxt.dep_ in ("dobj", "dative") and nxt.head.i == tok.head.i:
                    break  # "Smith scolded him": an object of the subject's own verb is someone else
                if nxt.lower_ in MALE_PRONOUNS:
                    votes[key][0] += 1
                    break
                if nxt.lower_ in FEMALE_PRONOUNS:
                    votes[key][1] += 1
                    break
                if nxt.pos_ == "PROPN" and nxt.ent_type_ == "PERSON":
                    break
    return {k: ("m" if m > f else "f") for k, (m, f) in votes.items() if m != f}


def _owned_noun(root: Token, end: int) -> Token | None:
    """The document or organisation noun a name owns: "the Clinton campaign", "a poll by Gallup", "The survey
    was conducted for AP and the networks by Edison Research" (the subject of the passive verb above "by")."""
    noun = root.head
    if root.dep_ in ("compound", "poss", "nmod", "amod") and noun.i >= end:
        pass
    elif root.dep_ == "pobj" and noun.lower_ in ("by", "from"):
        up = noun.head
        for _ in range(4):  # up through "networks" and "for" to "conducted"
            if up.pos_ == "VERB" or up.dep_ == "ROOT":
                break
            up = up.head
        if noun.head.pos_ == "NOUN" and noun.head.lemma_.lower() in SAID_NOUNS:
            noun = noun.head
        elif up.pos_ == "VERB" and noun.lower_ == "by":
            subj = next((c for c in up.children if c.dep_ == "nsubjpass"), None)
            if subj is None:
                return None
            noun = subj
        else:
            return None
    else:
        return None
    lemma = noun.lemma_.lower()
    if noun.pos_ != "NOUN" or (lemma not in SAID_NOUNS and lemma not in ORG_NOUNS):
        return None
    return noun


def _subject_like(tok: Token) -> bool:
    """A subject, or the head of a sentence (a headline, a fragment), or apposition to one."""
    while tok.dep_ == "appos" and tok.head is not tok:
        tok = tok.head
    return tok.dep_ in ("nsubj", "nsubjpass", "ROOT")


def _has_who_clause(tok: Token) -> bool:
    """ "with Jane Smith, who has called for ...": the name is the subject of its relative clause."""
    return any(
        child.dep_ == "relcl" and any(g.dep_ in ("nsubj", "nsubjpass") and g.lower_ == "who" for g in child.children)
        for child in tok.children
    )


_MAIN_CLAUSE = {"ROOT", "conj", "parataxis"}


def _embedded(tok: Token) -> bool:
    """A subject whose verb hangs below another clause ("Axelrod said X helped Clinton, ... that Obama did":
    Obama), not of the sentence's main clause ("Axelrod said") or of a clause joined to it ("..., and Cruz won")."""
    while tok.dep_ == "appos" and tok.head is not tok:
        tok = tok.head
    if tok.dep_ not in ("nsubj", "nsubjpass"):
        return False
    verb = tok.head
    while verb.dep_ == "conj" and verb.head is not verb:
        verb = verb.head
    return verb.dep_ not in _MAIN_CLAUSE


# ---------------------------------------------------------------------------------------------- the layer
@dataclass
class EntityLayer:
    """One article's people (with clusters, subjects and pairs) and organisations, for the attributor."""

    people: People
    clusters: dict[str, Cluster]
    subjects: Mentions
    pairs: list[tuple[int, str]] = field(default_factory=list)  # (offset, "A and B") named together as a subject
    orgs: list[Span] = field(default_factory=list)
    # noun lemma -> (offsets, names): "the Clinton campaign", "an AP-GfK poll", "a survey by Edison Research"
    owned: dict[str, tuple[list[int], list[str]]] = field(default_factory=dict)
    # role key -> [(offset, person, the words around the name, lower case)] for "the Vermont senator"
    roles: dict[str, list[tuple[int, Person, str]]] = field(default_factory=dict)
    # offsets of subjects inside a subordinate clause ("... to the extent that Obama did"): less salient than the
    # subject of the sentence's main clause for a later "he"
    embedded: set[int] = field(default_factory=set)
    skip_quoted: bool = True
    subject_appositions_only: bool = True

    @classmethod
    def build(cls, art: Article, predicates: bool = True, variants: bool = True, plurals: bool = True) -> EntityLayer:
        found = []
        for ent in art.ents:
            if not is_person(ent):
                continue
            name = clean_name(ent.text)
            if not name or not any(ch.isalpha() for ch in name):
                continue
            found.append(Person(name, ent.start_char, role_of(ent)))
        found.extend(_names_inside_other_entities(art, found))
        if predicates:
            known = {p.start: p for p in found}
            for subj, role in _predicate_roles(art):
                ent = next((e for e in art.ents_in(subj.sent) if e.start <= subj.i < e.end), None)
                person = known.get(ent.start_char) if ent is not None else None
                if person is not None and person.role is None:
                    person.role = role
        found.sort(key=lambda p: p.start)
        genders = _genders(art, found)
        for person in found:
            person.gender = genders.get(surname_key(person.name))
        people = People(found)
        clusters = name_clusters(people) if variants else {}
        layer = cls(people, clusters, Mentions(), [], [e for e in art.ents if e.label_ == "ORG"])
        layer._find_subjects(art, plurals)
        layer._find_owned(art)
        layer._find_roles(art)
        return layer

    def person_name(self, ent: Span) -> str:
        """The fullest name of the person an entity names."""
        name = clean_name(ent.text)
        full = self.people.fullest(name, ent.start_char)
        return self.canonical(full.name if full else name)

    def is_person_entity(self, ent: Span) -> bool:
        """PERSON, a name the layer took for a person, or a lone surname of one ("Lopez" tagged ORG)."""
        if ent.label_ == "PERSON" or ent.start_char in self.people.starts:
            return True
        return len(ent) == 1 and surname_key(ent.text) in self.people.by_surname

    def owner_name(self, ent: Span, noun: Token) -> str:
        """What "<ent> <noun>" names: a person's campaign by the person's fullest name ("Hillary Clinton
        campaign"), a document by its author or publisher, anything else as written ("Obama administration")."""
        lemma = noun.lemma_.lower()
        person = self.is_person_entity(ent)
        if lemma in SAID_NOUNS:
            if person:
                return self.person_name(ent)
            # "the Reuters/Ipsos poll": the whole proper name before the noun, not its first entity only
            end = ent.end
            while end < noun.i and (ent.doc[end].pos_ == "PROPN" or ent.doc[end].text in ("/", "-", "&")):
                end += 1
            return _strip_the(re.sub(r"['’]s$", "", ent.doc[ent.start : max(end, ent.end)].text))
        if lemma in ("campaign", "camp") and person:
            return f"{self.person_name(ent)} campaign"
        text = ent.text if ent.end > noun.i else ent.doc[ent.start : noun.i + 1].text
        return _strip_the(re.sub(r"['’]s(?=\s|$)", "", text))

    def _find_owned(self, art: Article) -> None:
        for ent in art.ents:
            if (
                ent.label_ not in ("PERSON", "ORG", "GPE", "NORP", "WORK_OF_ART")
                and ent.start_char not in self.people.starts
            ):
                continue
            noun = _owned_noun(ent.root, ent.end)
            if noun is None:
                continue
            lemma = noun.lemma_.lower()
            offsets, names = self.owned.setdefault("campaign" if lemma == "camp" else lemma, ([], []))
            k = bisect_right(offsets, noun.idx)
            offsets.insert(k, noun.idx)
            names.insert(k, self.owner_name(ent, noun))

    def latest_owned(self, lemma: str, pos: int) -> str | None:
        """The latest named "<name> <noun>" with this noun before `pos` ("the poll" after "an AP-GfK poll")."""
        offsets, names = self.owned.get("campaign" if lemma == "camp" else lemma, ([], []))
        k = bisect_right(offsets, pos - 1)
        return names[k - 1] if k else None

    def _find_roles(self, art: Article) -> None:
        doc = art.doc
        for p in self.people:
            tok = art.token_at(p.start)
            after = doc[tok.i : min(len(doc), tok.i + len(p.name.split()) + 6)].text if tok is not None else ""
            context = f"{p.role or ''} {after}".lower()
            # "Sen. Marco Rubio, R-Fla.": the state of a party-state tag, for "the Florida senator"
            for abbr in _PARTY_STATE.findall(after):
                state = STATE_ABBREVIATIONS.get(abbr.replace(".", "").lower())
                if state:
                    context += f" {state}"
            for key in {role_word(w) for w in re.findall(r"[\w.-]+", p.role or "")} - {None}:
                self.roles.setdefault(key, []).append((p.start, p, context))  # type: ignore[index]

    def by_role(self, key: str, pos: int, modifiers: list[str]) -> Person | None:
        """Of the people introduced before `pos` with this role whose role or neighbouring words include every
        modifier of the mention ("the Vermont senator": the senator "of Vermont"), the one mentioned last; None
        when none fits."""

        def who(person: Person) -> str:  # "Cruz" and "Ted Cruz" are one person
            return self.canonical((self.people.fullest(person.name, person.start) or person).name)

        fitting: dict[str, Person] = {}
        for start, person, context in self.roles.get(key, []):
            if start < pos and all(m in context for m in modifiers):
                fitting[who(person)] = person  # the latest introduction of each person
        if len(fitting) < 2:
            return next(iter(fitting.values()), None)
        # two senators: "the senator" is the one the text mentioned last, not the one introduced last
        for mention in reversed(self.people):
            if mention.start < pos and who(mention) in fitting:
                return fitting[who(mention)]
        return None

    def canonical(self, name: str) -> str:
        """The fullest variant of a full name ("Jim Hart" -> "James R. Hart"); the name itself otherwise."""
        cluster = self.clusters.get(name)
        return cluster.name if cluster is not None else name

    def aliases(self, name: str) -> list[str]:
        cluster = self.clusters.get(name)
        return list(cluster.aliases) if cluster is not None else [name]

    def _find_subjects(self, art: Article, plurals: bool) -> None:
        known = set(self.people.by_surname)
        for tok in art.doc:
            if tok.pos_ != "PROPN" or (self.skip_quoted and art.in_quote[tok.i] >= 0):
                continue  # a name inside a quotation is not what the narrative's next "he" refers to
            if tok.dep_ not in ("nsubj", "nsubjpass", "appos") and not _has_who_clause(tok):
                continue
            if self.subject_appositions_only and tok.dep_ == "appos" and not _subject_like(tok.head):
                continue  # "... by Ms. Malik and her husband, Syed Farook": named in passing, not the topic
            if tok.ent_type_ != "PERSON" and tok.lower_.replace("’", "'") not in known:
                continue
            start = tok.i
            while start > 0 and tok.doc[start].ent_iob_ == "I" and tok.doc[start - 1].ent_type_ == "PERSON":
                start -= 1  # "Melania Trump" as a whole, not the surname "Trump" that may be her husband's
            full = self.people.fullest(clean_name(tok.doc[start : tok.i + 1].text), tok.idx)
            if full is None:
                continue
            self.subjects.add(tok.idx, full)
            if _embedded(tok):
                self.embedded.add(tok.idx)
            if plurals and tok.dep_ in ("nsubj", "nsubjpass"):
                names = [full.name]
                for conj in tok.children:
                    if conj.dep_ == "conj" and conj.pos_ == "PROPN":
                        other = self.people.fullest(conj.text, conj.idx)
                        if other is not None and other.name not in names:
                            names.append(self.canonical(other.name))
                if len(names) > 1:
                    names[0] = self.canonical(names[0])
                    self.pairs.append((tok.idx, " and ".join(names)))


def _strip_the(text: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)


def is_epithet(head: Token) -> bool:
    """A noun that describes one person ("the investor", "the Vermont senator")."""
    return head.tag_ not in ("NNS", "NNPS") and (head.lower_ in EPITHET_NOUNS or role_key(head.text) is not None)


# ---------------------------------------------------------------------------------------------- mention kinds
def mention_kind(mention: Span, head: Token) -> str | None:
    """What a speaker mention names when it is not a person's name: "group" (a plural or a quantity of
    people: "economists", "Many first-time voters", "Sixty percent of those asked"), "document" ("surveys",
    "the report"), "organization" ("the agency") or "unnamed" (one person the article does not name: "a source
    close to the mayor"); None for anything else."""
    low = head.lower_
    lemma = head.lemma_.lower()
    if low in _QUANTITY_HEADS or head.like_num or head.pos_ == "NUM":
        return "group"
    if lemma in SAID_NOUNS or low in SAID_NOUNS:
        return "document"
    plural = head.tag_ in ("NNS", "NNPS")
    if lemma in ORG_NOUNS or low in ORG_NOUNS:
        return "group" if plural and low in GROUP_NOUNS else "organization"
    if head.pos_ == "NOUN" or (head.pos_ == "PROPN" and plural and head.ent_type_ == "NORP"):
        return "group" if plural or low in GROUP_NOUNS else "unnamed"
    if head.ent_type_ == "NORP":
        return "group"
    return None
