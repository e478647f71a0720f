"""The Ray pieces the jobs share: connecting, the actor pool, reading tables as Ray Data, and ordered results.

Ray rows here are envelopes, one per chunk of input rows: an order key (input file or article, then line), the
chunk as a pickled pandas frame, and the rows the chunk rejected. Shipping the frame whole, rather than letting
Ray convert it to Arrow columns, keeps every value and column type exactly as stance's own readers made them
(Ray would turn strings into Arrow-backed dtypes and refuse a column mixing ints and strings, which a bad input
row may well have), so the driver writes byte-for-byte what the local runner writes. The driver takes the
envelopes in input order (`preserve_order`), checks the keys rise, and writes rejects and rows as it goes.
"""

from __future__ import annotations

import contextlib
import logging
import math
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from stance.io import TableError, iter_table
from stance.io.writers import jsonable_row

log = logging.getLogger(__name__)

ORDER = "__stance_order"  # int64 sort key: (file or article index) << SHIFT | line or quote number
SHIFT = 40
LINE_MASK = (1 << SHIFT) - 1


def order_key(index: int, position: int | None) -> int:
    return (index << SHIFT) | int(position or 0)


@contextlib.contextmanager
def connect(runner: DictConfig) -> Iterator[None]:
    """Use the Ray this process is already connected to, or connect for the job and disconnect after.

    `address` "" starts an embedded local Ray (`num_cpus` caps it); `auto` joins the cluster this node belongs
    to; `ray://head:10001` (Ray Client) or `head:6379` joins an existing cluster.
    """
    import ray

    if ray.is_initialized():
        yield
        return
    address = str(runner.get("address") or "")
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": True}
    if address:
        ray.init(address=address, **kwargs)
        log.info("joined the Ray cluster at %s: %s", address, ray.cluster_resources())
    else:
        num_cpus = runner.get("num_cpus")
        ray.init(num_cpus=int(num_cpus) if num_cpus else None, **kwargs)
        log.info("started an embedded local Ray: %s", ray.cluster_resources())
    try:
        yield
    finally:
        ray.shutdown()


def actor_pool(runner: DictConfig) -> dict[str, Any]:
    """map_batches arguments for a fixed pool of `num_actors` actors (Ray's current `compute=` API)."""
    import ray

    args: dict[str, Any] = {
        "compute": ray.data.ActorPoolStrategy(size=int(runner.num_actors)),
        "num_cpus": float(runner.get("num_cpus_per_actor") or 1),
    }
    if float(runner.get("num_gpus_per_actor") or 0) > 0:
        args["num_gpus"] = float(runner.num_gpus_per_actor)
    return args


def actor_inference(runner: DictConfig, inference: dict[str, Any]) -> dict[str, Any]:
    """The `load_predictor` settings inside one actor: `classify.threads=0` ("every core") means the CPUs Ray
    reserved for the actor, not every core of the node, or two 1-CPU actors on two cores would run four threads
    and slow each other down."""
    if int(inference.get("threads") or 0) > 0:
        return dict(inference)
    return {**inference, "threads": max(1, math.ceil(float(runner.get("num_cpus_per_actor") or 1)))}


def pack(items: list[tuple[int, Any, list[dict]]]) -> Any:
    """(key, payload, rejects) items -> an Arrow table of envelopes (payload and rejects pickled)."""
    import pyarrow as pa

    return pa.table(
        {
            ORDER: pa.array([key for key, _, _ in items], pa.int64()),
            "payload": pa.array([pickle.dumps(p, protocol=5) for _, p, _ in items], pa.large_binary()),
            "rejects": pa.array([pickle.dumps(r, protocol=5) for _, _, r in items], pa.large_binary()),
        }
    )


def unpack(table: Any) -> list[tuple[int, Any, list[dict]]]:
    """The items `pack` made (the bytes only ever come from this job's own read tasks and actors)."""
    keys = table.column(ORDER).to_pylist()
    payloads = table.column("payload").to_pylist()
    rejects = table.column("rejects").to_pylist()
    return [(k, pickle.loads(p), pickle.loads(r)) for k, p, r in zip(keys, payloads, rejects)]


def reject_record(
    key: int, source: str, line: int | None, field: str | None, reason: str, logged: str, row: Any
) -> dict:
    """One rejected row: `reason`/`field` rebuild the error on_error=raise stops with, `logged` is the rejects-file
    reason (each command words it as its local runner does)."""
    return {
        "key": key,
        "source": source,
        "line": line,
        "field": field,
        "reason": reason,
        "logged": logged,
        "row": jsonable_row(row),
    }


def table_fault_record(index: int, err: TableError, row: Any) -> dict:
    logged = err.reason if err.field is None else f"field '{err.field}': {err.reason}"
    return reject_record(order_key(index, err.line), err.path, err.line, err.field, err.reason, logged, row)


class TableSource:
    """A Ray Data datasource over JSONL/CSV/Parquet files read with stance's own readers.

    One read task per file; each yields one envelope per `chunk_size` rows: (file index, frame, line numbers) as
    the local runner reads them, with the rows the reader could not read before it. Built as a
    `ray.data.Datasource` subclass on first use, so importing this module never needs Ray.
    """

    def __new__(cls, files: list[Path], chunk_size: int) -> Any:
        from ray.data.block import BlockMetadata
        from ray.data.datasource import Datasource, ReadTask

        class _TableDatasource(Datasource):
            def __init__(self) -> None:
                super().__init__()
                self.files = [str(f) for f in files]

            def get_name(self) -> str:
                return "StanceTables"

            def estimate_inmemory_data_size(self) -> int | None:
                return sum(Path(f).stat().st_size for f in self.files) * 3

            def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None, data_context=None):
                return [self._task(i, f) for i, f in enumerate(self.files)]

            def _task(self, index: int, path: str) -> ReadTask:
                def read() -> Iterator[Any]:
                    faults: list[dict] = []

                    def on_fault(err: TableError, row: Any) -> None:
                        faults.append(table_fault_record(index, err, row))

                    for chunk in iter_table(path, chunk_size=chunk_size, on_fault=on_fault):
                        key = order_key(index, chunk.lines[0] if chunk.lines else 0)
                        yield pack([(key, (index, chunk.frame, chunk.lines), list(faults))])
                        faults.clear()
                    if faults:  # unreadable rows after the last good one
                        yield pack([(faults[0]["key"], (index, None, []), faults)])

                meta = BlockMetadata(
                    num_rows=None, size_bytes=Path(path).stat().st_size, exec_stats=None, input_files=[path]
                )
                return ReadTask(read, meta)

        return _TableDatasource()


def ordered_results(ds: Any) -> Iterator[tuple[int, Any, list[dict]]]:
    """The result envelopes in input order; stops if Ray did not keep the order."""
    last = -1
    for table in ds.iter_batches(batch_size=None, batch_format="pyarrow", prefetch_batches=2):
        for key, payload, rejects in unpack(table):
            if key <= last:
                raise RuntimeError("Ray returned rows out of input order; the output would not match runner=local")
            last = max(last, key)
            yield key, payload, rejects


def take_rejects(records: list[dict], on_error: str, error: type[TableError], add: Any) -> None:
    """Rejected rows in input order: on_error=raise stops at the first with the error local would raise."""
    for record in records:
        if on_error == "raise":
            raise error(record["source"], record["reason"], line=record["line"], field=record["field"])
        log.warning("skipping %s, line %s: %s", record["source"], record["line"], record["logged"])
        add(record)


def raise_cause(err: BaseException) -> None:
    """Re-raise the original exception a Ray task error carries (a TableError, ArticleError...), if any."""
    cause = unwrap(err)
    if cause is not err:
        raise cause from None


def unwrap(err: BaseException) -> BaseException:
    """A Ray task error carries the original exception (a TableError, ArticleError...); surface that one."""
    cause = getattr(err, "cause", None)
    return cause if isinstance(cause, BaseException) else err
