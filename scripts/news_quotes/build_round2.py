"""Grow the shipped news-quote corpus with round 2 (pass ann_h, blind second pass ann_i) without touching round 1.

Round-1 rows are kept byte for byte (same lines, same order); round-2 rows are appended. New quotes go
to train or dev only: a quote from an article already in the corpus takes that article's split (test
articles were never drawn, see extend_select.py); a brand-new article is assigned by the article-level
rule below (train 70/85, dev 15/85 of a SHA-1 hash of seed, source and article id), so no article is in
two splits and the test split is unchanged.

Inputs: .annot2/candidates_*.jsonl (propose.py), data/news_quotes/round2/labels_ann_h.jsonl (pass 1),
round2/labels_ann_i.jsonl (blind pass 2 on a random share), round2/adjudication.jsonl (final label where
the passes disagree). Outputs: news_cc.jsonl, polnear_standoff.jsonl, double_annotation.jsonl, stats.json.

    python scripts/news_quotes/build_round2.py --annot .annot2 --out data/news_quotes
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path

from build_corpus import LABELS, agreement, read_jsonl, sha1
from propose import context_window

SEED = 2026
PASS1, PASS2 = "ann_h", "ann_i"


def new_article_split(source: str, article_id: str) -> str:
    """Article-level assignment of a brand-new article: train or dev in the corpus's 70:15 proportion."""
    u = int(hashlib.sha1(f"{SEED}|{source}|{article_id}".encode()).hexdigest(), 16) / 16**40
    return "train" if u < 0.70 / 0.85 else "dev"


def strata_report(annot: Path, r2: Path, first: dict[str, tuple[str, str]]) -> dict:
    """Per selection stage and cue stratum: candidates eligible, chosen, and the labels the chosen ones got.

    Also writes round2/strata.jsonl (stage, stratum of every chosen item) so the sample can be audited."""
    report: dict = {}
    rows = []
    for path in sorted(annot.glob("strata_*.jsonl")):
        stage = path.stem.split("_", 1)[1]
        for r in read_jsonl(path):
            entry = report.setdefault(stage, {}).setdefault(
                r["stratum"], {"eligible": 0, "chosen": 0, "labels": Counter()}
            )
            entry["eligible"] += 1
            if r["chosen"]:
                entry["chosen"] += 1
                entry["labels"][first[r["cand_id"]][1]] += 1
                rows.append({"cand_id": r["cand_id"], "stage": stage, "stratum": r["stratum"]})
    (r2 / "strata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return {
        st: {k: {**v, "labels": dict(v["labels"])} for k, v in sorted(d.items())} for st, d in sorted(report.items())
    }


def lines(path: Path) -> list[str]:
    return [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--annot", default=".annot2")
    ap.add_argument("--out", default="data/news_quotes")
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2].parent / "shared" / "data"))
    args = ap.parse_args()
    annot, out, shared = Path(args.annot), Path(args.out), Path(args.shared)
    r2 = out / "round2"
    # round-1 lines only (a rebuild drops the round-2 rows it wrote before and writes them again)
    old = {
        name: [x for x in lines(out / name) if f'"{PASS1}' not in x]
        for name in ("news_cc.jsonl", "polnear_standoff.jsonl", "double_annotation.jsonl")
    }
    old_rows = [json.loads(x) for x in old["news_cc.jsonl"] + old["polnear_standoff.jsonl"]]
    old_doubles = [json.loads(x) for x in old["double_annotation.jsonl"]]
    old_stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    round1 = old_stats.get("round1", old_stats)
    split_of = {(r["source"], r["article_id"]): r["split"] for r in old_rows}
    old_ids = {r["id"] for r in old_rows}

    candidates = {}
    for path in sorted(annot.glob("candidates_*.jsonl")):
        for c in read_jsonl(path):
            candidates[c["cand_id"]] = c
    first = {x["cand_id"]: (PASS1, x["label"]) for x in read_jsonl(r2 / "labels_ann_h.jsonl")}
    second_path = r2 / "labels_ann_i.jsonl"
    second = {x["cand_id"]: (PASS2, x["label"]) for x in read_jsonl(second_path)} if second_path.exists() else {}
    second = {k: v for k, v in second.items() if k in first}
    adj_path = r2 / "adjudication.jsonl"
    adjudicated = {x["cand_id"]: x["label"] for x in read_jsonl(adj_path)} if adj_path.exists() else {}
    for cid, (_, label) in {**first, **second}.items():
        if label not in LABELS + ["skip"]:
            raise SystemExit(f"{cid}: bad label {label!r}")

    final, annotators, doubles = {}, {}, []
    for cid, (who, label) in first.items():
        if cid in old_ids:
            raise SystemExit(f"{cid}: already in the corpus")
        annotators[cid] = who
        if cid in second:
            label2 = second[cid][1]
            if label == label2:
                decided, how = label, "agreed"
            elif cid in adjudicated:
                decided, how = adjudicated[cid], "adjudicated"
            else:
                raise SystemExit(f"{cid}: passes disagree ({label} vs {label2}) and no adjudication")
            annotators[cid] = f"{PASS1}+{PASS2}"
            doubles.append(
                {
                    "cand_id": cid,
                    "pass1_annotator": PASS1,
                    "pass1": label,
                    "pass2_annotator": PASS2,
                    "pass2": label2,
                    "final": decided,
                    "resolution": how,
                }
            )
            label = decided
        if label != "skip":
            final[cid] = label

    news_text = {a["id"]: a["text"] for a in read_jsonl(shared / "news-cc" / "articles.jsonl")}
    new_articles = set()
    news, pol = [], []
    for cid in sorted(
        final, key=lambda c: (candidates[c]["source"], candidates[c]["article_id"], candidates[c]["start"])
    ):
        c = candidates[cid]
        key = (c["source"], c["article_id"])
        if split_of.get(key) == "test":
            raise SystemExit(f"{cid}: from a test-split article")
        if key not in split_of:
            split_of[key] = new_article_split(*key)
            new_articles.add(key)
        if c["source"] == "news-cc":
            text = news_text[c["article_id"]]
        else:
            text = (shared / "polnear" / c["split"] / "text" / c["article_id"]).read_text(encoding="utf-8")
        if text[c["start"] : c["end"]] != c["text"]:
            raise SystemExit(f"{cid}: offsets do not match the article")
        ctx_start, ctx_end = context_window(text, c["start"], c["end"])
        base = {
            "id": cid,
            "source": c["source"],
            "article_id": c["article_id"],
            "split": split_of[key],
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
    dump = lambda rows: [json.dumps(r, ensure_ascii=False) for r in rows]  # noqa: E731
    for name, rows in (("news_cc.jsonl", news), ("polnear_standoff.jsonl", pol), ("double_annotation.jsonl", doubles)):
        tmp = out / f".{name}.tmp"
        tmp.write_text("\n".join(old[name] + dump(rows)) + "\n", encoding="utf-8")
        tmp.replace(out / name)

    all_rows = old_rows + news + pol
    counts: dict[str, Counter] = defaultdict(Counter)
    for r in all_rows:
        counts[r["split"]][r["label"]] += 1
        counts["all"][r["label"]] += 1
    articles = Counter(split for split in {(r["source"], r["article_id"]): r["split"] for r in all_rows}.values())
    all_doubles = old_doubles + doubles
    both = {d["cand_id"]: d for d in all_doubles}
    stats = {
        "items_labelled": round1["items_labelled"] + len(first),
        "skipped": round1["skipped"] + len(first) - len(final),
        "quotes": len(all_rows),
        "by_source": dict(Counter(r["source"] for r in all_rows)),
        "articles": {s: articles[s] for s in ("train", "dev", "test")},
        "label_counts": {s: {label: counts[s][label] for label in LABELS} for s in ["train", "dev", "test", "all"]},
        # over every doubly-annotated item (both rounds), as notebooks/01-corpus recomputes it
        "agreement": agreement(
            {c: ("p1", d["pass1"]) for c, d in both.items()}, {c: ("p2", d["pass2"]) for c, d in both.items()}
        ),
        "adjudicated": sum(d["resolution"] == "adjudicated" for d in all_doubles),
        "round1": round1,
        "round2": {
            "annotators": [PASS1, PASS2],
            "items_labelled": len(first),
            "skipped": len(first) - len(final),
            "quotes": len(final),
            "by_source": dict(Counter(candidates[c]["source"] for c in final)),
            "new_articles": {s: sum(1 for k in new_articles if split_of[k] == s) for s in ("train", "dev")},
            "label_counts": dict(Counter(final.values())),
            "agreement": agreement(first, second) if second else None,
            "adjudicated": sum(d["resolution"] == "adjudicated" for d in doubles),
        },
    }
    stats["round2"]["strata"] = strata_report(annot, r2, first)
    (out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    print(json.dumps({k: v for k, v in stats.items() if k not in ("agreement", "round1")}, indent=1))


if __name__ == "__main__":
    main()
