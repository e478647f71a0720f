"""Would a learned ranker name speakers better than the rules on articles neither was fitted to? An experiment.

For each labelled item of the speaker-resolution set whose quote the extractor finds, every person the article
names (by the entity layer's fullest name) is a candidate, plus "no named person". Each candidate gets a few
plain features (recency, grammatical subject, earlier speaker, gender and number agreement with a pronoun,
surname and role-word match, how often and where the article names it, and whether the rules chose it); a
logistic regression trained on the tuning sets scores them and the best one is the answer. Baseline: the rules'
own answer on the same items, in the same run. Only items whose mention is a pronoun, a role noun or a surname
and whose rules' answer is a person or nobody are re-ranked (organisations, documents and groups keep the rules'
answer), so the comparison is over exactly the items a person ranker could change.

    .venv/bin/python benchmarks/resolver_ranker.py data/speaker_resolution --train tune tune2 --test tune3

The test set must be one no rule was written against (tune3 before any rule looked at it, or heldout once).
Nothing here changes the shipped extractor.
"""

from __future__ import annotations

import argparse
import json
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from stance.config import CONF_DIR, PROJECT_ROOT  # noqa: E402
from stance.extract.entities import role_key  # noqa: E402
from stance.extract.evaluate import _norm_name, load_resolution_set, load_statement_labels  # noqa: E402
from stance.extract.lexicon import FEMALE_PRONOUNS, MALE_PRONOUNS  # noqa: E402
from stance.extract.people import first_name_gender, surname_key  # noqa: E402
from stance.extract.pipeline import build_extractor  # noqa: E402
from stance.extract.speakers import EntityAttributor  # noqa: E402

TEXT_DIR = PROJECT_ROOT.parent / "shared" / "data" / "polnear" / "train" / "text"
PLURAL = {"they", "their", "them", "we", "our"}
KINDS = ("pronoun", "role", "surname")
NONE = "<none>"


@dataclass
class Seen:
    """What the recording attributor saw of one article: the layer and every candidate after resolution."""

    article: object
    layer: object
    candidates: list = field(default_factory=list)


class RecordingAttributor(EntityAttributor):
    """The shipped attributor, keeping each article's entity layer and resolved candidates for the features."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen: list[Seen] = []

    def attribute(self, article, candidates) -> None:
        super().attribute(article, candidates)
        self.seen.append(Seen(article, self.layer(article), list(candidates)))


def _canonical(layer, person) -> str:
    full = layer.people.fullest(person.name, person.start) or person
    return layer.canonical(full.name)


def _overlaps(a: tuple[int, int] | None, b: tuple[int, int]) -> bool:
    return a is not None and a[0] < b[1] and b[0] < a[1]


def _match(seen: Seen, row: dict):
    source, cue = (row["source_start"], row["source_end"]), (row["cue_start"], row["cue_end"])
    found = [c for c in seen.candidates if _overlaps(c.speaker, source)]
    found = found or [c for c in seen.candidates if _overlaps(c.cue, cue)]
    return min(found, key=lambda c: c.end - c.start) if found else None


def features(seen: Seen, cand) -> dict[str, dict[str, float]]:
    """Candidate name -> feature dict, for one resolved quote."""
    art, layer = seen.article, seen.layer
    doc = art.doc
    pos = cand.speaker[0]
    head = doc[cand.speaker_head]
    para = art.paragraph_of(pos)
    sent_start = head.sent.start_char
    prev_sent_start = doc[head.sent.start - 1].sent.start_char if head.sent.start > 0 else sent_start
    low = head.lower_
    gender = "m" if low in MALE_PRONOUNS else "f" if low in FEMALE_PRONOUNS else None
    plural = low in PLURAL
    kind = _kind_of(cand, head)
    mention_words = {w.lower().strip(".,'’s") for w in doc.text[cand.speaker[0] : cand.speaker[1]].split()}
    role = role_key(head.text)
    subjects = {at for at, _ in layer.subjects._keys}
    speakers_before = [
        (c.speaker[0], c.resolved) for c in seen.candidates if c.resolved and c.speaker and c.speaker[0] < pos
    ]
    speakers_before.sort()
    last_speaker = speakers_before[-1][1] if speakers_before else None
    mentions: dict[str, list] = {}
    for p in layer.people:
        mentions.setdefault(_canonical(layer, p), []).append(p)
    before = {name: max((p.start for p in ps if p.start < pos), default=None) for name, ps in mentions.items()}
    order = sorted((at for at in before.values() if at is not None), reverse=True)
    roles_of = {}
    for key, entries in layer.roles.items():
        for _, p, _ in entries:
            roles_of.setdefault(_canonical(layer, p), set()).add(key)
    out: dict[str, dict[str, float]] = {}
    for name, ps in mentions.items():
        last = before[name]
        own_gender = first_name_gender(name) or next((p.gender for p in ps if p.gender), None)
        rank = order.index(last) if last is not None else 99
        f = {
            "rules": float(cand.resolved is not None and _norm_name(cand.resolved) == _norm_name(name)),
            "no_before": float(last is None),
            "dist": math.log1p(pos - last) / 10 if last is not None else 1.5,
            "rank0": float(rank == 0),
            "rank1": float(rank == 1),
            "same_sentence": float(last is not None and last >= sent_start),
            "prev_sentence": float(last is not None and prev_sent_start <= last < sent_start),
            "same_paragraph": float(last is not None and art.paragraph_of(last) == para),
            "after_in_paragraph": float(any(p.start > pos and art.paragraph_of(p.start) == para for p in ps)),
            "subject": float(last is not None and last in subjects),
            "spoke_before": float(any(n and _norm_name(n) == _norm_name(name) for _, n in speakers_before)),
            "spoke_last": float(last_speaker is not None and _norm_name(last_speaker) == _norm_name(name)),
            "gender_agree": float(gender is not None and own_gender == gender),
            "gender_clash": float(gender is not None and own_gender is not None and own_gender != gender),
            "plural_pronoun": float(plural),
            "surname_match": float(surname_key(name) in mention_words),
            "role_match": float(role is not None and role in roles_of.get(name, set())),
            "log_mentions": math.log1p(len(ps)),
            "log_before": math.log1p(sum(p.start < pos for p in ps)),
            "first_paragraphs": float(any(art.paragraph_of(p.start) <= 1 for p in ps)),
            "full_name": float(len(name.split()) > 1),
        }
        for k in ("rules", "rank0", "subject", "spoke_last", "surname_match", "role_match", "gender_agree"):
            f[f"{kind}_{k}"] = f[k]
        out[name] = f
    out[NONE] = {"none": 1.0, f"none_{kind}": 1.0, "none_rules": float(cand.resolved is None)}
    return out


def _kind_of(cand, head) -> str:
    if head.lower_ in MALE_PRONOUNS | FEMALE_PRONOUNS | PLURAL or head.pos_ == "PRON":
        return "pronoun"
    if head.pos_ == "PROPN":
        return "surname"
    return "role"


def collect(sets: list[str], data_dir: Path, text_dir: Path, statements: dict[str, bool]) -> list[dict]:
    rows = [dict(r, set=s) for s in sets for r in load_resolution_set(data_dir, s, f"labels_a_{s}.jsonl")]
    cfg = OmegaConf.load(CONF_DIR / "extract" / "default.yaml")
    attributor_cfg = {k: v for k, v in OmegaConf.to_container(cfg.attributor).items() if k != "_target_"}
    cfg.attributor = {"_target_": "stance.extract.speakers.EntityAttributor"}
    extractor = build_extractor(cfg)
    recorder = RecordingAttributor(**attributor_cfg)
    extractor.attributor = recorder
    files = sorted({r["file"] for r in rows})
    by_file = {}
    for f in files:
        recorder.seen.clear()
        extractor.extract((text_dir / f).read_text(encoding="utf-8"), Path(f).stem)
        by_file[f] = recorder.seen[0]
    out = []
    for r in rows:
        seen = by_file[r["file"]]
        cand = _match(seen, r)
        item = {
            "id": r["item_id"],
            "set": r["set"],
            "kind": r["kind"],
            "statement": statements.get(r["item_id"]),
            "expected": r["expected"],
            "found": cand is not None,
            "rules": cand.resolved if cand is not None else None,
            "rules_type": cand.speaker_type if cand is not None else None,
        }
        if cand is not None and cand.speaker is not None and cand.speaker_head is not None:
            head = seen.article.doc[cand.speaker_head]
            item["scope"] = _kind_of(cand, head) in KINDS and (
                cand.speaker_type in ("person", "unnamed") or cand.resolved is None
            )
            if item["scope"]:
                item["candidates"] = features(seen, cand)
        out.append(item)
    return out


def _right(predicted: str | None, expected: str | None) -> bool:
    return _norm_name(predicted, True) == _norm_name(expected, True) if predicted or expected else True


def train(items: list[dict], c: float) -> tuple[LogisticRegression, list[str]]:
    names = sorted({k for it in items if it.get("candidates") for f in it["candidates"].values() for k in f})
    x, y = [], []
    for it in items:
        for name, f in (it.get("candidates") or {}).items():
            x.append([f.get(k, 0.0) for k in names])
            gold = NONE if it["expected"] is None else it["expected"]
            y.append(int(_right(None if name == NONE else name, None if gold == NONE else gold)))
    model = LogisticRegression(C=c, max_iter=5000).fit(np.array(x), np.array(y))
    return model, names


def predict(model, names: list[str], it: dict) -> str | None:
    cands = it.get("candidates")
    if not cands:
        return it["rules"]
    keys = list(cands)
    scores = model.decision_function(np.array([[cands[k].get(n, 0.0) for n in names] for k in keys]))
    best = keys[int(np.argmax(scores))]
    return None if best == NONE else best


def score(items: list[dict], answer) -> dict:
    tally = Counter()
    for it in items:
        ok = it["found"] and _right(answer(it), it["expected"])
        tally["right"] += ok
        tally[f"{it['kind']}_right"] += ok
        tally[f"{it['kind']}_n"] += 1
    n = len(items)
    return {"n": n, "accuracy": round(tally["right"] / n, 4) if n else None, **dict(tally)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--train", nargs="+", default=["tune", "tune2"])
    ap.add_argument("--test", nargs="+", default=["tune3"])
    ap.add_argument("--text-dir", type=Path, default=TEXT_DIR)
    ap.add_argument("--c", type=float, default=1.0, help="inverse regularisation of the logistic regression")
    ap.add_argument(
        "--without-rules", action="store_true", help="leave out the rules' own answer as a feature: a ranker alone"
    )
    ap.add_argument("--json", type=Path, help="also write the result here")
    args = ap.parse_args()
    statements = load_statement_labels(args.data_dir / "statements_a.jsonl")
    train_items = collect(args.train, args.data_dir, args.text_dir, statements)
    test_items = collect(args.test, args.data_dir, args.text_dir, statements)
    if args.without_rules:
        for it in train_items + test_items:
            for f in (it.get("candidates") or {}).values():
                for key in [k for k in f if k.endswith("rules")]:
                    del f[key]
    model, names = train([it for it in train_items if it.get("candidates")], args.c)
    result = {
        "train": args.train,
        "test": args.test,
        "C": args.c,
        "features": len(names),
        "rules": not args.without_rules,
    }
    for label, subset in (("all", test_items), ("statements", [it for it in test_items if it["statement"]])):
        scoped = [it for it in subset if it.get("candidates")]
        result[label] = {
            "rules": score(subset, lambda it: it["rules"]),
            "ranker": score(subset, lambda it: predict(model, names, it)),
            "in_scope": len(scoped),
            "rules_in_scope": score(scoped, lambda it: it["rules"])["right"] if scoped else 0,
            "ranker_in_scope": score(scoped, lambda it: predict(model, names, it))["right"] if scoped else 0,
        }
        r = result[label]
        print(
            f"{label}: rules {r['rules']['accuracy']} ({r['rules']['right']}/{r['rules']['n']}), "
            f"ranker {r['ranker']['accuracy']} ({r['ranker']['right']}/{r['ranker']['n']}); "
            f"re-ranked items {r['in_scope']}: rules {r['rules_in_scope']}, ranker {r['ranker_in_scope']} right"
        )
    weights = sorted(zip(names, model.coef_[0]), key=lambda t: -abs(t[1]))
    result["weights"] = {k: round(float(w), 3) for k, w in weights}
    print("largest weights:", ", ".join(f"{k} {w:+.2f}" for k, w in weights[:12]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
