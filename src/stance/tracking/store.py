"""Opening an MLflow store safely when several processes share one SQLite file.

MLflow creates and migrates a fresh SQLite store on first contact; two processes doing that together
collide (`duplicate column name: step`, `table experiments already exists`). We create and migrate the
store once, under an inter-process lock on `<db>.lock`, before MLflow's own code touches it.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

log = logging.getLogger(__name__)

_prepared: set[str] = set()


def sqlite_path(uri: str | None) -> Path | None:
    """The database file of a `sqlite:///rel.db` or `sqlite:////abs/path.db` URI; None for other stores."""
    if not uri or not uri.startswith("sqlite:///"):
        return None
    path = unquote(uri[len("sqlite:///") :].split("?", 1)[0])
    return Path(path) if path and path != ":memory:" else None


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextlib.contextmanager
def store_lock(uri: str | None, exclusive: bool = True) -> Iterator[None]:
    """Hold `<db>.lock` (fcntl.flock) for a SQLite store; a no-op for other stores.

    A reader (`exclusive=False`) never creates the lock file: a store it may read was made by a process
    that created the lock file first, and a read-only folder stays untouched.
    """
    db = sqlite_path(uri)
    if db is None:
        yield
        return
    path = lock_path(db)
    try:
        if exclusive:
            db.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        else:
            fd = os.open(path, os.O_RDONLY)
    except OSError:
        if exclusive:
            raise
        yield  # no lock file (or unreadable): nobody who follows this protocol is writing the store
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def prepare_store(uri: str, artifact_root: str | None = None) -> None:
    """Create and migrate a SQLite store (tracking and registry tables) once, under the lock.

    MLflow's own store then finds every table in place and only verifies the schema. Servers
    (`http://…`) and other databases are left to MLflow: their migrations run once, at `mlflow server`
    or `mlflow db upgrade`.
    """
    db = sqlite_path(uri)
    if db is None or uri in _prepared:
        return
    from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore as TrackingStore

    root = artifact_root or db.parent.joinpath("mlartifacts").as_uri()
    with store_lock(uri, exclusive=True):
        fresh = not db.exists() or db.stat().st_size == 0
        for store in (TrackingStore(uri, root), RegistryStore(uri)):
            store.engine.dispose()
        if fresh:
            log.info("created MLflow store %s", db)
    _prepared.add(uri)


def require_store(uri: str) -> None:
    """Readers (classify) must not create a store: a missing SQLite file is an error, not a new empty store."""
    db = sqlite_path(uri)
    if db is not None and not db.is_file():
        raise FileNotFoundError(
            f"no MLflow store at {db} (tracking uri {uri}); train a model first or set tracking.uri"
        )
