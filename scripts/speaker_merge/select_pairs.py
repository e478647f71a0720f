"""Propose cross-article mention pairs for the speaker merge set (deterministic: fixed seed, sorted input).

Reads the mention cache of candidates.py and writes /tmp/speaker_merge_selection.json: pairs of mention keys
("file:source_start") with a proposed kind. The labels are not taken from here: every mention of a selected
pair is resolved by a person reading its article (data/speaker_merge/resolved.tsv), and build_pairs.py
derives `same` from those resolutions.
Usage: python scripts/speaker_merge/select_pairs.py
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from candidates import CACHE  # noqa: E402
from resolve import guess_people  # noqa: E402

SEED = 2016
OUT = Path("/tmp/speaker_merge_selection.json")
CAP_PER_SURNAME = {"Clinton": 9, "Bush": 7, "Trump": 7, "Sanders": 3, "Cruz": 2}
N_SAME_PERSON = 62
N_SAME_FULL = 10
N_UNRELATED = 16
# Hard cases found while reading (bare "Trump" meaning Eric, "Mr. Bush" meaning George W., a hypothetical
# "President Clinton" meaning Hillary, nicknames); added after the sampled pairs and may reuse their mentions.
TARGETED = [
    (
        "wash-post_2016-07-13_eric-trump-s-not-so-sure-father-.txt:2405",
        "west-journal_2016-04-18_trump-s-son-says-the-battle-agai.txt:2127",
    ),
    (
        "wash-post_2016-07-13_eric-trump-s-not-so-sure-father-.txt:2752",
        "nyt_2015-12-31_trump-turns-attacks-on-another-c.txt:126",
    ),
    (
        "wash-post_2016-07-13_eric-trump-s-not-so-sure-father-.txt:1709",
        "nyt_2015-11-24_world-war-ii-haunts-our-terror-d.txt:3074",
    ),
    (
        "nyt_2016-02-17_jeb-bush-helped-by-george-goes-a.txt:1298",
        "usa-today_2015-12-07_gop-targets-clinton-s-foreign-po.txt:1989",
    ),
    (
        "nyt_2016-02-17_jeb-bush-helped-by-george-goes-a.txt:0",
        "nyt_2016-02-22_the-party-of-bush-yields-warily-.txt:730",
    ),
    (
        "wash-post_2015-11-08_all-eggs-in-n-h-and-iowa-baskets.txt:7450",
        "breitbart_2016-02-06_republican-presidential-candidat.txt:417",
    ),
    (
        "usa-today_2016-03-16_clinton-extends-her-lead-despite.txt:1234",
        "nyt_2016-08-22_foundation-and-donors-complicate.txt:1358",
    ),
    (
        "nyt_2016-05-18_clinton-hints-at-husband-s-job-r.txt:6935",
        "nyt_2016-08-22_foundation-and-donors-complicate.txt:1126",
    ),
    (
        "nyt_2016-08-22_foundation-and-donors-complicate.txt:10299",
        "nyt_2016-01-29_it-s-still-bill-but-old-magic-se.txt:1937",
    ),
    (
        "breitbart_2016-08-19_as-bill-clinton-turns-a-look-at-.txt:3159",
        "nyt_2015-11-18_paris-attacks-test-clinton-s-str.txt:338",
    ),
    (
        "politico_2016-02-19_q-a-with-vice-president-joe-bide.txt:9424",
        "nyt_2016-01-14_america-the-shiny-or-gloomy-obam.txt:2949",
    ),
    (
        "nyt_2016-08-17_biden-calls-trump-risk-to-u-s-sa.txt:134",
        "breitbart_2016-06-08_ready-to-back-clinton-obama-work.txt:1091",
    ),
    (
        "politico_2016-05-31_cruz-looks-to-ease-bad-blood-wit.txt:7617",
        "huff-post_2016-06-08_chuck-grassley-compares-trump-s-.txt:666",
    ),
    (
        "usa-today_2016-01-15_republicans-pile-on-obama-clinto.txt:2267",
        "wash-post_2015-11-13_cruz-rubio-take-off-the-kid-glov.txt:1635",
    ),
    (
        "nyt_2016-05-18_clinton-hints-at-husband-s-job-r.txt:4643",
        "nyt_2016-08-22_foundation-and-donors-complicate.txt:6191",
    ),
]


GROUP_WORDS = {
    "News",
    "Watch",
    "Group",
    "Radio",
    "Democrats",
    "Republicans",
    "Americans",
    "Christians",
    "Campaign",
    "Pollster",
    "Court",
    "House",
    "Journalism",
    "Matter",
    "Times",
    "Post",
    "Party",
    "Department",
    "Committee",
    "Institute",
}


def person_like(r: dict) -> bool:
    """One person named by name: no lists ("Obama, Biden"), no organisations or groups, a resolvable guess."""
    return "," not in r["mention"] and r["name"][-1] not in GROUP_WORDS and not r["name"][-1].endswith("s’")


def key(r: dict) -> str:
    return f"{r['file']}:{r['source_start']}"


def main() -> None:
    rng = random.Random(SEED)
    rows = json.loads(CACHE.read_text(encoding="utf-8"))
    rows = [r for r in rows if person_like(r)]
    for r in rows:
        r["people"] = guess_people(r["name"], r["full_forms"])
    sure = [r for r in rows if len(r["people"]) == 1]
    by_person: dict[str, list[dict]] = defaultdict(list)
    for r in sure:
        by_person[r["people"][0]].append(r)
    used: set[str] = set()
    pairs: list[dict] = []

    def add(a: dict, b: dict, kind: str) -> bool:
        if a["file"] == b["file"] or key(a) in used or key(b) in used:
            return False
        used.update((key(a), key(b)))
        pairs.append({"a": key(a), "b": key(b), "proposed_kind": kind})
        return True

    # 1. different people who share a surname (the hard negatives)
    by_surname: dict[str, list[str]] = defaultdict(list)
    for person in sorted(by_person):
        by_surname[person.split()[-1]].append(person)
    for surname in sorted(by_surname):
        people = by_surname[surname]
        budget = CAP_PER_SURNAME.get(surname, 2)
        combos = list(combinations(people, 2))
        rng.shuffle(combos)
        for _round in range(budget):
            for p, q in combos:
                if budget <= 0:
                    break
                ma, mb = by_person[p][:], by_person[q][:]
                rng.shuffle(ma)
                rng.shuffle(mb)
                bare = [(a, b) for a in ma[:20] for b in mb[:20] if len(a["name"]) == 1 or len(b["name"]) == 1]
                for a, b in bare[:6] + [(a, b) for a in ma for b in mb][:6]:
                    if add(a, b, "shared-surname-different-person"):
                        budget -= 1
                        break
    # 1b. bare surnames in articles where several people share it (resolved by reading)
    for surname, n_pairs in (("Clinton", 6), ("Bush", 2), ("Trump", 2), ("Sanders", 2)):
        amb = [r for r in rows if len(r["people"]) > 1 and r["name"] == [surname]]
        rng.shuffle(amb)
        made = 0
        for a, b in combinations(amb, 2):
            if made < n_pairs and add(a, b, "ambiguous-bare-surname"):
                made += 1
    # 2. the same person written differently in two articles
    persons = [p for p in sorted(by_person) if len({r["file"] for r in by_person[p]}) >= 2]
    rng.shuffle(persons)
    n = 0
    for p in persons:
        if n >= N_SAME_PERSON:
            break
        ms = by_person[p][:]
        rng.shuffle(ms)
        options = [(a, b) for a, b in combinations(ms, 2) if a["mention"] != b["mention"] and a["file"] != b["file"]]
        if options and add(*options[0], "variant"):
            n += 1
    # 3. identical full names (easy positives)
    full = [r for r in sure if len(r["name"]) >= 2]
    rng.shuffle(full)
    n = 0
    for a, b in combinations(full[:400], 2):
        if n >= N_SAME_FULL:
            break
        if a["mention"] == b["mention"] and add(a, b, "same-full-name"):
            n += 1
    # 4. unrelated people (easy negatives)
    n = 0
    pool = sure[:]
    rng.shuffle(pool)
    for a, b in zip(pool[0::2], pool[1::2]):
        if n >= N_UNRELATED:
            break
        if a["name"][-1] != b["name"][-1] and add(a, b, "unrelated-common"):
            n += 1
    known = {key(r) for r in rows}
    for a, b in TARGETED:
        assert a in known and b in known and a.split(":")[0] != b.split(":")[0], (a, b)
        pairs.append({"a": a, "b": b, "proposed_kind": "targeted"})
    OUT.write_text(json.dumps(pairs, indent=0), encoding="utf-8")
    print(f"{len(pairs)} proposed pairs -> {OUT}")


if __name__ == "__main__":
    main()
