"""One way in for labelled data: `load_dataset(...)` returns a Hugging Face `datasets.DatasetDict`.

Sources and validation stay in pandas, so errors still name file, line and field. The validated splits
are written once per content to an Arrow folder under the cache directory and memory-mapped from there,
so `Dataset.map` (tokenisation) caches its results beside them and a second run reuses them.
Nothing here talks to the Hugging Face Hub.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import datasets
import pandas as pd
from omegaconf import DictConfig

from stance.config import CONF_DIR, PROJECT_ROOT, instantiate
from stance.data.labelled import is_blank, validate_frame
from stance.io import read_table, table_format

log = logging.getLogger(__name__)

SPLITS = ("train", "dev", "test")
COLUMNS = ("text", "label", "id", "target", "context")  # kept, in validate_frame's order, when present
CACHE_ENV = "HF_DATASETS_CACHE"
FORMAT_VERSION = "stance-datasets-1"  # bump when the Arrow layout written here changes
DEFAULT_SEED = 42


def cache_dir(root: str | Path | None = None) -> Path:
    """$HF_DATASETS_CACHE when set, else `<project root>/outputs/hf_datasets_cache`."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return Path(root or PROJECT_ROOT) / "outputs" / "hf_datasets_cache"


def data_config_names() -> list[str]:
    return sorted(p.stem for p in (CONF_DIR / "data").glob("*.yaml"))


def compose_data_config(name: str, overrides: Sequence[str] = ()) -> DictConfig:
    """The training config with `data=<name>` (and any overrides), composed the way `stance-train` does."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    if name not in data_config_names():
        raise ValueError(f"unknown data config '{name}' (known: {data_config_names()}) and no such file")
    overrides = [f"data={name}", *overrides]
    if GlobalHydra.instance().is_initialized():  # inside a Hydra app: compose in its context
        return compose(config_name="train", overrides=overrides)
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose(config_name="train", overrides=overrides)


def load_dataset(
    source: str | Path | DictConfig,
    *,
    overrides: Sequence[str] = (),
    labels: Sequence[str] | None = None,
    input_mode: str | None = None,
    seed: int | None = None,
    cache: str | Path | None = None,
) -> datasets.DatasetDict:
    """Labelled data as a `DatasetDict` with splits train/dev/test (plus a corpus's extra evaluation sets).

    `source` is a data config name (`"news_quotes"`, composed from `conf/data/<name>.yaml` with
    `overrides`), a composed config (the whole training config or its `data` node), or a labelled
    JSONL/CSV/Parquet file. A config gives the splits training uses (subsampled by `data.max_train` /
    `data.max_eval`); a file gives the splits its optional `split` column names, else one `train` split.
    Columns: text, label (a `ClassLabel` with the label names), id, and target/context when present.
    `labels` and `input_mode` are for files only (labels default to the sorted set found in the file;
    a config sets them as `data.labels` and `data.input`). `cache` defaults to `cache_dir()`.
    """
    is_file = isinstance(source, (str, Path)) and (
        Path(source).is_file() or bool(Path(source).suffix) or os.sep in str(source)
    )
    if not is_file and (labels is not None or input_mode is not None):
        raise ValueError("labels and input_mode apply to a file; for a data config use data.labels / data.input")
    if isinstance(source, DictConfig):
        return _from_config(source, seed, cache)
    if is_file:
        if overrides:
            raise ValueError("overrides apply to a data config name, not to a file")
        return _from_file(Path(source), labels, input_mode or "text", cache)
    if isinstance(source, str):
        return _from_config(compose_data_config(source, overrides), seed, cache)
    raise TypeError(f"load_dataset takes a data config name, a config or a file path, not {type(source).__name__}")


def _from_config(cfg: DictConfig, seed: int | None, cache: str | Path | None) -> datasets.DatasetDict:
    root = cfg if "data" in cfg and "source" not in cfg else None
    data = cfg.data if root is not None else cfg
    labels = [str(x) for x in data.labels]
    if seed is None:
        seed = int(root.seed) if root is not None and root.get("seed") is not None else DEFAULT_SEED
    splits = instantiate(data.source, labels=labels, input_mode=data.get("input", "text"))
    parts = {"train": splits.train, "dev": splits.dev, "test": splits.test, **splits.extra_eval}
    parts = {
        name: subsample(frame, data.get("max_train") if name == "train" else data.get("max_eval"), seed)
        for name, frame in parts.items()
    }
    for name in SPLITS:
        if parts[name].empty:
            raise ValueError(f"data '{data.name}': the {name} split is empty")
    missing = sorted(set(labels) - set(parts["train"]["label"]))
    if missing:
        log.warning("labels with no training example: %s", missing)
    if cache is None and root is not None and "paths" in root:
        cache = cache_dir(root.paths.root_dir)
    return to_dataset_dict(parts, labels, str(data.name), cache)


def _from_file(
    path: Path, labels: Sequence[str] | None, input_mode: str, cache: str | Path | None
) -> datasets.DatasetDict:
    table_format(path)  # a clear error for an unsupported extension before anything is read
    frame, lines = read_table(path)
    if labels is None:
        found = frame["label"].tolist() if "label" in frame.columns else []
        labels = sorted({str(v).strip() for v in found if not is_blank(v)})
    clean = validate_frame(frame, labels, str(path), lines, input_mode)
    if "split" in clean.columns:
        parts = {name: clean[clean["split"] == name].reset_index(drop=True) for name in SPLITS}
        parts = {name: part for name, part in parts.items() if len(part)}
    else:
        parts = {"train": clean}
    return to_dataset_dict(parts, list(labels), path.stem, cache)


def subsample(frame: pd.DataFrame, limit: int | None, seed: int) -> pd.DataFrame:
    """Stratified subset (for quick demos); keeps label proportions."""
    if not limit or len(frame) <= limit:
        return frame
    frac = limit / len(frame)
    parts = [g.sample(frac=frac, random_state=seed) for _, g in frame.groupby("label", sort=True)]
    return pd.concat(parts).sample(frac=1.0, random_state=seed).reset_index(drop=True)


def features(labels: Sequence[str], columns: Sequence[str]) -> datasets.Features:
    return datasets.Features(
        {c: datasets.ClassLabel(names=list(labels)) if c == "label" else datasets.Value("string") for c in columns}
    )


def to_dataset(frame: pd.DataFrame, labels: Sequence[str]) -> datasets.Dataset:
    """A validated frame (string labels) as a `Dataset` whose label column is a `ClassLabel`."""
    columns = [c for c in COLUMNS if c in frame.columns]
    ids = {label: i for i, label in enumerate(labels)}
    unknown = sorted(set(frame["label"]) - set(ids))
    if unknown:
        raise ValueError(f"labels {unknown} are not among {list(labels)}")
    data = {
        c: frame[c].map(ids).astype(int).tolist() if c == "label" else frame[c].astype(str).tolist() for c in columns
    }
    return datasets.Dataset.from_dict(data, features=features(labels, columns))


def to_dataset_dict(
    parts: Mapping[str, pd.DataFrame], labels: Sequence[str], name: str, cache: str | Path | None = None
) -> datasets.DatasetDict:
    """Validated frames -> a memory-mapped `DatasetDict`, written once per content under the cache folder."""
    folder = cache_dir() if cache is None else Path(cache)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:60] or "data"
    target = folder / "stance_data" / f"{safe}-{_content_key(parts, labels)}"
    if not (target / "dataset_dict.json").is_file():
        built = datasets.DatasetDict({split: to_dataset(frame, labels) for split, frame in parts.items()})
        _save_atomically(built, target)
    return datasets.load_from_disk(str(target))


def as_frame(split: datasets.Dataset) -> pd.DataFrame:
    """A split back as a pandas frame with label names (for evaluation and the TF-IDF backend)."""
    frame = split.to_pandas()
    label = split.features.get("label")
    if isinstance(label, datasets.ClassLabel):
        frame["label"] = [label.names[i] for i in frame["label"]]
    return frame


@contextlib.contextmanager
def quiet_progress() -> Iterator[None]:
    """No per-split progress bars for writing a few thousand rows."""
    from datasets.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    was_disabled = are_progress_bars_disabled()
    disable_progress_bars()
    try:
        yield
    finally:
        if not was_disabled:
            enable_progress_bars()


def _content_key(parts: Mapping[str, pd.DataFrame], labels: Sequence[str]) -> str:
    digest = hashlib.sha256(json.dumps([FORMAT_VERSION, list(labels)]).encode())
    for split, frame in parts.items():
        columns = [c for c in COLUMNS if c in frame.columns]
        digest.update(json.dumps([split, columns, len(frame)]).encode())
        kept = frame[columns].astype(str).reset_index(drop=True)
        digest.update(pd.util.hash_pandas_object(kept, index=False).values.tobytes())
    return digest.hexdigest()[:20]


def _save_atomically(built: datasets.DatasetDict, target: Path) -> None:
    """Write to a temporary folder and rename, so a crash or a concurrent run never leaves half a cache."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        with quiet_progress():
            built.save_to_disk(str(tmp))
        try:
            tmp.rename(target)
        except OSError:
            if not (target / "dataset_dict.json").is_file():  # not just another process finishing first
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("cached %s", target)
