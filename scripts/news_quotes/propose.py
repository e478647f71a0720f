"""Propose candidate quotes for the news-quote stance corpus with our own extractor.

Writes candidates (with text and context, for annotators) to a git-ignored working folder; only the
news-cc text and stand-off records for PolNeAR are ever committed (see build_corpus.py).

    .venv/bin/python scripts/news_quotes/propose.py --out .annot
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from omegaconf import OmegaConf  # noqa: E402

from stance.config import CONF_DIR, PROJECT_ROOT  # noqa: E402
from stance.extract.pipeline import build_extractor  # noqa: E402

log = logging.getLogger("propose")


def context_window(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets from the line (paragraph) before the quote's first line to the line after its last."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    if not lines:
        return start, end
    first = next((i for i, (_, e) in enumerate(lines) if e > start), len(lines) - 1)
    last = next((i for i, (_, e) in enumerate(lines) if e >= end), len(lines) - 1)
    return min(lines[max(first - 1, 0)][0], start), max(lines[min(last + 1, len(lines) - 1)][1], end)


def news_cc(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        yield rec["id"], rec["text"]


def polnear(folder: Path):
    for txt in sorted((folder / "text").glob("*.txt")):
        yield txt.name, txt.read_text(encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(PROJECT_ROOT / ".annot"))
    ap.add_argument("--shared", default=str(PROJECT_ROOT.parent / "shared" / "data"))
    ap.add_argument(
        "--sources",
        default="news-cc/all,polnear/train,polnear/dev",
        help="comma-separated name/split pairs to run (PolNeAR dev is never drawn for the corpus or the pool)",
    )
    ap.add_argument("--part", default=None, help="i/n: only the i-th of n equal slices of each source's articles")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    extractor = build_extractor(OmegaConf.load(CONF_DIR / "extract" / "default.yaml"))
    shared = Path(args.shared)
    sources = [
        ("news-cc", "all", news_cc(shared / "news-cc" / "articles.jsonl")),
        ("polnear", "train", polnear(shared / "polnear" / "train")),
        ("polnear", "dev", polnear(shared / "polnear" / "dev")),
    ]
    wanted = set(args.sources.split(","))
    for name, split, articles in sources:
        if f"{name}/{split}" not in wanted:
            continue
        texts = dict(articles)
        suffix = ""
        if args.part:
            i, k = map(int, args.part.split("/"))
            keys = list(texts)
            texts = {a: texts[a] for a in keys[len(keys) * i // k : len(keys) * (i + 1) // k]}
            suffix = f".part{i}of{k}"
        n = 0
        with open(out / f"candidates_{name}_{split}{suffix}.jsonl", "w", encoding="utf-8") as fh:
            for article_id, quotes in extractor.extract_many(texts.items()):
                text = texts[article_id]
                for q in quotes:
                    if len(q.text.split()) < 4:
                        continue
                    window = context_window(text, q.start, q.end)
                    rec = {
                        "cand_id": f"{name}:{article_id}:{q.start}-{q.end}",
                        "source": name,
                        "split": split,
                        "article_id": article_id,
                        "start": q.start,
                        "end": q.end,
                        "spans": q.spans,
                        "text": q.text,
                        "type": q.type,
                        "cue": q.cue,
                        "speaker": q.speaker,
                        "speaker_mention": q.speaker_mention,
                        "speaker_start": q.speaker_start,
                        "speaker_end": q.speaker_end,
                        "context_start": window[0],
                        "context_end": window[1],
                        "context": text[window[0] : window[1]].strip(),
                    }
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    n += 1
        log.info("%s/%s: %d candidates from %d articles", name, split, n, len(texts))


if __name__ == "__main__":
    main()
