"""The people an article names, indexed once so that resolving each speaker takes time independent of the
article's length.

Resolution used to scan every person (and every earlier speaker) for every quote, which made extraction
time grow with the square of the article's length. These indexes return exactly what those scans
returned, ties included (the first in text order wins, as `max`/`min` over the list did).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from dataclasses import dataclass

from stance.extract.lexicon import FEMALE_NAMES, MALE_NAMES

FIRST_NAMES = MALE_NAMES | FEMALE_NAMES
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


@dataclass
class Person:
    name: str
    start: int  # character offset where the article names this person
    role: str | None
    gender: str | None = None  # "m", "f" or None when the article does not say


def surname_key(name: str) -> str:
    """The last word of a name, lower-cased, with curly apostrophes straightened (O’Neill == O'Neill)."""
    words = name.replace("’", "'").split()
    while len(words) > 1 and words[-1].lower().strip(".,") in _SUFFIXES:
        words = words[:-1]  # "C. Stewart Verdery Jr." is Mr. Verdery
    return words[-1].lower().strip(".,") if words else ""


def first_name_gender(name: str) -> str | None:
    words = name.split()
    if len(words) < 2:
        return None
    first = words[0].lower()
    return "m" if first in MALE_NAMES else "f" if first in FEMALE_NAMES else None


def _first_max(items: list[Person], key: Callable[[Person], tuple]) -> list[Person]:
    """best[k] = max(items[: k + 1], key=key): the first maximal one, as the builtin returns."""
    best: list[Person] = []
    for p in items:
        best.append(p if not best or key(p) > key(best[-1]) else best[-1])
    return best


@dataclass
class _Group:
    """What `fullest` needs for one surname and one kind of query (a lone surname or a longer name)."""

    full: list[Person]
    full_starts: list[int]
    best_earlier: list[Person]  # best_earlier[k]: the choice among full[: k + 1]
    longest: Person | None  # the fallback when the article gives no full name


@dataclass
class _Namesakes:
    """Full names sharing first word and surname, the longest ones only, for the nearest-mention query."""

    top: list[Person]
    starts: list[int]


class People(list):
    """The article's people in text order (a list of `Person`), with lookups by surname, name and role."""

    def __init__(self, people: list[Person]):
        super().__init__(people)
        self.by_surname: dict[str, list[Person]] = {}
        self.full_by_first: dict[str, list[Person]] = {}  # full names by their first word (family name first)
        self.last_by_name: dict[str, Person] = {}
        self.role_by_name: dict[str, str] = {}
        self.starts = {p.start for p in self}
        for p in self:
            words = p.name.split()
            self.by_surname.setdefault(surname_key(p.name), []).append(p)
            if len(words) > 1:
                self.full_by_first.setdefault(words[0].lower(), []).append(p)
            self.last_by_name[p.name] = p
            if p.role and p.name not in self.role_by_name:
                self.role_by_name[p.name] = p.role
        # "Melba Acosta Febo" is "Ms. Acosta": a full name of three or more words also answers to its next-to-last
        # word (a first family name, a maiden name), unless someone in the article has that word as surname
        for p in list(self):
            words = p.name.replace("’", "'").split()
            if len(words) < 3:
                continue
            alias = words[-2].strip(".,")
            key = alias.lower()
            if len(alias) > 2 and alias[0].isupper() and alias.isalpha() and key not in _SUFFIXES:
                others = [q for q in self.by_surname.get(key, []) if len(q.name.split()) > 1 and q is not p]
                if not any(surname_key(q.name) == key for q in others):
                    self.by_surname.setdefault(key, []).append(p)
        self._roles: dict[str, tuple[list[int], list[Person]]] | None = None
        self._groups: dict[tuple[str, bool], _Group] = {}
        self._namesakes: dict[tuple[str, str], _Namesakes] = {}

    def gender_of_surname(self, name: str) -> str | None:
        """The gender recorded on the first person with this name's surname (None if there is none)."""
        same = self.by_surname.get(surname_key(name))
        return same[0].gender if same else None

    # ------------------------------------------------------------------ fullest name
    def fullest(self, name: str, before: int) -> Person | None:
        """The fullest name for the same person: the nearest mention with the same first name, else the
        earlier full name the article uses most (then the first introduced), else the first later one, else the
        longest. Only earlier full names count, since two people may share a surname (Bill and Hillary Clinton)."""
        key = surname_key(name)
        if not key or key not in self.by_surname:
            return None
        words = name.split()
        if len(words) > 1:
            nearest = self._nearest_namesake(key, words[0].lower(), before)
            if nearest is not None:
                return nearest
        group = self._group(key, len(words) == 1)
        k = bisect_right(group.full_starts, before)
        if k:
            return group.best_earlier[k - 1]
        if group.full:
            return group.full[0]
        return group.longest

    def _nearest_namesake(self, key: str, first: str, before: int) -> Person | None:
        found = self._namesakes.get((key, first))
        if found is None:
            matching = [
                p for p in self.by_surname[key] if p.name.split()[0].lower() == first and len(p.name.split()) > 1
            ]
            most = max((len(p.name.split()) for p in matching), default=0)
            top = [p for p in matching if len(p.name.split()) == most]
            found = self._namesakes[(key, first)] = _Namesakes(top, [p.start for p in top])
        if not found.top:
            return None
        # the closest mention to `before`; at equal distance the earlier one (max() keeps the first it sees)
        i = bisect_right(found.starts, before)
        left = found.top[bisect_left(found.starts, found.starts[i - 1])] if i else None
        right = found.top[i] if i < len(found.top) else None
        if left is None:
            return right
        if right is None or before - left.start <= right.start - before:
            return left
        return right

    def _group(self, key: str, lone: bool) -> _Group:
        group = self._groups.get((key, lone))
        if group is not None:
            return group
        same = self.by_surname[key]
        full = [p for p in same if len(p.name.split()) > 1]
        if lone and full:
            # "Mr. Obama" is not "the first lady, Michelle Obama": drop full names whose first name contradicts
            # the gender the article gives the surname
            gender = next((p.gender for p in same if p.gender), None)
            fitting = [p for p in full if first_name_gender(p.name) in (None, gender)]
            if gender:
                full = fitting
                same = [p for p in same if len(p.name.split()) == 1] + fitting
        if not full:
            # family name first ("Mr. Ban" for Ban Ki-moon)
            full = list(self.full_by_first.get(key, [])) if key not in FIRST_NAMES else []
            same = same + full
        counts: dict[str, int] = {}
        for p in same:
            counts[p.name] = counts.get(p.name, 0) + 1
        # two people with one surname: the one the article names more often in full, then the one it introduced
        # first (news style names the second namesake in full, "his father, Rafael Cruz", and the first by surname)
        best = _first_max(full, key=lambda p: counts[p.name])
        longest = max(same, key=lambda p: len(p.name)) if same else None
        group = self._groups[(key, lone)] = _Group(full, [p.start for p in full], best, longest)
        return group

    # ------------------------------------------------------------------ roles
    def by_role(self, key: str, pos: int, role_key: Callable[[str], str | None]) -> Person | None:
        """The last person before `pos` introduced with a role of this kind ("the senator")."""
        if self._roles is None:
            self._roles = {}
            for p in self:
                if not p.role:
                    continue
                for k in {role_key(w) for w in re.findall(r"[\w.]+", p.role)} - {None}:
                    starts, people = self._roles.setdefault(k, ([], []))  # type: ignore[arg-type]
                    starts.append(p.start)
                    people.append(p)
        starts, people = self._roles.get(key, ([], []))
        i = bisect_left(starts, pos)
        if not i:
            return None
        return people[bisect_left(starts, starts[i - 1])]


class Mentions:
    """(character offset, person) pairs sorted by offset; at one offset, the one added first comes first."""

    def __init__(self, pairs: list[tuple[int, Person]] | None = None):
        self._keys: list[tuple[int, int]] = []
        self._people: list[Person] = []
        for at, person in pairs or []:
            self.add(at, person)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, at: int, person: Person) -> None:
        key = (at, len(self._keys))
        i = bisect_right(self._keys, key)
        insort(self._keys, key)
        self._people.insert(i, person)

    def latest_before(
        self, pos: int, fits: Callable[[Person], bool], too_far: Callable[[int], bool]
    ) -> tuple[int, Person] | None:
        """The latest pair before `pos` whose person `fits`, walking back only until `too_far(offset)`."""
        i = bisect_left(self._keys, (pos, -1)) - 1
        while i >= 0:
            at = self._keys[i][0]
            if too_far(at):
                return None
            if fits(self._people[i]):
                found = i
                while i > 0 and self._keys[i - 1][0] == at:
                    i -= 1
                    if fits(self._people[i]):
                        found = i
                return at, self._people[found]
            i -= 1
        return None
