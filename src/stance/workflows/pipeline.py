"""`run_pipeline(cfg)`: articles in; quotes with speakers and stances, a speaker table and a report out.

Articles stream through the extractor; quotes are classified and written in chunks. Only per-speaker
tallies and a bounded sample of quotes (for the report) stay in memory, so input size is not limited
by RAM. Every output is a temp file until the run has finished; then all are renamed into place. A
failure at any point leaves nothing new in the output folder.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig

from stance.config import inference_settings, to_plain
from stance.extract.articles import HTML_SUFFIXES, TEXT_SUFFIXES, ArticleError, iter_articles
from stance.extract.pipeline import ArticleFault, build_extractor
from stance.io import TableWriter, count_rows
from stance.io.atomic import discard, new_temp, publish, remove_stale_temps
from stance.io.writers import jsonable_row
from stance.modeling.predictor import load_predictor, pin_version, predict_frame
from stance.records import Quote
from stance.report import QuoteSample, SpeakerTally, render_report
from stance.runners import runner_name
from stance.tracking import mlflow_run as tracking
from stance.workflows.extract import quotes_frame
from stance.workflows.pipeline_speakers import PipelineSpeakers

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
    try:
        pinned, version, _ = pin_version(model_uri, tracking_uri)
    except Exception as err:
        import mlflow

        where = tracking_uri or mlflow.get_tracking_uri()
        raise ValueError(f"cannot load model '{model_uri}' (tracking uri {where}): {err}") from err
    return pinned, version


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
    """A text file written now under a temp name and renamed into place (with the user's umask) by `commit()`."""

    def __init__(self, path: Path, text: str):
        self.path = path
        remove_stale_temps(path)
        self.tmp = new_temp(path)
        self.tmp.write_text(text, encoding="utf-8")

    def commit(self) -> Path:
        return publish(self.tmp, self.path)

    def abort(self) -> None:
        discard(self.tmp)


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


def classify_quotes(predictor: Any, frame: pd.DataFrame, batch_size: int, threshold: float) -> pd.DataFrame:
    """stance, stance_score, prob_<label> and low_confidence for a frame of quotes (both runners call this)."""
    predicted = predict_frame(predictor, _model_input(frame), batch_size=batch_size)
    predicted["low_confidence"] = predicted["stance_score"] < threshold
    return predicted


def _report_item(quote: dict[str, Any], predicted: dict[str, Any]) -> dict[str, Any]:
    """A quote as the report sample keeps it: the quote fields, its predictions, then source and source_line."""
    source = {"source": quote.pop("source", None), "source_line": quote.pop("source_line", None)}
    return quote | predicted | source


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


class _Job:
    """The state of one run while articles stream through: open writers, tallies, sample, counters."""

    def __init__(self, cfg: DictConfig, out_dir: Path, predictor: Any, threshold: float, on_error: str):
        report = cfg.get("report") or {}
        self.cfg, self.out_dir, self.predictor = cfg, out_dir, predictor
        self.threshold, self.on_error = threshold, on_error
        self.labels = list(predictor.labels)
        self.batch_size = int(cfg.batch_size)
        self.tally = SpeakerTally(
            self.labels, int(report.get("typical_quotes", 3)), int(report.get("quote_chars", 160))
        )
        self.sample = QuoteSample(int(report.get("max_quotes", 500)))
        self.stats: dict[str, int] = {"articles": 0, "quotes": 0, "rejected": 0, "low_confidence": 0}
        self.stats.update({f"quotes_{label}": 0 for label in self.labels})
        self.seconds = {"extract": 0.0, "classify": 0.0}
        self.started = time.perf_counter()
        self.staged: list[Any] = []  # every output, as a temp file until commit()
        self.speakers = PipelineSpeakers(out_dir, cfg.extract)  # quotes get their speaker_id once all are in
        self.writers = {"quotes": self.speakers.writer(QUOTES)}
        self.writers["rejects"] = self._stage(TableWriter(out_dir / REJECTS))
        if cfg.get("jsonl", False):
            self.writers["jsonl"] = self.speakers.writer(QUOTES_JSONL)
        self.bar: Any = None

    def _stage(self, item: Any) -> Any:
        self.staged.append(item)
        return item

    def reject(self, item: ArticleError) -> None:
        """A bad article goes to rejects.jsonl with its reason (or stops the run with on_error=raise)."""
        if self.on_error == "raise":
            raise item
        log.warning("skipping %s", item)
        reason = str(item.reason) + (f" (field '{item.field}')" if item.field else "")
        record = {"source": item.source, "line": item.line, "reason": reason, "row": jsonable_row(item.row)}
        self.writers["rejects"].write(pd.DataFrame([record]))
        self.stats["rejected"] += 1
        self.bar.update(1)

    def classify(self, pending: list[tuple[Quote, str | None, int | None]]) -> None:
        """Classify one chunk of quotes, write it, and fold it into the tallies and the report sample."""
        quotes = [q for q, _, _ in pending]
        frame = quotes_frame(quotes, "parquet")
        tick = time.perf_counter()
        predicted = classify_quotes(self.predictor, frame, self.batch_size, self.threshold)
        self.seconds["classify"] += time.perf_counter() - tick
        records = [
            lambda q=quote, s=src, n=line: q.to_dict() | {"source": s, "source_line": n} for quote, src, line in pending
        ]
        self.absorb(frame, predicted, records, lambda: quotes_frame(quotes, "jsonl"))

    def absorb(
        self,
        frame: pd.DataFrame,
        predicted: pd.DataFrame,
        records: list[Callable[[], dict[str, Any]]],
        jsonl_frame: Callable[[], pd.DataFrame],
    ) -> None:
        """Write classified quotes (in input order) and fold them into the tallies and the report sample.

        `records[i]()` builds quote i as the report shows it (with its source), only if the sample keeps it.
        Both runners end here, so they write, tally and sample the same way.
        """
        predicted = predicted.set_axis(frame.index)
        self.writers["quotes"].write(pd.concat([frame, predicted], axis=1))
        if "jsonl" in self.writers:
            self.writers["jsonl"].write(pd.concat([jsonl_frame().set_axis(frame.index), predicted], axis=1))
        self.speakers.observe(frame)
        for make, rec in zip(records, predicted.to_dict(orient="records")):
            self.sample.offer(lambda m=make, r=rec: _report_item(m(), r))
        self.stats["quotes"] += len(frame)
        self.stats["low_confidence"] += int(predicted["low_confidence"].sum())
        for label, n in predicted["stance"].value_counts().items():
            self.stats[f"quotes_{label}"] += int(n)
        rate = self.stats["quotes"] / max(time.perf_counter() - self.started, 1e-9)
        self.bar.set_postfix(quotes=self.stats["quotes"], quotes_per_s=f"{rate:.1f}", refresh=False)

    def stream(self, source: Path, extractor: Any) -> None:
        """Articles -> extractor -> chunks of quotes -> classifier -> writers, one chunk in memory at a time."""
        from tqdm.auto import tqdm

        cfg = self.cfg
        chunk_size = max(int(cfg.chunk_size), 1)
        sources: dict[str, tuple[str, int | None]] = {}  # articles read but not yet parsed (one nlp.pipe batch)
        progress = bool(cfg.get("progress", True))
        self.bar = tqdm(total=_count_articles(source), unit="article", desc="pipeline", disable=not progress)

        def good_articles() -> Iterator[tuple[str, str]]:
            for item in iter_articles(source, str(cfg.get("id_field", "id")), str(cfg.get("text_field", "text"))):
                if isinstance(item, ArticleError):
                    self.reject(item)
                    continue
                sources[item.article_id] = (item.source, item.line)
                yield item.article_id, item.text

        def extractor_fault(fault: ArticleFault) -> None:
            """An article the extractor cannot process (too long, an error in it), named by its file and line."""
            src, line = sources.pop(fault.article_id, (str(source), None))
            self.reject(ArticleError(src, str(fault), line=line, row={"id": fault.article_id}))

        pending: list[tuple[Quote, str | None, int | None]] = []
        articles = extractor.extract_many(good_articles(), on_error=extractor_fault)
        try:
            while True:
                tick = time.perf_counter()
                item = next(articles, None)
                self.seconds["extract"] += time.perf_counter() - tick
                if item is None:
                    break
                article_id, quotes = item
                src, line = sources.pop(article_id, (None, None))
                self.stats["articles"] += 1
                self.bar.update(1)
                pending.extend((q, src, line) for q in quotes)
                if len(pending) >= chunk_size:
                    self.classify(pending)
                    pending = []
            if pending:
                self.classify(pending)
            self.staged += self.speakers.finish(self.tally, self.sample)  # speaker_ids, and the tallies by them
        finally:
            self.bar.close()

    def summary(self, source: Path, model_version: str | None) -> dict[str, Any]:
        elapsed = time.perf_counter() - self.started
        stats = self.stats
        return {
            "input": str(source),
            "output": str(self.out_dir),
            "model_uri": str(self.cfg.model_uri),
            "model_version": model_version,
            "labels": self.labels,
            **stats,
            "stance_counts": {label: stats[f"quotes_{label}"] for label in self.labels},
            "speakers": sum(1 for s in self.tally.rows() if s["resolved"]),
            "unresolved_quotes": self.tally.unresolved_quotes,  # one "(unresolved)" row in speakers.csv
            "low_confidence_threshold": self.threshold,
            "extract_seconds": round(self.seconds["extract"], 3),
            "classify_seconds": round(self.seconds["classify"], 3),
            "seconds": round(elapsed, 3),
            "articles_per_s": round(stats["articles"] / elapsed, 2) if elapsed > 0 else 0.0,
            "quotes_per_s": round(stats["quotes"] / elapsed, 2) if elapsed > 0 else 0.0,
        }

    def finish(self, summary: dict[str, Any]) -> dict[str, str]:
        """Write speakers.csv and report.html, then rename every output into place; returns name -> path."""
        speakers = self._stage(TableWriter(self.out_dir / SPEAKERS))
        speakers.write(self.tally.frame(self.speakers.details()))
        max_speakers = int((self.cfg.get("report") or {}).get("max_speakers", 20))
        html = render_report(self.sample.items(), self.tally.rows(), self.labels, summary, max_speakers)
        self._stage(_StagedText(self.out_dir / REPORT, html))
        for item in self.staged:
            item.commit()
        self.speakers.close()
        return {item.path.name: str(item.path) for item in self.staged}

    def abort(self) -> None:
        for item in self.staged:
            item.abort()
        self.speakers.close()


def _run_params(cfg: DictConfig, job: _Job, model_version: str | None) -> dict[str, Any]:
    params = {
        "input": str(cfg.input),
        "output": str(job.out_dir),
        "model_uri": str(cfg.model_uri),
        "model_version": model_version,
        "model_input_mode": job.predictor.input_mode,
        "classify_backend": getattr(job.predictor, "backend", getattr(job.predictor, "kind", None)),
        "labels": job.labels,
        "low_confidence": job.threshold,
        "on_error": job.on_error,
    }
    runner = to_plain(cfg.get("runner")) or {"name": runner_name(cfg)}
    flat = tracking.flatten("", params, {}) | tracking.flatten("extract", to_plain(cfg.extract), {})
    return flat | tracking.flatten("runner", runner, {})


def run_pipeline(cfg: DictConfig) -> dict[str, Any]:
    """Extract, attribute and classify every quote of `cfg.input`; write quotes, speakers, report into
    `cfg.output` and track the run in MLflow (experiment `stance-pipeline`). Returns the summary."""
    source, out_dir, on_error, threshold = _check(cfg)
    t = cfg.tracking
    tracking_uri = str(t.uri) if t.get("uri") else None
    model_uri, model_version = resolve_model(str(cfg.model_uri), tracking_uri)
    predictor = load_predictor(model_uri, tracking_uri, **inference_settings(cfg))
    on_ray = runner_name(cfg) == "ray"
    extractor = build_extractor(cfg.extract)
    if not on_ray:
        extractor.nlp  # noqa: B018  load spaCy now, so extraction seconds count parsing, not start-up
    tags = {"git_commit": tracking.git_commit(cfg.paths.root_dir), **tracking.package_versions()}
    tags.update({str(k): str(v) for k, v in (to_plain(t.get("tags")) or {}).items()})
    run_name = str(t.get("run_name") or f"pipeline {source.name}")
    out_dir.mkdir(parents=True, exist_ok=True)

    with tracking.tracked_run(
        bool(t.enabled), str(t.uri), str(t.experiment), t.get("artifact_dir"), run_name, tags
    ) as run:
        job = _Job(cfg, out_dir, predictor, threshold, on_error)
        try:
            if run is not None:
                tracking.log_params(_run_params(cfg, job, model_version))
            if on_ray:  # Ray actors extract and classify; this job writes, tallies and samples as below
                from stance.runners.ray_articles import ray_pipeline_stream

                ray_pipeline_stream(job, cfg, model_uri, tracking_uri)
            else:
                job.stream(source, extractor)
            summary = job.summary(source, model_version)
            summary["files"] = job.finish(summary)
        except BaseException:
            job.abort()
            raise
        if run is not None:
            import mlflow

            numbers = ("speakers", "unresolved_quotes", "extract_seconds", "classify_seconds", "seconds")
            metrics = {**job.stats, **{k: summary[k] for k in (*numbers, "articles_per_s", "quotes_per_s")}}
            tracking.log_metrics(metrics)
            mlflow.log_artifact(str(out_dir / REPORT))
            mlflow.log_artifact(str(out_dir / SPEAKERS))
            summary["run_id"] = run.info.run_id
    log.info(
        "%d articles (%d rejected) -> %d quotes in %.1fs (extract %.1fs, classify %.1fs) -> %s",
        summary["articles"],
        summary["rejected"],
        summary["quotes"],
        summary["seconds"],
        summary["extract_seconds"],
        summary["classify_seconds"],
        out_dir,
    )
    return summary
