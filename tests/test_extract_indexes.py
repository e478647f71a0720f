"""The per-article indexes that made extraction linear return exactly what the old whole-list scans returned.

Each reference function below is the scan the extractor used before (kept here as the oracle); hypothesis
draws people lists with shared surnames, equal offsets and genders, where ties decide the answer.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from stance.extract.lexicon import FEMALE_NAMES, MALE_NAMES
from stance.extract.people import Mentions, People, Person, first_name_gender, surname_key
from stance.extract.rules import _Ranges
from stance.extract.speakers import role_key


def fullest_scan(name: str, people: list[Person], before: int) -> Person | None:
    """The old `EntityAttributor._fullest`: a scan over every person for every query."""
    key = surname_key(name)
    if not key:
        return None
    same = [p for p in people if surname_key(p.name) == key]
    if not same:
        return None
    words = name.split()
    if len(words) > 1:
        first = words[0].lower()
        matching = [p for p in same if p.name.split()[0].lower() == first and len(p.name.split()) > 1]
        if matching:
            return max(matching, key=lambda p: (len(p.name.split()), -abs(p.start - before)))
    full = [p for p in same if len(p.name.split()) > 1]
    if len(words) == 1 and full:
        gender = next((p.gender for p in same if p.gender), None)
        fitting = [p for p in full if first_name_gender(p.name) in (None, gender)]
        if gender:
            full = fitting
            same = [p for p in same if len(p.name.split()) == 1] + fitting
    if not full:
        full = [
            p
            for p in people
            if len(p.name.split()) > 1 and p.name.split()[0].lower() == key and key not in MALE_NAMES | FEMALE_NAMES
        ]
        same = same + full
    earlier = [p for p in full if p.start <= before]
    if earlier:
        counts: dict[str, int] = {}
        for p in same:
            counts[p.name] = counts.get(p.name, 0) + 1
        return max(earlier, key=lambda p: (counts[p.name], -p.start))  # most named, then first introduced
    if full:
        return min(full, key=lambda p: p.start)
    return max(same, key=lambda p: len(p.name)) if same else None  # the old code raised on an empty list here


def by_role_scan(key: str, pos: int, people: list[Person]) -> Person | None:
    for person in sorted(people, key=lambda p: p.start, reverse=True):
        if person.start >= pos or not person.role:
            continue
        if any(role_key(w) == key for w in re.findall(r"[\w.]+", person.role)):
            return person
    return None


def recent_scan(pos: int, pairs: list[tuple[int, Person]], gender: str | None) -> tuple[int, Person] | None:
    best = None
    for at, person in pairs:
        if at >= pos or (best is not None and at <= best[0]):
            continue
        if gender and person.gender and person.gender != gender:
            continue
        best = (at, person)
    return best


_NAMES = st.sampled_from(
    ["Obama", "Barack Obama", "Michelle Obama", "Mr. Obama", "Ban", "Ban Ki-moon", "Hillary Clinton", "Bill Clinton",
     "Clinton", "Jordan", "Michael Jordan", "Kim", "Kim Jong Un", "John Smith Jr.", "Smith", "Ann Smith", "."]
)  # fmt: skip
_ROLES = st.sampled_from([None, "Sen.", "spokesman", "a senator from Ohio", "Governor", "spokeswoman for the party"])
_PEOPLE = st.lists(st.tuples(_NAMES, st.integers(0, 60), _ROLES, st.sampled_from([None, "m", "f"])), max_size=14).map(
    lambda rows: sorted((Person(n, s, r, g) for n, s, r, g in rows), key=lambda p: p.start)
)


@settings(max_examples=150, deadline=None)
@given(_PEOPLE, _NAMES, st.integers(-5, 70))
def test_fullest_matches_the_scan(people, name, before):
    assert People(people).fullest(name, before) is fullest_scan(name, people, before)


@settings(max_examples=150, deadline=None)
@given(_PEOPLE, st.sampled_from(["senator", "spokesperson", "governor", "judge"]), st.integers(-5, 70))
def test_by_role_matches_the_scan(people, key, pos):
    assert People(people).by_role(key, pos, role_key) is by_role_scan(key, pos, people)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.sampled_from([None, "m", "f"])), max_size=12),
    st.lists(st.tuples(st.integers(0, 30), st.sampled_from([None, "m", "f"])), max_size=12, unique_by=lambda t: t[0]),
    st.integers(0, 35),
    st.sampled_from([None, "m", "f"]),
    st.integers(0, 35),
)
def test_latest_mention_matches_the_scan(spoken, subjects, pos, gender, horizon):
    """History (in the order speakers were resolved) before subjects (in text order), as the old list was."""
    history = [(at, Person(f"h{n}", at, None, g)) for n, (at, g) in enumerate(spoken)]
    named = [
        (at, Person(f"s{n}", at, None, g)) for n, (at, g) in enumerate(sorted(subjects, key=lambda t: t[0]))
    ]  # one per token
    expected = recent_scan(pos, history + named, gender)
    if expected is not None and expected[0] < horizon:
        expected = None  # the old code dropped a best match that was too far back

    def fits(p: Person) -> bool:
        return not (gender and p.gender and p.gender != gender)

    def too_far(at: int) -> bool:
        return at < horizon

    spoke = Mentions(history).latest_before(pos, fits, too_far)
    said = Mentions(named).latest_before(pos, fits, too_far)
    best = spoke if said is None or (spoke is not None and spoke[0] >= said[0]) else said
    assert (best[1] if best else None) is (expected[1] if expected else None)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 12)), max_size=20), st.integers(-5, 60), st.integers(0, 15)
)
def test_ranges_find_every_overlap_in_input_order(pairs, a, width):
    ranges = [(x, x + w) for x, w in pairs]
    b = a + width
    index = _Ranges(ranges)
    overlapping = [r for r in ranges if r[0] < b and r[1] > a]
    near = index.near(a, b)
    assert [r for r in near if r[0] < b and r[1] > a] == overlapping
    assert index.starting_in(a, b) == [r for r in ranges if a <= r[0] <= b]
