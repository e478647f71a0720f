"""Data sources: each turns files into train/dev/test frames with columns text, label, [target, context, id].

Chosen in config (`data.source._target_`), so new corpora plug in without touching the trainer.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from stance.data.labelled import load_labelled, validate_frame
from stance.io import TableError, read_table

log = logging.getLogger(__name__)


@dataclass
class Splits:
    """The three standard splits plus optional extra evaluation sets (name -> frame)."""

    train: pd.DataFrame
    dev: pd.DataFrame
    test: pd.DataFrame
    extra_eval: dict[str, pd.DataFrame] = field(default_factory=dict)

    def sizes(self) -> dict[str, int]:
        out = {"train": len(self.train), "dev": len(self.dev), "test": len(self.test)}
        out.update({k: len(v) for k, v in self.extra_eval.items()})
        return out


def _read_tsv(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise TableError(path, "file not found (is paths.shared_data_dir or STANCE_SHARED_DATA_DIR right?)")
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=3)


def _stratified_split(frame: pd.DataFrame, fraction: float, seed: int, what: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    counts = frame["label"].value_counts()
    stratify = frame["label"] if counts.min() >= 2 and int(round(len(frame) * fraction)) >= len(counts) else None
    if stratify is None:
        log.warning("too few rows per label to stratify the %s split; splitting at random", what)
    keep, held = train_test_split(frame, test_size=fraction, random_state=seed, stratify=stratify)
    return keep.reset_index(drop=True), held.reset_index(drop=True)


def _validated(part: pd.DataFrame, labels: Sequence[str], input_mode: str, source: str, name: str) -> pd.DataFrame:
    """One split of a corpus source, reduced to the columns the trainer reads and validated like a user file."""
    columns = [c for c in ("id", "target", "text", "label", "context") if c in part.columns]
    return validate_frame(part[columns].reset_index(drop=True), labels, f"{source} [{name}]", None, input_mode)


def table_splits(
    labels: Sequence[str],
    input_mode: str,
    train_path: str,
    dev_path: str | None = None,
    test_path: str | None = None,
    dev_fraction: float = 0.1,
    test_fraction: float = 0.1,
    split_seed: int = 13,
) -> Splits:
    """A user's own files. A `split` column in the train file is honoured (train/dev/test, `validation` = dev);
    missing dev/test are carved out of train by a stratified split with a fixed seed, so any label set
    trains without code."""
    train = load_labelled(train_path, labels, input_mode)
    given = {
        name: load_labelled(path, labels, input_mode) if path else None
        for name, path in (("dev", dev_path), ("test", test_path))
    }
    if "split" in train.columns:
        for name in ("dev", "test"):
            part = train[train["split"] == name].reset_index(drop=True)
            if len(part) and given[name] is not None:
                raise TableError(train_path, f"has rows with split={name} and data.{name}_path is set too; use one")
            if len(part):
                given[name] = part
        train = train[train["split"] == "train"].reset_index(drop=True)
    dev, test = given["dev"], given["test"]
    if test is None:
        train, test = _stratified_split(train, test_fraction, split_seed, "test")
    if dev is None:
        train, dev = _stratified_split(train, dev_fraction / (1 - test_fraction), split_seed, "dev")
    return Splits(train, dev, test)


def perspectrum(
    labels: Sequence[str],
    input_mode: str,
    path: str,
    label_map: dict[str, str],
    dedup_test: bool = True,
) -> Splits:
    """PERSPECTRUM claim/perspective pairs (target = claim, text = perspective), split by claim upstream.

    The raw test set repeats each perspective cluster through crowd paraphrases; `dedup_test` keeps one
    row per cluster (the original perspective when there is one) as `test` and reports the full set
    as the extra evaluation `test_all`.
    """
    raw = _read_tsv(path)
    frame = pd.DataFrame(
        {
            "id": raw["claim_id"] + ":" + raw["perspective_id"],
            "target": raw["claim"],
            "text": raw["perspective"],
            "label": raw["stance_label_3"].map(label_map),
            "split": raw["split"],
            "cluster": raw["claim_id"] + ":" + raw["cluster_index"],
            "original": raw["perspective_source"] != "paraphrase",
        }
    )
    frame = frame[frame["label"].notna()]
    out = {}
    for name in ("train", "dev", "test"):
        part = frame[frame["split"] == name].reset_index(drop=True)
        out[name] = part
    extra = {}
    if dedup_test:
        test = out["test"].sort_values(["cluster", "original"], ascending=[True, False], kind="stable")
        dedup = test.drop_duplicates("cluster").reset_index(drop=True)
        extra["test_all"] = out["test"]
        out["test"] = dedup

    def clean(part: pd.DataFrame, name: str) -> pd.DataFrame:
        return _validated(part, labels, input_mode, path, name)

    return Splits(
        clean(out["train"], "train"),
        clean(out["dev"], "dev"),
        clean(out["test"], "test"),
        {k: clean(v, k) for k, v in extra.items()},
    )


def ibm_claim_stance(
    labels: Sequence[str],
    input_mode: str,
    path: str,
    label_map: dict[str, str],
    target_field: str = "topic",
    dev_topics: int = 4,
    split_seed: int = 13,
) -> Splits:
    """IBM Debater claim stance (target = topic, text = claim). Test topics are unseen in training;
    dev is a few whole train topics held out, so model selection also sees new topics."""
    raw = _read_tsv(path)
    if target_field not in raw.columns:
        raise TableError(path, f"no column '{target_field}'", field="target_field")
    frame = pd.DataFrame(
        {
            "id": raw["claim_id"],
            "target": raw[target_field],
            "text": raw["claim"],
            "label": raw["stance"].map(label_map),
            "topic_id": raw["topic_id"],
            "split": raw["split"],
        }
    )
    frame = frame[frame["label"].notna()]
    train = frame[frame["split"] == "train"]
    test = frame[frame["split"] == "test"]
    topics = sorted(train["topic_id"].unique(), key=int)
    rng = np.random.default_rng(split_seed)
    held = set(rng.choice(topics, size=min(dev_topics, len(topics) - 1), replace=False).tolist())
    dev = train[train["topic_id"].isin(held)]
    train = train[~train["topic_id"].isin(held)]
    log.info("ibm_claim_stance: dev topics %s", sorted(held, key=int))

    def clean(part: pd.DataFrame, name: str) -> pd.DataFrame:
        return _validated(part, labels, input_mode, path, name)

    return Splits(clean(train, "train"), clean(dev, "dev"), clean(test, "test"))


def _resolve_polnear(records: pd.DataFrame, lines: Sequence[int], polnear_dir: Path, path: str) -> pd.DataFrame:
    """Fill `text` and `context` of stand-off rows from a local PolNeAR copy (its text is never shipped)."""
    cache: dict[str, str] = {}
    texts, contexts = [], []
    for i, row in zip(lines, records.itertuples(index=False)):
        file = polnear_dir / str(row.polnear_split) / "text" / str(row.article_id)
        if row.article_id not in cache:
            if not file.is_file():
                raise TableError(path, f"PolNeAR article not found at {file}", line=i, field="article_id")
            cache[row.article_id] = file.read_text(encoding="utf-8")
        article = cache[row.article_id]
        quote = article[int(row.start) : int(row.end)]
        if hashlib.sha1(quote.encode("utf-8")).hexdigest()[:12] != row.text_sha1:
            raise TableError(path, f"offsets {row.start}-{row.end} do not match the PolNeAR copy at {file}", line=i)
        texts.append(quote)
        contexts.append(article[int(row.context_start) : int(row.context_end)])
    out = records.copy()
    out["text"] = texts
    out["context"] = contexts
    return out


def news_quotes(
    labels: Sequence[str],
    input_mode: str,
    news_cc_path: str,
    polnear_path: str | None = None,
    polnear_dir: str | None = None,
) -> Splits:
    """Our annotated news-quote corpus: news-cc rows carry their text; PolNeAR rows are stand-off and
    are resolved from `polnear_dir`. Without a PolNeAR copy, training goes on with news-cc alone."""
    frames = [read_table(news_cc_path)[0]]
    if polnear_path:
        folder = Path(polnear_dir) if polnear_dir else None
        if folder is None or not folder.is_dir():
            log.warning(
                "PolNeAR copy not found at %s: training on the news-cc part only (set data.polnear_dir)", polnear_dir
            )
        else:
            frames.append(_resolve_polnear(*read_table(polnear_path), folder, polnear_path))
    frame = pd.concat(frames, ignore_index=True)
    if "speaker" in frame.columns:
        frame["target"] = frame["speaker"].fillna("").astype(str)
    train, dev, test = (
        _validated(frame[frame["split"] == name], labels, input_mode, news_cc_path, name)
        for name in ("train", "dev", "test")
    )
    return Splits(train, dev, test)


def unlabelled_pool(path: str | Path, polnear_dir: str | Path | None = None) -> pd.DataFrame:
    """The unlabelled quote pool (data/news_quotes/unlabelled_pool.parquet) with text and context filled in.

    news-cc rows carry their text; PolNeAR rows are stand-off and are rebuilt from `polnear_dir` (checked
    against each quote's SHA-1). Without a PolNeAR copy only the news-cc rows are returned, with a warning."""
    frame, lines = read_table(path)
    is_pol = (frame["source"] == "polnear").to_numpy()
    parts = [frame[~is_pol]]
    if is_pol.any():
        folder = Path(polnear_dir) if polnear_dir else None
        if folder is None or not folder.is_dir():
            log.warning("PolNeAR copy not found at %s: returning the news-cc rows of the pool only", polnear_dir)
        else:
            pol_lines = [n for n, p in zip(lines, is_pol) if p]
            parts.append(_resolve_polnear(frame[is_pol], pol_lines, folder, str(path)))
    return pd.concat(parts, ignore_index=True)
