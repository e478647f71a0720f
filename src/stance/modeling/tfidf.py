"""TF-IDF + logistic regression: the baseline every transformer run is compared with."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from stance.modeling.calibration import softmax, temperature_of
from stance.modeling.checkpoints import seal
from stance.modeling.inputs import input_pairs
from stance.modeling.metrics import classification_metrics, label_ids
from stance.modeling.transformer import MANIFEST, MetricsSink

log = logging.getLogger(__name__)

VOCAB_FILE = "tfidf_vocabulary.json"
ARRAYS_FILE = "tfidf_arrays.npz"


def _first(pairs: list) -> list[str]:
    return [p[0] for p in pairs]


def _second(pairs: list) -> list[str]:
    return [p[1] for p in pairs]


class TfidfLogReg:
    """Word and character n-gram TF-IDF over each input segment, then logistic regression.

    The regularisation strength C is picked on dev from `c_grid`, so the baseline is tuned as
    fairly as the transformer it is compared with.
    """

    kind = "tfidf_logreg"

    def __init__(
        self,
        name: str = "tfidf_logreg",
        c_grid: Sequence[float] = (0.25, 1.0, 4.0, 16.0),
        word_ngrams: Sequence[int] = (1, 2),
        char_ngrams: Sequence[int] | None = (2, 5),
        max_features: int = 200_000,
        labels: Sequence[str] | None = None,
        input_mode: str = "text",
    ):
        self.name = name
        self.c_grid = [float(c) for c in c_grid]
        self.word_ngrams = tuple(word_ngrams)
        self.char_ngrams = tuple(char_ngrams) if char_ngrams else None
        self.max_features = int(max_features)
        self.labels = list(labels) if labels else []
        self.input_mode = input_mode
        self.pipeline: Pipeline | None = None
        self.calibration: dict[str, Any] = {}  # temperature scaling fitted on dev (modeling.calibration); {} = T 1

    @property
    def temperature(self) -> float:
        return temperature_of(self.calibration)

    def _features(self, pairs: bool) -> FeatureUnion:
        def block(prefix: str, select) -> list[tuple[str, Pipeline]]:
            parts = [
                (
                    f"{prefix}_word",
                    Pipeline(
                        [
                            ("select", FunctionTransformer(select)),
                            (
                                "tfidf",
                                TfidfVectorizer(
                                    ngram_range=self.word_ngrams,
                                    sublinear_tf=True,
                                    min_df=1,
                                    max_features=self.max_features,
                                ),
                            ),
                        ]
                    ),
                )
            ]
            if self.char_ngrams:
                parts.append(
                    (
                        f"{prefix}_char",
                        Pipeline(
                            [
                                ("select", FunctionTransformer(select)),
                                (
                                    "tfidf",
                                    TfidfVectorizer(
                                        analyzer="char_wb",
                                        ngram_range=self.char_ngrams,
                                        sublinear_tf=True,
                                        max_features=self.max_features,
                                    ),
                                ),
                            ]
                        ),
                    )
                )
            return parts

        parts = block("a", _first) + (block("b", _second) if pairs else [])
        return FeatureUnion(parts)

    def _rows(self, frame: pd.DataFrame) -> list[tuple[str, str]]:
        first, second = input_pairs(frame, self.input_mode)
        return list(zip(first, second if second is not None else [""] * len(first)))

    def fit(
        self,
        train: pd.DataFrame,
        dev: pd.DataFrame,
        labels: Sequence[str],
        input_mode: str,
        train_cfg: dict[str, Any],
        seed: int,
        work_dir: str | Path,
        log_metrics: MetricsSink | None = None,
    ) -> dict[str, float]:
        self.labels = list(labels)
        self.input_mode = input_mode
        x_train, x_dev = self._rows(train), self._rows(dev)
        y_train, y_dev = label_ids(train["label"], labels), label_ids(dev["label"], labels)
        weight = "balanced" if train_cfg.get("class_weights") else None
        best: tuple[float, Pipeline | None, dict[str, float]] = (-1.0, None, {})
        for step, c in enumerate(self.c_grid, start=1):
            pipe = Pipeline(
                [
                    ("features", self._features(input_mode != "text")),
                    ("clf", LogisticRegression(C=c, max_iter=2000, class_weight=weight, random_state=seed)),
                ]
            )
            pipe.fit(x_train, y_train)
            metrics = {f"eval_{k}": v for k, v in classification_metrics(y_dev, pipe.predict(x_dev), labels).items()}
            metrics["eval_C"] = c
            log.info("tfidf_logreg C=%s eval_macro_f1=%.4f", c, metrics["eval_macro_f1"])
            if log_metrics:
                log_metrics(metrics, step)
            if metrics["eval_macro_f1"] > best[0]:
                best = (metrics["eval_macro_f1"], pipe, metrics)
        self.pipeline = best[1]
        return dict(best[2])

    def predict_proba(self, frame: pd.DataFrame, batch_size: int = 0) -> np.ndarray:
        """Calibrated class probabilities: the log-probabilities / the model's temperature, renormalised (the
        same as dividing the logistic regression's logits by T)."""
        if self.pipeline is None:
            raise RuntimeError("model is not trained or loaded")
        if len(frame) == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        if self.temperature == 1.0:
            return self.pipeline.predict_proba(self._rows(frame)).astype(np.float32)
        return softmax(self.predict_scores(frame), self.temperature).astype(np.float32)

    def predict_scores(self, frame: pd.DataFrame, batch_size: int = 0) -> np.ndarray:
        """Uncalibrated log-probabilities: what a temperature is fitted on."""
        if self.pipeline is None:
            raise RuntimeError("model is not trained or loaded")
        if len(frame) == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float64)
        with np.errstate(divide="ignore"):
            return self.pipeline.predict_log_proba(self._rows(frame))

    def _vectorizers(self) -> list[tuple[str, TfidfVectorizer]]:
        """(name, vectorizer) for every TF-IDF block, in FeatureUnion order."""
        union = self.pipeline.named_steps["features"]
        return [(name, block.named_steps["tfidf"]) for name, block in union.transformer_list]

    def save(self, path: str | Path) -> Path:
        """Vocabularies and the classifier as JSON, idf and coefficients as NPZ: plain data, no pickle,
        so loading a model from an untrusted folder runs no code from it."""
        if self.pipeline is None:
            raise RuntimeError("model is not trained")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        clf: LogisticRegression = self.pipeline.named_steps["clf"]
        arrays: dict[str, np.ndarray] = {"coef": clf.coef_, "intercept": clf.intercept_, "classes": clf.classes_}
        vocab: dict[str, dict[str, int]] = {}
        for name, vectorizer in self._vectorizers():
            vocab[name] = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
            arrays[f"idf.{name}"] = vectorizer.idf_
        (path / VOCAB_FILE).write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        np.savez(path / ARRAYS_FILE, **arrays)
        manifest = {
            "kind": self.kind,
            "labels": self.labels,
            "input_mode": self.input_mode,
            "name": self.name,
            "word_ngrams": list(self.word_ngrams),
            "char_ngrams": list(self.char_ngrams) if self.char_ngrams else None,
            "max_features": self.max_features,
            "classifier": {"C": float(clf.C), "class_weight": clf.class_weight, "max_iter": int(clf.max_iter)},
        }
        if self.calibration:
            manifest["calibration"] = self.calibration
        (path / MANIFEST).write_text(json.dumps(manifest, indent=2))
        return seal(path)

    @classmethod
    def load(cls, path: str | Path, manifest: dict[str, Any]) -> TfidfLogReg:
        """Rebuild the fitted pipeline from JSON and NPZ (`allow_pickle=False`)."""
        path = Path(path)
        if not (path / ARRAYS_FILE).is_file():
            legacy = (
                " (a pickled pipeline.joblib from an older version is not loaded: retrain)"
                if (path / "pipeline.joblib").exists()
                else ""
            )
            raise FileNotFoundError(f"{path / ARRAYS_FILE}: TF-IDF model arrays are missing{legacy}")
        obj = cls(
            name=manifest.get("name", "tfidf_logreg"),
            word_ngrams=manifest.get("word_ngrams", (1, 2)),
            char_ngrams=manifest.get("char_ngrams"),
            max_features=manifest.get("max_features", 200_000),
            labels=manifest["labels"],
            input_mode=manifest["input_mode"],
        )
        obj.calibration = dict(manifest.get("calibration") or {})
        temperature_of(obj.calibration, str(path / MANIFEST))  # a broken record fails here, not at the first batch
        vocab = json.loads((path / VOCAB_FILE).read_text(encoding="utf-8"))
        with np.load(path / ARRAYS_FILE, allow_pickle=False) as arrays:
            spec = manifest.get("classifier", {})
            clf = LogisticRegression(
                C=float(spec.get("C", 1.0)),
                class_weight=spec.get("class_weight"),
                max_iter=int(spec.get("max_iter", 2000)),
            )
            clf.coef_, clf.intercept_, clf.classes_ = arrays["coef"], arrays["intercept"], arrays["classes"]
            clf.n_features_in_ = clf.coef_.shape[1]
            obj.pipeline = Pipeline([("features", obj._features(obj.input_mode != "text")), ("clf", clf)])
            for name, vectorizer in obj._vectorizers():
                if name not in vocab or f"idf.{name}" not in arrays:
                    raise ValueError(f"{path}: TF-IDF block '{name}' is missing from {VOCAB_FILE} or {ARRAYS_FILE}")
                vectorizer.vocabulary_ = vocab[name]
                vectorizer.idf_ = arrays[f"idf.{name}"]
        return obj
