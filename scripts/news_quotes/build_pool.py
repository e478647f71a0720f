"""The unlabelled pool: every other quote our extractor finds in news-cc and PolNeAR train, for a teacher's
soft labels (distillation). Stand-off for PolNeAR (file, offsets, SHA-1 of the quote), text for news-cc.

Left out: quotes in the corpus or overlapping one, quotes an annotator looked at in round 2 (labelled
or skipped), and every quote of an article in the corpus's test split (so a student trained on the pool
never reads test articles). `corpus_split` says whether the article is in the corpus's train or dev
split ("" when the article is in no split), so a user can also keep dev articles out.

    python scripts/news_quotes/build_pool.py --annot .annot2 --out data/news_quotes/unlabelled_pool.parquet
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import pandas as pd
from build_corpus import read_jsonl, sha1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--annot", default=".annot2")
    ap.add_argument("--corpus", default="data/news_quotes")
    ap.add_argument("--out", default="data/news_quotes/unlabelled_pool.parquet")
    args = ap.parse_args()
    annot, corpus = Path(args.annot), Path(args.corpus)
    rows = read_jsonl(corpus / "news_cc.jsonl") + read_jsonl(corpus / "polnear_standoff.jsonl")
    split_of = {(r["source"], r["article_id"]): r["split"] for r in rows}
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for r in rows:
        spans.setdefault((r["source"], r["article_id"]), []).append((r["start"], r["end"]))
    seen = {x["cand_id"] for x in read_jsonl(corpus / "round2" / "labels_ann_h.jsonl")}
    out, why = [], Counter()
    found = {}
    for path in sorted(annot.glob("candidates_news-cc_all*.jsonl")) + sorted(
        annot.glob("candidates_polnear_train*.jsonl")
    ):
        for c in read_jsonl(path):  # propose.py may have run in parts (--part): one record per cand_id
            found.setdefault(c["cand_id"], c)
    for c in found.values():
        key = (c["source"], c["article_id"])
        if split_of.get(key) == "test":
            why["test-split article"] += 1
            continue
        if any(s < c["end"] and c["start"] < e for s, e in spans.get(key, [])):
            why["in the corpus"] += 1
            continue
        if c["cand_id"] in seen:
            why["seen in round 2"] += 1
            continue
        news = c["source"] == "news-cc"
        out.append(
            {
                "id": c["cand_id"],
                "source": c["source"],
                "article_id": c["article_id"],
                "polnear_split": None if news else c["split"],
                "corpus_split": split_of.get(key, ""),
                "start": c["start"],
                "end": c["end"],
                "context_start": c["context_start"],
                "context_end": c["context_end"],
                "text_sha1": sha1(c["text"]),
                "type": c["type"],
                "cue": c["cue"] if news else None,  # a span of PolNeAR text: not stored
                "speaker": c["speaker"],
                "speaker_start": c["speaker_start"],
                "speaker_end": c["speaker_end"],
                "text": c["text"] if news else None,
                "context": c["context"] if news else None,
            }
        )
    frame = pd.DataFrame(out)
    tmp = Path(args.out).with_suffix(".tmp")
    frame.to_parquet(tmp, index=False, compression="zstd")
    tmp.replace(args.out)
    print(json.dumps({"rows": len(frame), "by_source": frame["source"].value_counts().to_dict(), "left_out": why}))


if __name__ == "__main__":
    main()
