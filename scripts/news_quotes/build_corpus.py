"""Assemble the news-quote stance corpus from the annotation passes.

Inputs (git-ignored working folder): candidates_*.jsonl (from propose.py), batches/*.jsonl (from
make_batches.py), labels/<annotator>/<batch>.jsonl (one label per item) and adjudication.jsonl
(final labels for items the two passes disagreed on).
Outputs (committed): data/news_quotes/news_cc.jsonl (with text), polnear_standoff.jsonl (offsets only),
double_annotation.jsonl (both passes + final label), stats.json.

    .venv/bin/python scripts/news_quotes/build_corpus.py --annot .annot --out data/news_quotes
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from propose import context_window
from sklearn.metrics import cohen_kappa_score, confusion_matrix

LABELS = ["supportive", "critical", "dismissive", "urging_action", "neutral"]

# batch prefix and number range -> (primary annotator, second-pass annotator for a subset of batches)
ASSIGNMENT = [
    ("nc", range(0, 10), "ann_a", {0: "ann_d", 1: "ann_d"}),
    ("nc", range(10, 20), "ann_b", {10: "ann_a", 11: "ann_a"}),
    ("nc", range(20, 30), "ann_c", {20: "ann_b", 21: "ann_b"}),
    ("nc", range(30, 40), "ann_d", {30: "ann_c", 31: "ann_c"}),
    ("pn", range(0, 12), "ann_e", {0: "ann_f", 1: "ann_f"}),
    ("pn", range(12, 24), "ann_f", {12: "ann_e", 13: "ann_e"}),
    ("pn", range(24, 31), "ann_g", {}),  # third round, enriched for dismissals (see data/README.md)
]
SPLIT_SHARES = {"train": 0.7, "dev": 0.15, "test": 0.15}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def collect(annot: Path) -> tuple[dict[str, dict], dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """cand_id -> candidate; cand_id -> (annotator, label) for pass 1 and for pass 2."""
    candidates = {}
    for path in sorted(annot.glob("candidates_*.jsonl")):
        for c in read_jsonl(path):
            candidates[c["cand_id"]] = c
    first: dict[str, tuple[str, str]] = {}
    second: dict[str, tuple[str, str]] = {}
    for prefix, numbers, primary, doubles in ASSIGNMENT:
        for n in numbers:
            batch = f"{prefix}_{n:03d}"
            items = read_jsonl(annot / "batches" / f"{batch}.jsonl")
            for who, target in [(primary, first)] + ([(doubles[n], second)] if n in doubles else []):
                path = annot / "labels" / who / f"{batch}.jsonl"
                if not path.exists():
                    print(f"missing {path}")
                    continue
                labels = read_jsonl(path)
                if [x["cand_id"] for x in labels] != [x["cand_id"] for x in items]:
                    raise SystemExit(f"{path}: items do not match {batch}")
                for x in labels:
                    if x["label"] not in LABELS + ["skip"]:
                        raise SystemExit(f"{path}: bad label {x['label']!r} for {x['cand_id']}")
                    target[x["cand_id"]] = (who, x["label"])
    return candidates, first, second


def agreement(first: dict, second: dict) -> dict:
    both = sorted(set(first) & set(second))
    a = [first[c][1] for c in both]
    b = [second[c][1] for c in both]
    cats = LABELS + ["skip"]
    kept = [(x, y) for x, y in zip(a, b) if x != "skip" and y != "skip"]
    return {
        "items": len(both),
        "observed_agreement": sum(x == y for x, y in zip(a, b)) / max(len(both), 1),
        "kappa_all_categories": float(cohen_kappa_score(a, b, labels=cats)),
        "items_both_labelled": len(kept),
        "kappa_five_labels": float(cohen_kappa_score([x for x, _ in kept], [y for _, y in kept], labels=LABELS)),
        "confusion_labels": cats,
        "confusion_pass1_rows_pass2_cols": confusion_matrix(a, b, labels=cats).tolist(),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--annot", default=".annot")
    ap.add_argument("--out", default="data/news_quotes")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2].parent / "shared" / "data"))
    args = ap.parse_args()
    annot, out = Path(args.annot), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    candidates, first, second = collect(annot)
    adjudicated = {}
    adj_path = annot / "adjudication.jsonl"
    if adj_path.exists():
        adjudicated = {x["cand_id"]: x["label"] for x in read_jsonl(adj_path)}

    final: dict[str, str] = {}
    annotators: dict[str, str] = {}
    doubles = []
    for cid, (who, label) in first.items():
        annotators[cid] = who
        if cid in second:
            who2, label2 = second[cid]
            if label == label2:
                decided, how = label, "agreed"
            elif cid in adjudicated:
                decided, how = adjudicated[cid], "adjudicated"
            else:
                raise SystemExit(f"{cid}: passes disagree ({label} vs {label2}) and no adjudication")
            annotators[cid] = f"{who}+{who2}"
            doubles.append(
                {
                    "cand_id": cid,
                    "pass1_annotator": who,
                    "pass1": label,
                    "pass2_annotator": who2,
                    "pass2": label2,
                    "final": decided,
                    "resolution": how,
                }
            )
            label = decided
        if label != "skip":
            final[cid] = label

    # split by article, so no article is in two splits
    articles = sorted({candidates[c]["source"] + "|" + candidates[c]["article_id"] for c in final})
    rng = random.Random(args.seed)
    rng.shuffle(articles)
    n = len(articles)
    cut1, cut2 = int(n * SPLIT_SHARES["train"]), int(n * (SPLIT_SHARES["train"] + SPLIT_SHARES["dev"]))
    split_of = {a: ("train" if i < cut1 else "dev" if i < cut2 else "test") for i, a in enumerate(articles)}

    shared = Path(args.shared)
    news_text = {a["id"]: a["text"] for a in read_jsonl(shared / "news-cc" / "articles.jsonl")}

    def article(c: dict) -> str:
        if c["source"] == "news-cc":
            return news_text[c["article_id"]]
        return (shared / "polnear" / c["split"] / "text" / c["article_id"]).read_text(encoding="utf-8")

    news, pol = [], []
    for cid in sorted(
        final, key=lambda c: (candidates[c]["source"], candidates[c]["article_id"], candidates[c]["start"])
    ):
        c = candidates[cid]
        text = article(c)
        if text[c["start"] : c["end"]] != c["text"]:
            raise SystemExit(f"{cid}: offsets do not match the article")
        ctx_start, ctx_end = context_window(text, c["start"], c["end"])
        base = {
            "id": cid,
            "source": c["source"],
            "article_id": c["article_id"],
            "split": split_of[c["source"] + "|" + c["article_id"]],
            "start": c["start"],
            "end": c["end"],
            "type": c["type"],
            "speaker": c["speaker"],
            "speaker_mention": c["speaker_mention"],
            "speaker_start": c["speaker_start"],
            "speaker_end": c["speaker_end"],
            "label": final[cid],
            "annotator": annotators[cid],
        }
        if c["source"] == "news-cc":
            news.append({**base, "text": c["text"], "context": text[ctx_start:ctx_end]})
        else:
            base.pop("speaker_mention")  # a span of the article: offsets only
            pol.append(
                {
                    **base,
                    "polnear_split": c["split"],
                    "context_start": ctx_start,
                    "context_end": ctx_end,
                    "text_sha1": sha1(c["text"]),
                }
            )
    for name, rows in (("news_cc.jsonl", news), ("polnear_standoff.jsonl", pol), ("double_annotation.jsonl", doubles)):
        with open(out / name, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")

    counts: dict[str, Counter] = defaultdict(Counter)
    for r in news + pol:
        counts[r["split"]][r["label"]] += 1
        counts["all"][r["label"]] += 1
    stats = {
        "items_labelled": len(first),
        "skipped": len(first) - len(final),
        "quotes": len(final),
        "by_source": dict(Counter(candidates[c]["source"] for c in final)),
        "articles": {s: sum(1 for a in articles if split_of[a] == s) for s in SPLIT_SHARES},
        "label_counts": {s: {label: counts[s][label] for label in LABELS} for s in ["train", "dev", "test", "all"]},
        "agreement": agreement(first, second),
        "adjudicated": sum(d["resolution"] == "adjudicated" for d in doubles),
    }
    (out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    print(json.dumps({k: v for k, v in stats.items() if k != "agreement"}, indent=1))
    print("kappa", stats["agreement"]["kappa_all_categories"], stats["agreement"]["kappa_five_labels"])


if __name__ == "__main__":
    main()
