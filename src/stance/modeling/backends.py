"""Which inference backend a transformer classifier runs on: torch (fp32) or ONNX Runtime (fp32 or int8).

`backend=auto` picks the fastest backend whose accuracy check passed: ONNX Runtime with int8 weights when the
model's manifest records that an int8 graph's test macro-F1 stayed within `MAX_F1_DELTA` of the float model's
(`stance-train` runs that check, `check_int8`: the fully quantised graph first, then the "mixed" one that keeps
the feed-forward output matrices in float), else torch. `backend=onnx` forces ONNX Runtime
(`quantize=false` for the float graph), `backend=torch` forces torch.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import pandas as pd

from stance.modeling.checkpoints import MANIFEST, file_digests
from stance.modeling.metrics import classification_metrics, label_ids

log = logging.getLogger(__name__)

BACKENDS = ("auto", "torch", "onnx")
INT8_CHECK = "onnx_int8"  # key under the manifest's "checks"
MAX_F1_DELTA = 0.01


def cpu_threads(threads: int | None = 0) -> int:
    """`threads`, else `$STANCE_NUM_THREADS`, else every core this process may run on."""
    if threads and threads > 0:
        return int(threads)
    env = os.environ.get("STANCE_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def int8_check_passed(manifest: dict[str, Any]) -> bool:
    """Whether the model's int8 graph, quantised as this version quantises it, kept the float test macro-F1.

    A check recorded under another export format tested another graph, so it does not count (a model trained
    before format 2 runs on torch under `auto` until checked again; `classify.backend=onnx` still forces int8)."""
    return int8_scheme(manifest) is not None


def int8_scheme(manifest: dict[str, Any]) -> str | None:
    """The int8 graph (`onnx_backend.INT8_SCHEMES`) whose check passed under this version's quantiser, or None.

    Format 2 had the "full" graph only, quantised as today, so its passed checks still count for "full"."""
    from stance.modeling.onnx_backend import EXPORT_FORMAT, INT8_SCHEMES

    record = (manifest.get("checks") or {}).get(INT8_CHECK) or {}
    if not record.get("passed"):
        return None
    fmt = record.get("export_format", 1)
    if fmt == 2:
        return "full"
    scheme = record.get("scheme", "full")
    return scheme if fmt == EXPORT_FORMAT and scheme in INT8_SCHEMES else None


def choose(backend: str, quantize: bool, manifest: dict[str, Any]) -> str:
    """'torch' or 'onnx' for a transformer model with this manifest (see the module docstring)."""
    if backend not in BACKENDS:
        raise ValueError(f"classify.backend must be one of {BACKENDS}, got '{backend}'")
    if backend != "auto":
        return backend
    from stance.modeling import onnx_backend

    if quantize and int8_check_passed(manifest) and onnx_backend.available():
        return "onnx"
    if quantize and int8_check_passed(manifest):
        log.warning("this model passed the int8 check, but onnxruntime is not installed: running on torch")
    return "torch"


def load_transformer(
    path: Path,
    manifest: dict[str, Any],
    backend: str = "torch",
    quantize: bool = True,
    cache_dir: str | Path | None = None,
    threads: int | None = None,
    scheme: str | None = None,
) -> Any:
    """A verified transformer model folder as a predictor on the chosen backend.

    `threads`: None leaves torch's setting alone; 0 uses every core; n uses n. `scheme`: which int8 graph
    (`onnx_backend.INT8_SCHEMES`); None takes the one whose check passed, else "full"."""
    from stance.modeling.transformer import TransformerClassifier

    chosen = choose(backend, quantize, manifest)
    if chosen == "torch":
        if threads is not None:
            import torch

            torch.set_num_threads(cpu_threads(threads))
        return TransformerClassifier.load(path, manifest)
    from stance.modeling import onnx_backend

    files = manifest.get("files") or file_digests(path)
    cache = Path(cache_dir) if cache_dir else Path.cwd() / ".cache" / "onnx"
    return onnx_backend.load(
        path,
        files,
        manifest,
        lambda: TransformerClassifier.load(path, manifest),
        cache,
        quantize,
        threads or 0,
        scheme or int8_scheme(manifest) or "full",
    )


def check_int8(
    saved: Path, classifier: Any, test: pd.DataFrame, float_f1: float, cache_dir: str | Path, batch_size: int = 64
) -> dict[str, Any]:
    """Export and quantise a just-saved transformer (into the cache `stance-classify` reads), score the int8 graph
    on `test` and record the outcome in the saved manifest, where `backend=auto` reads it.

    Never fails the training: a missing onnxruntime or a failed export is recorded as a failed check."""
    from stance.modeling import onnx_backend

    started = time.perf_counter()
    manifest_path = Path(saved) / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    labels = list(classifier.labels)
    try:
        y_true = label_ids(test["label"], labels)
        tried: dict[str, Any] = {}
        for scheme in onnx_backend.INT8_SCHEMES:  # fastest first; stop at the first that keeps the float F1
            predictor = onnx_backend.load(
                Path(saved), manifest["files"], manifest, lambda: classifier, Path(cache_dir), True, scheme=scheme
            )
            probs = predictor.predict_proba(test, batch_size=batch_size)
            int8_f1 = float(classification_metrics(y_true, probs.argmax(axis=1), labels)["macro_f1"])
            delta = int8_f1 - float(float_f1)
            tried[scheme] = {"test_macro_f1": round(int8_f1, 6), "delta": round(delta, 6)}
            if abs(delta) <= MAX_F1_DELTA:
                break
        record: dict[str, Any] = {
            **tried[scheme],  # the scheme that passed, else the last one tried
            "scheme": scheme,
            "float_test_macro_f1": round(float(float_f1), 6),
            "max_delta": MAX_F1_DELTA,
            "passed": abs(tried[scheme]["delta"]) <= MAX_F1_DELTA,
            "schemes": tried,
            "test_rows": len(test),
            "export_format": onnx_backend.EXPORT_FORMAT,
        }
    except Exception as err:  # recorded, not raised: the float model is still good
        log.warning("int8 check could not run: %s", err)
        record = {"passed": False, "error": f"{type(err).__name__}: {err}"}
    record["seconds"] = round(time.perf_counter() - started, 1)
    manifest.setdefault("checks", {})[INT8_CHECK] = record
    manifest_path.write_text(json.dumps(manifest, indent=2))  # the manifest is outside its own file digests
    classifier.checks = manifest["checks"]
    log.info("int8 check: %s", record)
    return record
