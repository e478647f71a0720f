"""`runner=ray` for stance-classify: the local runner's rows, values, order and rejects, from a Ray actor pool.

Ray Data reads the tables (`ray_engine.TableSource`); `map_batches` runs a fixed pool of actors, each loading the
model once; the driver takes the results in input order into the local runner's atomic writer (one output file,
under a temp name until the end) and writes the rejects the same way. Only model code is imported here, so an
actor starts without spaCy.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from stance.config import inference_settings
from stance.io import RejectsWriter, TableError, TableWriter, count_rows
from stance.modeling.predictor import load_predictor, pin_version
from stance.runners import ray_engine as engine
from stance.workflows.classify import check_paths, classify_chunk, model_fields, run_summary

log = logging.getLogger(__name__)


# ---- classify ------------------------------------------------------------------------------------------


class _Classifier:
    """An actor: loads the model once; classifies chunks (each one file's rows, as read) per call."""

    def __init__(self, cfg: dict[str, Any], files: list[str]):
        self.cfg, self.files = cfg, [Path(f) for f in files]
        self.predictor = load_predictor(
            cfg["model_uri"], cfg["tracking_uri"], cfg["allow_pickle_weights"], **cfg["inference"]
        )

    def __call__(self, batch: Any) -> Any:
        out = []
        for key, (index, frame, lines), rejects in engine.unpack(batch):
            if frame is not None:
                faults: list[dict] = []

                def on_fault(err: TableError, row: Any, index: int = index, faults: list = faults) -> None:
                    faults.append(engine.table_fault_record(index, err, row))

                cfg = self.cfg
                args = (self.predictor, cfg["fields"], cfg["required"], cfg["batch_size"], on_fault)
                frame = classify_chunk(frame, lines, self.files[index], *args)
                rejects = rejects + faults  # as local: the reader's faults, then the rows it could not classify
            out.append((key, frame, rejects))
        return engine.pack(out)


def ray_classify(cfg: DictConfig) -> dict[str, Any]:
    """`stance-classify runner=ray`: the local runner's output and rejects, computed by a Ray actor pool."""
    import ray
    from tqdm.auto import tqdm

    files, output, on_error = check_paths(cfg)
    tracking_uri = str(cfg.tracking.uri) if cfg.get("tracking") and cfg.tracking.get("uri") else None
    allow_pickle = bool(cfg.get("allow_pickle_weights", False))
    model_uri = pin_version(str(cfg.model_uri), tracking_uri)[0]  # every actor loads this same version
    inference = inference_settings(cfg)
    predictor = load_predictor(model_uri, tracking_uri, allow_pickle, **inference)  # a bad model fails here, once
    fields, required = model_fields(cfg, predictor.input_mode)
    runner = cfg.runner
    actor_cfg = {
        "model_uri": model_uri,
        "tracking_uri": tracking_uri,
        "allow_pickle_weights": allow_pickle,
        "inference": engine.actor_inference(cfg.runner, inference),
        "fields": fields,
        "required": required,
        "batch_size": int(cfg.batch_size),
    }
    progress = bool(cfg.get("progress", True))
    total = sum(count_rows(path) or 0 for path in files) if progress else None
    rejects = RejectsWriter(output)
    written = 0
    started = time.time()

    def add(record: dict) -> None:
        rejects.add(record["source"], record["line"], record["logged"], record["row"])

    with engine.connect(runner):
        # Read tasks reserve no CPU: a pool that takes every CPU (num_actors x num_cpus_per_actor = the cluster's)
        # must not starve the reads that feed it, which would hang the job.
        source = engine.TableSource(files, int(runner.get("batch_size") or cfg.chunk_size))
        ds = ray.data.read_datasource(source, num_cpus=0)
        ds.context.execution_options.preserve_order = True
        ds = ds.map_batches(
            _Classifier,
            batch_size=1,  # one envelope (one chunk of one file) per call
            batch_format="pyarrow",
            fn_constructor_kwargs={"cfg": actor_cfg, "files": [str(f) for f in files]},
            **engine.actor_pool(runner),
        )
        bar = tqdm(total=total, unit="quote", disable=not progress, dynamic_ncols=True, desc="classify (ray)")
        try:
            with TableWriter(output, csv_safe=bool(cfg.get("csv_safe", True))) as writer:
                for _, frame, records in engine.ordered_results(ds):
                    engine.take_rejects(records, on_error, TableError, add)
                    if frame is not None:
                        writer.write(frame)
                        written += len(frame)
                        bar.update(len(frame) + len(records))
        except BaseException as err:
            rejects.abort()
            engine.raise_cause(err)
            raise
        finally:
            bar.close()
    rejects_path = rejects.commit()
    elapsed = time.time() - started
    log.info("classified %d rows (%d rejected) in %.1fs on Ray -> %s", written, rejects.count, elapsed, output)
    return run_summary(str(cfg.input), output, written, rejects.count, rejects_path, elapsed, predictor, runner="ray")
