"""`runner=ray` for stance-extract and stance-pipeline: a folder of articles through a Ray actor pool.

Each actor builds the extractor once (and loads the model once, for the pipeline) and turns a batch of article
files into their quotes; the driver takes them in input order into the local runner's writers (and, for the
pipeline, its speaker tallies and report sample), so every output file is the one `runner=local` writes.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig

from stance.config import inference_settings, to_plain
from stance.extract.articles import ArticleError, folder_articles, read_article
from stance.extract.pipeline import ArticleFault, build_extractor
from stance.io import RejectsWriter, TableWriter, table_format
from stance.io.writers import jsonable_row
from stance.modeling.predictor import load_predictor
from stance.runners import ray_engine as engine
from stance.runners.ray_engine import order_key, raise_cause, reject_record
from stance.workflows.extract import quotes_frame

log = logging.getLogger(__name__)


# ---- articles: extract (and classify, for the pipeline) ----------------------------------------------


def list_articles(cfg: DictConfig, on_error: str, skipped: Counter) -> tuple[list[dict], list[dict]]:
    """The folder's article files as Ray rows (order, id, path) and the rejects found while listing (duplicates)."""
    source = Path(str(cfg.input))
    if not source.is_dir():
        raise ValueError(
            f"{source}: runner=ray reads a folder (and sub-folders) of .txt/.html articles; "
            "for a single file or a table of articles use runner=local"
        )
    rows, rejected = [], []
    for n, item in enumerate(folder_articles(source, bool(cfg.get("recursive", True)), skipped)):
        if isinstance(item, ArticleError):
            if on_error == "raise":
                raise item
            rejected.append(_article_error_record(n, item))
            continue
        rows.append({"order": n, "article_id": item[0], "path": str(item[1])})
    return rows, rejected


def _article_error_record(n: int, err: ArticleError) -> dict:
    logged = str(err.reason) + (f" (field '{err.field}')" if err.field else "")
    return reject_record(order_key(n, 0), err.source, err.line, err.field, err.reason, logged, err.row)


def _fault_record(n: int, source: str, fault: ArticleFault) -> dict:
    logged = f"article '{fault.article_id}': {fault.reason}"
    return reject_record(order_key(n, 0), source, None, None, str(fault), logged, {"id": fault.article_id})


class _ArticleWorker:
    """An actor: builds the extractor once (and loads the model once, for the pipeline); a batch of article files
    per call -> one envelope: their quotes in input order (with predictions and source files for the pipeline)."""

    def __init__(self, cfg: dict[str, Any]):
        from omegaconf import OmegaConf

        self.cfg = cfg
        self.extractor = build_extractor(OmegaConf.create(cfg["extract"]))
        self.predictor = (
            load_predictor(cfg["model_uri"], cfg["tracking_uri"], **cfg["inference"]) if cfg.get("model_uri") else None
        )

    def __call__(self, batch: pd.DataFrame) -> Any:
        faults: list[dict] = []
        where: dict[str, tuple[int, str]] = {}
        good: list[tuple[str, str]] = []
        for n, article_id, path in zip(batch["order"].tolist(), batch["article_id"], batch["path"]):
            try:
                article = read_article(Path(path), article_id)
            except ArticleError as err:
                faults.append(_article_error_record(n, err))
                continue
            where[article_id] = (n, path)
            good.append((article.article_id, article.text))

        def on_fault(fault: ArticleFault) -> None:
            n, path = where[fault.article_id]
            faults.append(_fault_record(n, path, fault))

        quotes, sources, articles = [], [], []
        for article_id, found in self.extractor.extract_many(good, on_error=on_fault):
            quotes.extend(found)
            sources.extend([where[article_id][1]] * len(found))
            articles.append(article_id)
        frame = quotes_frame(quotes, self.cfg["format"])
        predicted = None
        if self.predictor is not None:
            from stance.workflows.pipeline import classify_quotes

            predicted = classify_quotes(self.predictor, frame, self.cfg["batch_size"], self.cfg["threshold"])
        payload = {"frame": frame, "predicted": predicted, "sources": sources, "articles": len(articles)}
        key = order_key(int(batch["order"].iloc[0]), 0)
        return engine.pack([(key, payload, sorted(faults, key=lambda r: r["key"]))])


def _article_results(cfg: DictConfig, rows: list[dict], actor_cfg: dict) -> Any:
    """Envelopes in input order: one per batch of articles, from a pool of `_ArticleWorker` actors."""
    import ray

    runner = cfg.runner
    ds = ray.data.from_items(rows)
    ds.context.execution_options.preserve_order = True
    ds = ds.map_batches(
        _ArticleWorker,
        batch_size=int(runner.get("batch_size") or 64),
        batch_format="pandas",
        fn_constructor_kwargs={"cfg": actor_cfg},
        **engine.actor_pool(runner),
    )
    return engine.ordered_results(ds)


def _with_listed(results: Any, listed: list[dict]) -> Any:
    """Merge the rejects found while listing the folder into the result stream, in input order."""
    listed = list(listed)
    for key, payload, records in results:
        early = [r for r in listed if r["key"] < key]
        listed = listed[len(early) :]
        yield key, payload, sorted(early + records, key=lambda r: r["key"])
    if listed:
        yield None, None, listed


def ray_extract(cfg: DictConfig) -> dict[str, Any]:
    """`stance-extract runner=ray`: quotes from a folder of articles, the local runner's output and rejects."""
    on_error = str(cfg.get("on_error", "raise"))
    output = Path(str(cfg.output))
    fmt = table_format(output)
    skipped: Counter = Counter()
    rows, listed = list_articles(cfg, on_error, skipped)
    rejects = RejectsWriter(output)
    stats = {"articles": 0, "quotes": 0, "rejected": 0}
    started = time.time()
    actor_cfg = {"extract": to_plain(cfg.extract), "format": fmt}

    def add(record: dict) -> None:
        rejects.add(record["source"], record["line"], record["logged"], record["row"])
        stats["rejected"] += 1

    with engine.connect(cfg.runner):
        try:
            with TableWriter(output, csv_safe=bool(cfg.get("csv_safe", True))) as writer:
                for _, payload, records in _with_listed(_article_results(cfg, rows, actor_cfg), listed):
                    engine.take_rejects(records, on_error, ArticleError, add)
                    if payload is None:
                        continue
                    stats["articles"] += payload["articles"]
                    if len(payload["frame"]) or writer.rows == 0:
                        writer.write(payload["frame"])
                        stats["quotes"] += len(payload["frame"])
        except BaseException as err:
            rejects.abort()
            raise_cause(err)
            raise
    rejects_path = rejects.commit()
    seconds = time.time() - started
    log.info("extracted %d quotes from %d articles on Ray into %s", stats["quotes"], stats["articles"], output)
    return {
        **stats,
        "output": str(output),
        "rejects": str(rejects_path) if rejects_path else None,
        "skipped_files": dict(skipped),
        "seconds": round(seconds, 2),
        "articles_per_second": round(stats["articles"] / seconds, 2) if seconds > 0 else None,
        "runner": "ray",
    }


def ray_pipeline_stream(job: Any, cfg: DictConfig, model_uri: str, tracking_uri: str | None) -> None:
    """`stance-pipeline runner=ray`: actors extract and classify; the driver's `job` (the local runner's writers,
    speaker tallies and report sample) takes the results in input order, so every output file is the same."""
    from tqdm.auto import tqdm

    skipped: Counter = Counter()
    rows, listed = list_articles(cfg, job.on_error, skipped)
    actor_cfg = {
        "extract": to_plain(cfg.extract),
        "format": "parquet",
        "model_uri": model_uri,
        "tracking_uri": tracking_uri,
        "inference": engine.actor_inference(cfg.runner, inference_settings(cfg)),
        "batch_size": int(cfg.batch_size),
        "threshold": job.threshold,
    }
    job.bar = tqdm(total=len(rows), unit="article", desc="pipeline (ray)", disable=not bool(cfg.get("progress", True)))
    tick = time.perf_counter()

    def add(record: dict) -> None:
        row = {"source": record["source"], "line": record["line"], "reason": record["logged"], "row": record["row"]}
        job.writers["rejects"].write(pd.DataFrame([row]))
        job.stats["rejected"] += 1

    with engine.connect(cfg.runner):
        try:
            for _, payload, records in _with_listed(_article_results(cfg, rows, actor_cfg), listed):
                engine.take_rejects(records, job.on_error, ArticleError, add)
                if payload is None:
                    continue
                job.stats["articles"] += payload["articles"]
                job.bar.update(payload["articles"])
                frame = payload["frame"]
                if len(frame):
                    made = [
                        lambda q=q, s=s: jsonable_row(q) | {"source": s, "source_line": None}
                        for q, s in zip(frame.to_dict(orient="records"), payload["sources"])
                    ]
                    job.absorb(frame, payload["predicted"], made, lambda f=frame: f)
        except BaseException as err:
            raise_cause(err)
            raise
        finally:
            job.bar.close()
    job.seconds["extract"] += time.perf_counter() - tick  # extraction and classification overlap in the actors
