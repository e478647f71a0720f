"""`run_pipeline(cfg)`: articles in; quotes with speakers and stances, a speaker table and a report out.

Articles stream through the extractor; quotes are classified and written in chunks. Only per-speaker
tallies and a bounded sample of quotes (for the report) stay in memory, so input size is not limited
by RAM. Every output is a temp file until the run has finished; then all are renamed into place. A
failure at any point leaves nothing new in the output folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig

from stance.config import to_plain
from stance.extract.articles import HTML_SUFFIXES, TEXT_SUFFIXES, ArticleError, iter_articles
from stance.extract.pipeline import build_extractor
from stance.io import TableWriter, count_rows
from stance.modeling.predictor import load_predictor, predict_frame
from stance.records import Quote
from stance.report import QuoteSample, SpeakerTally, render_report
from stance.tracking import mlflow_run as tracking
from stance.workflows.extract import quotes_frame

log = logging.getLogger(__name__)

QUOTES, QUOTES_JSONL, SPEAKERS, REPORT, REJECTS = (
    "quotes.parquet",
    "quotes.jsonl",
    "speakers.csv",
    "report.html",
    "rejects.jsonl",
)


def resolve_model(model_uri: str, tracking_uri: str | None) -> tuple[str, str | None]:
    """Pin `models:/name@alias` to the version it points at now, so the run records (and loads) exactly it.

    Returns the URI to load and the version (None for run, folder and other URIs).
    """
    if not model_uri.startswith("models:/") or model_uri.startswith("models:/m-"):
        return model_uri, None
    import mlflow

    name_ref = model_uri[len("models:/") :]
    client = mlflow.MlflowClient(tracking_uri=tracking_uri or None, registry_uri=tracking_uri or None)
    if "@" in name_ref:
        name, alias = name_ref.split("@", 1)
        try:
            version = client.get_model_version_by_alias(name, alias).version
        except Exception as err:
            where = tracking_uri or mlflow.get_tracking_uri()
            raise ValueError(f"cannot load model '{model_uri}' (tracking uri {where}): {err}") from err
        return f"models:/{name}/{version}", str(version)
    name, _, version = name_ref.partition("/")
    return model_uri, version if version.isdigit() else None


def _count_articles(source: Path) -> int | None:
    """How many articles to expect, for the progress bar (cheap; None when unknown)."""
    with contextlib.suppress(Exception):
        if source.is_dir():
            suffixes = TEXT_SUFFIXES | HTML_SUFFIXES
            return sum(1 for p in source.iterdir() if p.suffix.lower() in suffixes and p.is_file())
        if source.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES:
            return 1
        return count_rows(source)
    return None


class _StagedText:
    """A text file written now under a temp name and renamed into place by `commit()`."""

    def __init__(self, path: Path, text: str):
        self.path = path
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self.tmp = Path(tmp)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)

    def commit(self) -> Path:
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()


def _plain_row(row: dict[str, Any] | None) -> dict[str, Any]:
    """A rejected table row as JSON-ready values (missing -> None, numpy -> Python)."""
    plain = {}
    for key, value in (row or {}).items():
        if pd.api.types.is_scalar(value) and pd.isna(value):
            value = None
        elif hasattr(value, "tolist"):
            value = value.tolist()
        plain[str(key)] = value
    return plain


def _model_input(quotes: pd.DataFrame) -> pd.DataFrame:
    """All three model inputs; the predictor reads the ones its input mode needs (target = the speaker)."""
    return pd.DataFrame(
        {
            "text": quotes["text"].astype(str).tolist(),
            "target": [s if isinstance(s, str) else "" for s in quotes["speaker"].tolist()],
            "context": quotes["context"].fillna("").astype(str).tolist(),
        },
        index=quotes.index,
    )


def _check(cfg: DictConfig) -> tuple[Path, Path, str, float]:
    if not cfg.get("input") or not cfg.get("output"):
        raise ValueError("give input=<folder or table of articles> and output=<folder for the results>")
    source, out_dir = Path(str(cfg.input)), Path(str(cfg.output))
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{out_dir}: output must be a folder (it is a file)")
    on_error = str(cfg.get("on_error", "skip"))
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got '{on_error}'")
    threshold = float(cfg.low_confidence)
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"low_confidence must be between 0 and 1, got {threshold}")
    return source, out_dir, on_error, threshold


def run_pipeline(cfg: DictConfig) -> dict[str, Any]:
    """Extract, attribute and classify every quote of `cfg.input`; write quotes, speakers, report into
    `cfg.output` and track the run in MLflow (experiment `stance-pipeline`). Returns the summary."""
    source, out_dir, on_error, threshold = _check(cfg)
    t = cfg.tracking
    tracking_uri = str(t.uri) if t.get("uri") else None
    model_uri, model_version = resolve_model(str(cfg.model_uri), tracking_uri)
    predictor = load_predictor(model_uri, tracking_uri)
    labels = list(predictor.labels)
    extractor = build_extractor(cfg.extract)
    extractor.nlp  # noqa: B018  load spaCy now, so extraction seconds count parsing, not start-up
    report_cfg = cfg.get("report") or {}
    tally = SpeakerTally(labels, int(report_cfg.get("typical_quotes", 3)), int(report_cfg.get("quote_chars", 160)))
    sample = QuoteSample(int(report_cfg.get("max_quotes", 500)))
    stats: dict[str, Any] = {"articles": 0, "quotes": 0, "rejected": 0, "low_confidence": 0}
    stats.update({f"quotes_{label}": 0 for label in labels})
    seconds = {"extract": 0.0, "classify": 0.0}
    sources: dict[str, tuple[str, int | None]] = {}  # articles parsed but not yet yielded (one nlp.pipe batch)
    chunk_size, batch_size = max(int(cfg.chunk_size), 1), int(cfg.batch_size)
    progress = bool(cfg.get("progress", True))
    tags = {"git_commit": tracking.git_commit(cfg.paths.root_dir), **tracking.package_versions()}
    tags.update({str(k): str(v) for k, v in (to_plain(t.get("tags")) or {}).items()})
    run_name = str(t.get("run_name") or f"pipeline {source.name}")
    staged: list[Any] = []
    started = time.perf_counter()

    out_dir.mkdir(parents=True, exist_ok=True)
    from tqdm.auto import tqdm

    with tracking.tracked_run(
        bool(t.enabled), str(t.uri), str(t.experiment), t.get("artifact_dir"), run_name, tags
    ) as run:
        if run is not None:
            params = {
                "input": str(source),
                "output": str(out_dir),
                "model_uri": str(cfg.model_uri),
                "model_version": model_version,
                "model_input_mode": predictor.input_mode,
                "labels": labels,
                "low_confidence": threshold,
                "on_error": on_error,
            }
            tracking.log_params(
                tracking.flatten("", params, {}) | tracking.flatten("extract", to_plain(cfg.extract), {})
            )
        bar = tqdm(
            total=_count_articles(source), unit="article", desc="pipeline", disable=not progress, dynamic_ncols=True
        )
        try:
            writers = {"quotes": TableWriter(out_dir / QUOTES), "rejects": TableWriter(out_dir / REJECTS)}
            staged.extend(writers.values())
            if cfg.get("jsonl", False):
                writers["jsonl"] = TableWriter(out_dir / QUOTES_JSONL)
                staged.append(writers["jsonl"])

            def reject(item: ArticleError) -> None:
                if on_error == "raise":
                    raise item
                log.warning("skipping %s", item)
                reason = str(item.reason) + (f" (field '{item.field}')" if item.field else "")
                record = {"source": item.source, "line": item.line, "reason": reason, "row": _plain_row(item.row)}
                writers["rejects"].write(pd.DataFrame([record]))
                stats["rejected"] += 1
                bar.update(1)

            def good_articles() -> Iterator[tuple[str, str]]:
                for item in iter_articles(source, str(cfg.get("id_field", "id")), str(cfg.get("text_field", "text"))):
                    if isinstance(item, ArticleError):
                        reject(item)
                        continue
                    sources[item.article_id] = (item.source, item.line)
                    yield item.article_id, item.text

            def classify(pending: list[tuple[Quote, str, int | None]]) -> None:
                quotes = [q for q, _, _ in pending]
                frame = quotes_frame(quotes, "parquet")
                tick = time.perf_counter()
                predicted = predict_frame(predictor, _model_input(frame), batch_size=batch_size)
                seconds["classify"] += time.perf_counter() - tick
                predicted["low_confidence"] = predicted["stance_score"] < threshold
                writers["quotes"].write(pd.concat([frame, predicted], axis=1))
                if "jsonl" in writers:
                    writers["jsonl"].write(pd.concat([quotes_frame(quotes, "jsonl"), predicted], axis=1))
                tally.add(pd.concat([frame[["speaker", "speaker_type", "quote_id", "text"]], predicted], axis=1))
                records = predicted.to_dict(orient="records")
                for (quote, src, line), rec in zip(pending, records):
                    sample.offer(
                        lambda q=quote, r=rec, s=src, n=line: q.to_dict() | r | {"source": s, "source_line": n}
                    )
                stats["quotes"] += len(quotes)
                stats["low_confidence"] += int(predicted["low_confidence"].sum())
                for label, n in predicted["stance"].value_counts().items():
                    stats[f"quotes_{label}"] += int(n)
                so_far = time.perf_counter() - started
                bar.set_postfix(quotes=stats["quotes"], quotes_per_s=f"{stats['quotes'] / so_far:.1f}", refresh=False)

            pending: list[tuple[Quote, str, int | None]] = []
            articles = extractor.extract_many(good_articles())
            while True:
                tick = time.perf_counter()
                item = next(articles, None)
                seconds["extract"] += time.perf_counter() - tick
                if item is None:
                    break
                article_id, quotes = item
                src, line = sources.pop(article_id, (None, None))
                stats["articles"] += 1
                bar.update(1)
                pending.extend((q, src, line) for q in quotes)
                if len(pending) >= chunk_size:
                    classify(pending)
                    pending = []
            if pending:
                classify(pending)
            bar.close()
            elapsed = time.perf_counter() - started
            speaker_rows = tally.rows()
            summary = {
                "input": str(source),
                "output": str(out_dir),
                "model_uri": str(cfg.model_uri),
                "model_version": model_version,
                "labels": labels,
                **stats,
                "stance_counts": {label: stats[f"quotes_{label}"] for label in labels},
                "speakers": sum(1 for s in speaker_rows if s["resolved"]),
                "unresolved_quotes": tally.unresolved_quotes,
                "unresolved": "one '(unresolved)' row in speakers.csv",
                "low_confidence_threshold": threshold,
                "extract_seconds": round(seconds["extract"], 3),
                "classify_seconds": round(seconds["classify"], 3),
                "seconds": round(elapsed, 3),
                "articles_per_s": round(stats["articles"] / elapsed, 2) if elapsed > 0 else None,
                "quotes_per_s": round(stats["quotes"] / elapsed, 2) if elapsed > 0 else None,
            }
            speakers_writer = TableWriter(out_dir / SPEAKERS)
            staged.append(speakers_writer)
            speakers_writer.write(tally.frame())
            html = render_report(sample.items(), speaker_rows, labels, summary, int(report_cfg.get("max_speakers", 20)))
            staged.append(_StagedText(out_dir / REPORT, html))
            for item in staged:
                item.commit()
            summary["files"] = {staged_file.path.name: str(staged_file.path) for staged_file in staged}
        except BaseException:
            bar.close()
            for item in staged:
                item.abort()
            raise
        if run is not None:
            import mlflow

            metrics = {k: v for k, v in stats.items()}
            metrics.update(
                {
                    "speakers": summary["speakers"],
                    "unresolved_quotes": summary["unresolved_quotes"],
                    "extract_seconds": seconds["extract"],
                    "classify_seconds": seconds["classify"],
                    "seconds": elapsed,
                    "articles_per_s": summary["articles_per_s"] or 0.0,
                    "quotes_per_s": summary["quotes_per_s"] or 0.0,
                }
            )
            tracking.log_metrics(metrics)
            mlflow.log_artifact(str(out_dir / REPORT))
            mlflow.log_artifact(str(out_dir / SPEAKERS))
            summary["run_id"] = run.info.run_id
    log.info(
        "%d articles (%d rejected) -> %d quotes in %.1fs (extract %.1fs, classify %.1fs) -> %s",
        stats["articles"],
        stats["rejected"],
        stats["quotes"],
        elapsed,
        seconds["extract"],
        seconds["classify"],
        out_dir,
    )
    return summary
