"""`run_extraction(cfg)`: articles in, quote table out (atomic), rejects listed beside it."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig

from stance.extract.articles import ArticleError, iter_articles
from stance.extract.pipeline import ArticleFault, build_extractor
from stance.extract.speaker_table import finalize_speakers
from stance.io.tables import RejectsWriter, TableWriter, table_format
from stance.records import QUOTE_FIELDS, Quote
from stance.runners import runner_name

log = logging.getLogger(__name__)

_OPTIONAL_INT = ["cue_start", "cue_end", "speaker_start", "speaker_end"]
_STR = [
    "article_id",
    "quote_id",
    "text",
    "type",
    "cue",
    "speaker_mention",
    "speaker",
    "speaker_id",
    "speaker_role",
    "speaker_type",
    "context",
]


def quotes_frame(quotes: list[Quote], fmt: str) -> pd.DataFrame:
    """Quote records as a frame whose column types do not depend on which values a chunk happens to hold."""
    rows = [q.to_dict() for q in quotes]
    if fmt == "csv":
        for row in rows:
            row["spans"] = json.dumps(row["spans"])
    frame = pd.DataFrame(rows, columns=QUOTE_FIELDS, dtype=object)
    if fmt == "parquet":
        for col in _OPTIONAL_INT:
            frame[col] = frame[col].astype("Int64")
        for col in ("start", "end", "paragraph"):
            frame[col] = frame[col].astype("int64")
        frame["confidence"] = frame["confidence"].astype("float64")
        for col in _STR:
            frame[col] = frame[col].astype("string")
    return frame


def run_extraction(cfg: DictConfig) -> dict[str, Any]:
    """Extract quotes from `cfg.input` into `cfg.output`; returns counts for the log and the tests.

    `runner=ray` extracts with a Ray actor pool (`stance.runners.ray_articles`) into the same output.
    """
    if not cfg.get("input") or not cfg.get("output"):
        raise ValueError("give input=<folder or table of articles> and output=<quotes .jsonl/.csv/.parquet>")
    if runner_name(cfg) == "ray":
        from stance.runners.ray_articles import ray_extract

        summary = ray_extract(cfg)
    else:
        summary = _extract_locally(cfg)
    # Both runners have written and renamed the complete quote file here: the corpus-level speaker table
    # (speakers.csv, a speaker_id per quote) is a post-pass over it, the same after either runner.
    summary["speakers"] = None
    if cfg.get("speakers"):
        csv_safe = bool(cfg.get("csv_safe", True))
        summary["speakers"] = finalize_speakers(Path(str(cfg.output)), cfg.speakers, cfg.extract, csv_safe)
    return summary


def _extract_locally(cfg: DictConfig) -> dict[str, Any]:
    """The local runner: articles stream through this process's extractor into the output."""
    on_error = str(cfg.get("on_error", "raise"))
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got '{on_error}'")
    output = Path(str(cfg.output))
    fmt = table_format(output)
    extractor = build_extractor(cfg.extract)
    rejects = RejectsWriter(output)
    stats = {"articles": 0, "quotes": 0, "rejected": 0}
    skipped: Counter = Counter()  # files in the input folder that are not articles, by reason
    where: dict[str, tuple[str, int | None]] = {}  # article id -> (file, table line) while it is being extracted
    chunk_rows = int(cfg.get("write_every", 500))
    started = time.perf_counter()

    def reject(fault: ArticleFault) -> None:
        """An article the extractor could not process (too long, an error in it): listed, and the run goes on."""
        source, line = where.pop(fault.article_id, (str(cfg.input), None))
        rejects.add(source, line, f"article '{fault.article_id}': {fault.reason}", {"id": fault.article_id})
        stats["rejected"] += 1

    def good_articles() -> Iterator[tuple[str, str]]:
        articles = iter_articles(
            str(cfg.input),
            str(cfg.get("id_field", "id")),
            str(cfg.get("text_field", "text")),
            recursive=bool(cfg.get("recursive", True)),
            skipped=skipped,
        )
        for item in articles:
            if isinstance(item, ArticleError):
                if on_error == "raise":
                    raise item
                log.warning("skipping %s", item)
                rejects.add(
                    item.source,
                    item.line,
                    str(item.reason) + (f" (field '{item.field}')" if item.field else ""),
                    item.row,
                )
                stats["rejected"] += 1
                continue
            where[item.article_id] = (item.source, item.line)
            yield item.article_id, item.text

    try:
        with TableWriter(output, csv_safe=bool(cfg.get("csv_safe", True))) as writer:
            pending: list[Quote] = []
            for article_id, quotes in extractor.extract_many(
                good_articles(), on_error=reject if on_error == "skip" else None
            ):
                where.pop(article_id, None)
                stats["articles"] += 1
                pending.extend(quotes)
                if len(pending) >= chunk_rows:
                    writer.write(quotes_frame(pending, fmt))
                    stats["quotes"] += len(pending)
                    pending = []
            if pending or writer.rows == 0:
                writer.write(quotes_frame(pending, fmt))
                stats["quotes"] += len(pending)
    except ArticleFault as fault:
        rejects.abort()
        source, line = where.get(fault.article_id, (str(cfg.input), None))
        raise ArticleError(source, str(fault), line=line) from fault
    except BaseException:
        rejects.abort()
        raise
    rejects_path = rejects.commit()
    seconds = time.perf_counter() - started
    summary = {
        **stats,
        "output": str(output),
        "rejects": str(rejects_path) if rejects_path else None,
        "skipped_files": dict(skipped),
        "seconds": round(seconds, 2),
        "articles_per_second": round(stats["articles"] / seconds, 2) if seconds > 0 else None,
    }
    log.info(
        "extracted %d quotes from %d articles (%d rejected) into %s",
        stats["quotes"],
        stats["articles"],
        stats["rejected"],
        output,
    )
    if skipped:
        log.warning("%d files in the input folder were not read: %s", sum(skipped.values()), dict(skipped))
    return summary
