"""One speaker per person across a corpus: the names each article resolved, merged into one speaker table.

Extraction resolves a speaker within its article ("Kessler" -> "Ann M. Kessler" when the article names her
in full). Across articles the same person is written differently ("Ann M. Kessler", "Ann Kessler",
"Sen. Kessler") and different people share names ("John Smith", "Jane Smith"). The merge, in order:

1. Persons with a first and a last name merge when the names are compatible (`names.compatible`): same
   surname, same first name (nicknames mapped: Bill = William), middle names or initials that agree part
   for part when both give them, the same suffix (Jr. / Sr. / III; none on both). Names are taken from the
   fullest first, so a name that fits two people ("George Bush" beside "George W." and "George H. W.") is
   not merged into either: it stays its own entry, marked `ambiguous`.
2. A surname alone ("Kessler", "Sen. Kessler") joins the full name its own article gives with that surname;
   else (`surnames: unique`) the one person in the corpus with that surname. With several, titles and roles
   ("Sen.", "the governor") and gender ("Mrs.") pick one when exactly one fits (`evidence: true`); otherwise
   all such mentions of that surname share one `ambiguous` entry ("Bush"), never one of the namesakes.
3. Organisations, documents and other speakers merge by normalised name (case, accents, "the", dots).
   A name with no capital letter ("the agency", "officials") names no one in particular: with
   `generic: article` it is one speaker per article.
Types never mix: a person "Ford" and the organisation "Ford" are two speakers.

Memory grows with the distinct (speaker, article) pairs, not with the number of quotes.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from stance.extract.names import PARTICLES, PersonName, compatible, fold, is_generic, org_key, parse_person, role_words

log = logging.getLogger(__name__)

UNKNOWN = "unknown"
TABLE_COLUMNS = [
    "speaker_id",
    "canonical_name",
    "speaker_type",
    "aliases",
    "roles",
    "articles",
    "quotes",
    "ambiguous",
    "article",
]
ObsKey = tuple[str, str, str]  # (speaker as written, speaker_type, article_id)


def text_or_none(value: Any) -> str | None:
    """A cell as text; None for null, NaN and blank (a CSV file writes null as an empty cell)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value)
    return text if text.strip() else None


def obs_key(article_id: Any, speaker: Any, speaker_type: Any) -> ObsKey | None:
    """The key a quote's speaker is looked up by; None when the quote has no speaker."""
    name = text_or_none(speaker)
    if name is None:
        return None
    return (name, text_or_none(speaker_type) or UNKNOWN, str(text_or_none(article_id) or ""))


@dataclass
class _Obs:
    """One speaker name as one article wrote it, with what its quotes say about it."""

    name: str
    kind: str
    article: str
    quotes: int = 0
    roles: Counter = field(default_factory=Counter)
    mentions: Counter = field(default_factory=Counter)
    parsed: PersonName | None = None

    def role_words(self) -> set[str]:
        words = set(self.parsed.roles) if self.parsed else set()
        for text in list(self.roles) + list(self.mentions):
            words |= role_words(text)
        if self.parsed is not None:
            for mention in self.mentions:
                parsed = parse_person(mention)
                if parsed is not None:
                    words |= parsed.roles
        return words

    def gender(self) -> str | None:
        genders = {self.parsed.gender} if self.parsed and self.parsed.gender else set()
        for mention in self.mentions:
            parsed = parse_person(mention)
            if parsed is not None and parsed.gender:
                genders.add(parsed.gender)
        return genders.pop() if len(genders) == 1 else None


@dataclass
class _Cluster:
    """One speaker of the table: the observations merged into it."""

    kind: str
    rep: PersonName | None = None  # persons: the fullest name, which later names are compared with
    members: list[_Obs] = field(default_factory=list)
    ambiguous: bool = False
    scope: str = ""  # article id for a generic name kept per article
    key: str = ""  # what the id is derived from, besides type and scope
    _roles: set[str] = field(default_factory=set)
    _genders: set[str] = field(default_factory=set)

    def add(self, obs: _Obs) -> None:
        self.members.append(obs)
        if self.kind == "person":
            self._roles |= obs.role_words()
            g = obs.gender()
            if g:
                self._genders.add(g)

    def role_words(self) -> set[str]:
        return self._roles

    def gender(self) -> str | None:
        return next(iter(self._genders)) if len(self._genders) == 1 else None


class SpeakerMerger:
    """The merge strategy (config node `extract.speaker_table`); see the module docstring for the rules.

    nicknames: map common short first names (Bill -> William) before comparing.
    surnames: "unique" attaches a surname alone to the one person in the corpus with it; "never" keeps
        surnames alone apart (still joined to a full name in their own article).
    evidence: titles, roles and gender pick one of several namesakes when exactly one fits.
    generic: "article" keeps a name without capitals ("the agency") apart per article; "corpus" merges it.
    suffixes: "distinguish": "Donald Trump Jr." never merges with a name without "Jr."; "optional": it does when
        nothing else differs ("Joseph R. Biden Jr." = "Joe Biden", but also "Donald Trump Jr." = "Donald Trump").
    """

    def __init__(
        self,
        nicknames: bool = True,
        surnames: str = "unique",
        evidence: bool = True,
        generic: str = "article",
        suffixes: str = "distinguish",
    ):
        if suffixes not in ("distinguish", "optional"):
            raise ValueError(f"extract.speaker_table.suffixes must be 'distinguish' or 'optional', got '{suffixes}'")
        self.optional_suffix = suffixes == "optional"
        if surnames not in ("unique", "never"):
            raise ValueError(f"extract.speaker_table.surnames must be 'unique' or 'never', got '{surnames}'")
        if generic not in ("article", "corpus"):
            raise ValueError(f"extract.speaker_table.generic must be 'article' or 'corpus', got '{generic}'")
        for name, value in (("nicknames", nicknames), ("evidence", evidence)):
            if not isinstance(value, bool):
                raise ValueError(f"extract.speaker_table.{name} must be true or false, got {value!r}")
        self.nicknames, self.surnames, self.evidence, self.generic = nicknames, surnames, evidence, generic

    def _narrow(self, cands: list[_Cluster], obs: list[_Obs]) -> list[_Cluster]:
        """The one candidate the roles/titles (then the gender) fit, or all of them when that does not decide."""
        if not self.evidence or len(cands) < 2:
            return cands
        roles = set().union(*(o.role_words() for o in obs))
        if roles:
            hit = [c for c in cands if c.role_words() & roles]
            if len(hit) == 1:
                return hit
        genders = {g for g in (o.gender() for o in obs) if g}
        if len(genders) == 1:
            hit = [c for c in cands if c.gender() == next(iter(genders))]
            if len(hit) == 1:
                return hit
        return cands

    def merge(self, observations: Iterable[_Obs]) -> list[_Cluster]:
        """Clusters of observations, one per speaker, in a deterministic order."""
        clusters: list[_Cluster] = []
        named: dict[tuple[str, str, str], _Cluster] = {}  # (kind, key, scope) -> cluster, for non-persons
        full: dict[str, list[_Obs]] = {}  # person name key -> its observations
        partial: list[_Obs] = []
        for obs in sorted(observations, key=lambda o: (o.kind, o.name, o.article)):
            generic = is_generic(obs.name, person=obs.kind == "person")
            if obs.kind == "person" and not generic:
                obs.parsed = parse_person(obs.name, self.nicknames)
            if obs.parsed is None:
                scope = obs.article if generic and self.generic == "article" else ""
                key = org_key(obs.name) or fold(obs.name)
                cluster = named.get((obs.kind, key, scope))
                if cluster is None:
                    cluster = named[(obs.kind, key, scope)] = _Cluster(obs.kind, scope=scope, key=key)
                    clusters.append(cluster)
                cluster.add(obs)
            elif obs.parsed.partial:
                partial.append(obs)
            else:
                full.setdefault(obs.parsed.key, []).append(obs)
        persons = self._merge_full(full)
        clusters += persons
        clusters += self._attach_partial(partial, persons)
        return clusters

    def _merge_full(self, full: dict[str, list[_Obs]]) -> list[_Cluster]:
        """Full names, fullest first: each joins the one compatible person, or starts one (ambiguous if several)."""
        clusters: list[_Cluster] = []
        by_last: dict[str, list[_Cluster]] = {}

        def order(key: str) -> tuple:
            spec = full[key][0].parsed.specificity  # type: ignore[union-attr]
            return tuple(-x for x in spec) + (-sum(o.quotes for o in full[key]), key)

        for key in sorted(full, key=order):
            obs = full[key]
            name = obs[0].parsed
            assert name is not None
            people = by_last.setdefault(name.last, [])
            cands = self._narrow(
                [c for c in people if not c.ambiguous and compatible(name, c.rep, self.optional_suffix)], obs
            )
            if len(cands) == 1:
                cluster = cands[0]
            else:
                cluster = _Cluster("person", rep=name, ambiguous=len(cands) > 1, key=name.key)
                people.append(cluster)
                clusters.append(cluster)
            for o in obs:
                cluster.add(o)
        return clusters

    def _attach_partial(self, partial: list[_Obs], persons: list[_Cluster]) -> list[_Cluster]:
        """Surnames alone: to the full name their article gives, else the one person with that surname."""
        people: dict[str, list[_Cluster]] = {}
        in_article: dict[tuple[str, str], set[int]] = {}  # (article, surname) -> indexes of persons named there
        for n, cluster in enumerate(persons):
            if not cluster.ambiguous:  # an ambiguous name is one of the others, not one more person
                people.setdefault(cluster.rep.last, []).append(cluster)  # type: ignore[union-attr]
            for o in cluster.members:
                in_article.setdefault((o.article, cluster.rep.last), set()).add(n)  # type: ignore[union-attr]
        leftovers: dict[str, _Cluster] = {}
        for obs in partial:
            last = obs.parsed.last  # type: ignore[union-attr]
            local = in_article.get((obs.article, last), set())
            if len(local) == 1:
                persons[next(iter(local))].add(obs)
                continue
            cands = people.get(last, []) if self.surnames == "unique" else []
            cands = self._narrow(cands, [obs])
            if len(cands) == 1:
                cands[0].add(obs)
                continue
            cluster = leftovers.get(last)
            if cluster is None:
                ambiguous = len(people.get(last, [])) > 1
                cluster = leftovers[last] = _Cluster("person", rep=obs.parsed, ambiguous=ambiguous, key="~" + last)
            cluster.add(obs)
        return list(leftovers.values())


DEFAULT_MERGER = {"_target_": "stance.extract.speaker_merge.SpeakerMerger"}


_THE = re.compile(r"^the\s+(?=\S)", re.IGNORECASE)
_EDGES = re.compile(
    r"^[\"'“”‘’<>]+|[,;:\"'“”‘’<>]+$"
)  # stray marks an article's markup left around a name: '">Sanders'


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:40].rstrip("-") or "speaker"


def _name_like(mention: str) -> bool:
    """A mention that is a way of writing the name ("Sen. Kessler"), not a phrase around it ("Kessler, the mayor")."""
    words = mention.split()
    return bool(words) and all(w[0].isupper() or w.lower() in PARTICLES for w in words) and "," not in mention


def _most_common(counter: Counter) -> list[str]:
    return [name for name, _ in sorted(counter.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))]


def _canonical(cluster: _Cluster) -> str:
    """The full name written most often (ties: the fuller, then alphabetical); for others the commonest form."""
    forms: Counter = Counter()
    for o in cluster.members:
        if o.parsed is not None and o.parsed.first and not o.parsed.first_initial:
            forms[o.parsed.display] += o.quotes
    if not forms:
        for o in cluster.members:
            name = o.parsed.display if o.parsed is not None else _THE.sub("", " ".join(o.name.split()))
            forms[_EDGES.sub("", name) or name] += o.quotes
    return _most_common(forms)[0]


class SpeakerTable:
    """The merged speakers: one row each, and the speaker_id of every (speaker, type, article) seen."""

    def __init__(self, clusters: list[_Cluster]):
        self.rows: list[dict[str, Any]] = []
        self._ids: dict[ObsKey, str] = {}
        taken: set[str] = set()
        for cluster in sorted(clusters, key=lambda c: (c.kind, c.key, c.scope, c.members[0].name)):
            name = _canonical(cluster)
            key = cluster.key or fold(name)
            digest = hashlib.sha1(f"{cluster.kind}\x1f{key}\x1f{cluster.scope}".encode()).hexdigest()
            speaker_id = f"{_slug(name)}-{digest[:10]}"
            n = 1
            while speaker_id in taken:  # two speakers that read the same (never seen; kept distinct anyway)
                n += 1
                speaker_id = f"{_slug(name)}-{digest[:10]}-{n}"
            taken.add(speaker_id)
            aliases: Counter = Counter()
            roles: Counter = Counter()
            for o in cluster.members:
                self._ids[(o.name, o.kind, o.article)] = speaker_id
                aliases[" ".join(o.name.split())] += o.quotes
                roles.update({" ".join(r.split()): c for r, c in o.roles.items()})
                if o.parsed is not None:
                    last = o.parsed.last
                    for mention, c in o.mentions.items():
                        if _name_like(mention) and last in fold(mention).replace("’", "'").replace("'", "").split():
                            aliases[" ".join(mention.split())] += c
            self.rows.append(
                {
                    "speaker_id": speaker_id,
                    "canonical_name": name,
                    "speaker_type": cluster.kind,
                    "aliases": "; ".join(_most_common(aliases)),
                    "roles": "; ".join(_most_common(roles)),
                    "articles": len({o.article for o in cluster.members}),
                    "quotes": sum(o.quotes for o in cluster.members),
                    "ambiguous": cluster.ambiguous,
                    "article": cluster.scope,
                }
            )
        self.rows.sort(key=lambda r: (-r["quotes"], r["canonical_name"], r["speaker_id"]))
        self.by_id = {r["speaker_id"]: r for r in self.rows}

    def speaker_id(self, article_id: Any, speaker: Any, speaker_type: Any) -> str | None:
        """The speaker_id of a quote's speaker; None when the quote has none."""
        key = obs_key(article_id, speaker, speaker_type)
        return None if key is None else self._ids[key]

    def __len__(self) -> int:
        return len(self.rows)


class SpeakerIndex:
    """Collects what the quotes say about their speakers (one pass, any order), then builds the table."""

    def __init__(self) -> None:
        self._obs: dict[ObsKey, _Obs] = {}
        self.quotes = 0
        self.with_speaker = 0

    def observe(self, article_id: Any, speaker: Any, speaker_type: Any, mention: Any = None, role: Any = None) -> None:
        self.quotes += 1
        key = obs_key(article_id, speaker, speaker_type)
        if key is None:
            return
        self.with_speaker += 1
        obs = self._obs.get(key)
        if obs is None:
            obs = self._obs[key] = _Obs(*key)
        obs.quotes += 1
        role_text, mention_text = text_or_none(role), text_or_none(mention)
        if role_text:
            obs.roles[role_text] += 1
        if mention_text:
            obs.mentions[mention_text] += 1

    def build(self, merger: SpeakerMerger) -> SpeakerTable:
        table = SpeakerTable(merger.merge(self._obs.values()))
        log.info("%d speaker names in %d quotes merged into %d speakers", len(self._obs), self.with_speaker, len(table))
        return table
