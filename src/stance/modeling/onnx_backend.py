"""ONNX Runtime inference for transformer classifiers: exported once, int8-quantised, cached beside the checkout.

The whole classifier (encoder, mean pooling or [CLS] head, linear layer) is one graph with dynamic batch and
sequence axes, exported with torch's TorchScript exporter (the dynamo exporter also works with torch 2.13 but
took 5x longer on MiniLM and writes external data) and quantised with `onnxruntime.quantization.quantize_dynamic`
(int8 weights, activations quantised per batch). The cache folder `<cache_dir>/<key>/` is keyed by the model's
file digests and manifest fields, written to a temp folder and renamed into place, and its files are checked
against the digests it records on every load: a changed model gets a new key, a corrupted cache is rebuilt.
The graphs output raw logits; the calibration temperature (`stance.modeling.calibration`) is read from the
manifest at every load and applied after the graph, so it is not part of the key and a new T never needs a new
export (nor can it be served from a stale one).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stance.modeling.backends import cpu_threads
from stance.modeling.calibration import temperature_of
from stance.modeling.checkpoints import MANIFEST, file_sha256
from stance.modeling.inputs import model_input_names, predict_sorted

log = logging.getLogger(__name__)

# Bump when the exported graph or the quantisation settings change: old caches are not reused, and an int8 check a
# model recorded under another format no longer counts (`stance.modeling.backends.int8_check_passed`).
# 3: a second int8 graph with the feed-forward output matrices in float (`INT8_SCHEMES`, "mixed");
# 2: int8 weights per output channel in 7 bits (see `QUANTIZE_OPTIONS`); 1 was per tensor in 8 bits.
EXPORT_FORMAT = 3
# Per-channel scales keep each output neuron's own range; the 7-bit range (`reduce_range`) avoids the 16-bit
# saturation of u8 x s8 products on CPUs without VNNI (the AVX2 `vpmaddubsw` path). On trained models of this
# project (docs/benchmarks.md, "int8 settings") the per-tensor 8-bit default dropped mpnet's test macro-F1 by 0.03 to
# 0.11 and both other combinations broke mpnet entirely (0.11 to 0.15), while this setting brought three mpnet seeds
# to +0.002, -0.011 and -0.027 of their float scores and halved the probability error on MiniLM, at the same speed.
QUANTIZE_OPTIONS: dict[str, Any] = {"per_channel": True, "reduce_range": True}
FLOAT_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
MIXED_FILE = "model.int8-mixed.onnx"
# The int8 graphs, fastest first; the int8 check (`stance.modeling.backends.check_int8`) takes the first that keeps the
# float test macro-F1. "mixed" leaves each layer's feed-forward output matrix in float: its input (after GELU) has the
# widest range of any, so quantising it per batch cost most of the error on mpnet (seeds 2 and 3: -0.011 and -0.027
# in "full", +0.001 and -0.006 in "mixed", at 1.4x float speed instead of 1.9x; docs/benchmarks.md, "int8 settings").
INT8_SCHEMES: dict[str, tuple[str, list[str]]] = {  # name -> (file, node-name patterns kept in float)
    "full": (INT8_FILE, []),
    "mixed": (MIXED_FILE, [r"/layer\.\d+/output/dense/MatMul$"]),
}
CACHE_META = "cache.json"
OPSET = 17
EXPORT_TOLERANCE = 1e-3  # max |logit| difference between torch and the float ONNX graph on the export example


class OnnxUnavailable(RuntimeError):
    """onnxruntime/onnx is not installed, or the model could not be exported."""


def _ort() -> Any:
    try:
        import onnxruntime
    except ImportError as err:
        raise OnnxUnavailable(
            "classify.backend=onnx needs onnxruntime and onnx (pip install onnxruntime onnx); "
            "or use classify.backend=torch"
        ) from err
    return onnxruntime


def available() -> bool:
    """Whether onnxruntime and onnx import (backend=auto falls back to torch without them)."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def cache_key(files: dict[str, str], manifest: dict[str, Any]) -> str:
    """One key per model version: every file's sha256 plus what the manifest says about reading the model."""
    spec = {
        "format": EXPORT_FORMAT,
        "files": dict(sorted(files.items())),
        **{k: manifest.get(k) for k in ("labels", "input_mode", "max_length", "pooling", "kind")},
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:24]


# ---- export and quantisation ---------------------------------------------------------------------------------
def _example(tokenizer: Any, input_mode: str, names: Sequence[str]) -> dict[str, Any]:
    """Two rows of different length, so the traced graph pads and masks like every real batch."""
    import torch

    first = ["A short quote.", "A longer quote, which the shorter one is padded to match in the batch."]
    second = ["a target", "a longer second segment"] if input_mode != "text" else None
    enc = tokenizer(first, second, padding=True, return_tensors="pt")
    return {n: enc[n].to(torch.int64) for n in names}


def export_float(model: Any, tokenizer: Any, input_mode: str, path: Path) -> list[str]:
    """Export `model` (a torch classifier returning `.logits`) to `path`; returns the graph's input names.

    The float graph is checked against torch on the example batch before it is used."""
    _ort()
    import torch

    names = model_input_names(tokenizer)
    example = _example(tokenizer, input_mode, names)

    class _Logits(torch.nn.Module):
        def __init__(self, inner: Any):
            super().__init__()
            self.inner = inner

        def forward(self, *arrays: Any) -> Any:
            return self.inner(**dict(zip(names, arrays))).logits

    wrapped = _Logits(model).eval()
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"logits": {0: "batch"}}
    try:
        with torch.inference_mode(False), torch.no_grad():
            torch.onnx.export(
                wrapped,
                tuple(example[n] for n in names),
                str(path),
                input_names=list(names),
                output_names=["logits"],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,
            )
            expected = wrapped(*(example[n] for n in names)).float().numpy()
    except Exception as err:
        raise OnnxUnavailable(f"exporting the model to ONNX failed: {type(err).__name__}: {err}") from err
    got = _session(path, 1).run(None, {n: example[n].numpy() for n in names})[0]
    diff = float(np.abs(got - expected).max())
    if not diff <= EXPORT_TOLERANCE:
        raise OnnxUnavailable(f"the exported ONNX graph differs from the torch model by {diff:.2e} logits")
    return list(names)


def float_nodes(graph: Path, patterns: Sequence[str]) -> list[str]:
    """The names of the graph's nodes matching any pattern: what a scheme keeps in float."""
    import re

    import onnx

    if not patterns:
        return []
    model = onnx.load(str(graph), load_external_data=False)
    return [n.name for n in model.graph.node if any(re.search(p, n.name) for p in patterns)]


def quantize_int8(source: Path, target: Path, keep_float: Sequence[str] = ()) -> None:
    """Dynamic int8 quantisation: int8 weights (`QUANTIZE_OPTIONS`), activations quantised per batch at run time;
    the nodes named in `keep_float` stay in float."""
    _ort()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    options = dict(QUANTIZE_OPTIONS)
    if keep_float:
        options["nodes_to_exclude"] = list(keep_float)
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, **options)


def build_cache(classifier: Any, folder: Path) -> None:
    """Write the float and int8 graphs and `cache.json` (their digests, the classifier's reading settings)."""
    started = time.perf_counter()
    names = export_float(classifier.model, classifier.tokenizer, classifier.input_mode, folder / FLOAT_FILE)
    exported = time.perf_counter()
    for file, patterns in INT8_SCHEMES.values():
        quantize_int8(folder / FLOAT_FILE, folder / file, float_nodes(folder / FLOAT_FILE, patterns))
    meta = {
        "format": EXPORT_FORMAT,
        "input_names": names,
        "labels": list(classifier.labels),
        "input_mode": classifier.input_mode,
        "max_length": int(classifier.max_length),
        "files": {f: file_sha256(folder / f) for f in (FLOAT_FILE, *(f for f, _ in INT8_SCHEMES.values()))},
    }
    (folder / CACHE_META).write_text(json.dumps(meta, indent=2))
    log.info(
        "exported to ONNX in %.1fs, quantised to int8 in %.1fs -> %s",
        exported - started,
        time.perf_counter() - exported,
        folder,
    )


def _valid(folder: Path) -> dict[str, Any] | None:
    """The cache's metadata when every file it lists is there with its recorded digest, else None."""
    try:
        meta = json.loads((folder / CACHE_META).read_text())
        if meta.get("format") != EXPORT_FORMAT:
            return None
        for name, digest in meta["files"].items():
            if file_sha256(folder / name) != digest:
                log.warning("%s: sha256 does not match the cache record; rebuilding the ONNX cache", folder / name)
                return None
        return meta
    except (OSError, ValueError, KeyError, TypeError):
        return None


def cached_export(cache_dir: Path, key: str, load_torch: Callable[[], Any]) -> tuple[Path, dict[str, Any]]:
    """The folder holding this model's ONNX graphs, exporting them first when missing or corrupted.

    Built in a temp folder beside the cache and renamed into place, so a crash never leaves a half cache and two
    processes exporting at once both end with a complete one."""
    folder = cache_dir / key
    meta = _valid(folder)
    if meta is not None:
        return folder, meta
    cache_dir.mkdir(parents=True, exist_ok=True)
    classifier = load_torch()
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache_dir))
    try:
        tmp.chmod(0o755)  # mkdtemp's 0700 would make the cache private to whoever exported first
        build_cache(classifier, tmp)
        if folder.exists():  # corrupted (or another process finished first): move it aside, then replace
            stale = Path(tempfile.mkdtemp(prefix=f".stale-{key}-", dir=cache_dir))
            try:
                os.replace(folder, stale / key)
            except OSError:
                pass
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.replace(tmp, folder)
        except OSError:  # another process renamed its complete copy into place first
            if _valid(folder) is None:
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    meta = _valid(folder)
    if meta is None:
        raise OnnxUnavailable(f"{folder}: the ONNX cache was written but does not verify")
    return folder, meta


# ---- inference -----------------------------------------------------------------------------------------------
def _session(path: Path, threads: int) -> Any:
    ort = _ort()
    options = ort.SessionOptions()
    options.intra_op_num_threads = cpu_threads(threads)
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxClassifier:
    """A stance predictor on ONNX Runtime: same inputs, labels and probabilities as the torch classifier."""

    kind = "onnx"

    def __init__(
        self,
        graph: Path,
        tokenizer: Any,
        labels: Sequence[str],
        input_mode: str,
        max_length: int,
        input_names: Sequence[str],
        threads: int = 0,
        temperature: float = 1.0,
    ):
        self.graph = Path(graph)
        self.temperature = float(temperature)  # applied to the graph's logits, like the torch classifier's
        self.scheme = next((name for name, (file, _) in INT8_SCHEMES.items() if file == self.graph.name), None)
        self.quantized = self.scheme is not None
        self.tokenizer = tokenizer
        self.labels = list(labels)
        self.input_mode = input_mode
        self.max_length = int(max_length)
        self.input_names = list(input_names)
        self.session = _session(self.graph, threads)

    @property
    def backend(self) -> str:
        if not self.quantized:
            return "onnx-fp32"
        return "onnx-int8" if self.scheme == "full" else f"onnx-int8-{self.scheme}"

    def predict_proba(self, frame: pd.DataFrame, batch_size: int = 64) -> np.ndarray:
        """Calibrated class probabilities in `frame`'s order (token-length-sorted batches, tokenised a window ahead)."""
        return self._predict(frame, batch_size, self.temperature, log_space=False)

    def predict_scores(self, frame: pd.DataFrame, batch_size: int = 64) -> np.ndarray:
        """Uncalibrated log-probabilities: what a temperature is fitted on."""
        return self._predict(frame, batch_size, 1.0, log_space=True)

    def _predict(self, frame: pd.DataFrame, batch_size: int, temperature: float, log_space: bool) -> np.ndarray:
        def logits(arrays: dict[str, np.ndarray]) -> np.ndarray:
            return self.session.run(None, arrays)[0]

        return predict_sorted(
            frame,
            self.tokenizer,
            self.input_mode,
            self.max_length,
            batch_size,
            len(self.labels),
            self.input_names,
            logits,
            temperature,
            log_space,
        )


def load(
    path: Path,
    files: dict[str, str],
    manifest: dict[str, Any],
    load_torch: Callable[[], Any],
    cache_dir: Path,
    quantize: bool = True,
    threads: int = 0,
    scheme: str = "full",
) -> OnnxClassifier:
    """The ONNX predictor for the model folder `path` (files already verified), exporting it on first use;
    `scheme` names the int8 graph (`INT8_SCHEMES`) when `quantize`."""
    from transformers import AutoTokenizer

    _ort()
    if scheme not in INT8_SCHEMES:
        raise ValueError(f"int8 scheme must be one of {sorted(INT8_SCHEMES)}, got '{scheme}'")
    folder, meta = cached_export(Path(cache_dir), cache_key(files, manifest), load_torch)
    graph = folder / (INT8_SCHEMES[scheme][0] if quantize else FLOAT_FILE)
    log.info("ONNX Runtime backend (%s): %s", f"int8 {scheme}" if quantize else "fp32", graph)
    return OnnxClassifier(
        graph,
        AutoTokenizer.from_pretrained(path),
        meta["labels"],
        meta["input_mode"],
        meta["max_length"],
        meta["input_names"],
        threads,
        temperature_of(manifest.get("calibration"), str(Path(path) / MANIFEST)),
    )
