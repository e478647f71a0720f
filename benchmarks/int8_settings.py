"""Which dynamic-int8 settings keep a trained model's test macro-F1? One float graph, several quantisers.

For each `--model` (a folder or a `models:/` URI) the float ONNX graph is exported once (the cache `stance-classify`
uses), then quantised with each setting of `onnxruntime.quantization.quantize_dynamic` named in `--variants`, and
every graph scores the news-quote test split on `--threads` threads. Reported per variant: test macro-F1 and its
per-label F1, the share of quotes whose top label matches the float graph's, the mean absolute difference of the
probabilities from the float graph's, quotes/s and the graph's size. This is how `QUANTIZE_OPTIONS` in
`stance.modeling.onnx_backend` was chosen (docs/benchmarks.md, "int8 accuracy").

    .venv/bin/python benchmarks/int8_settings.py --model models:/stance/3 --model models:/stance/4 --threads 1
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

from classify_throughput import ROOT, model_folder  # noqa: E402
from stance.data import as_frame, load_dataset  # noqa: E402
from stance.modeling.metrics import classification_metrics, label_ids  # noqa: E402
from stance.modeling.onnx_backend import OnnxClassifier, float_nodes  # noqa: E402
from stance.modeling.predictor import load_local  # noqa: E402

# name -> quantize_dynamic keyword arguments (weights int8 in every variant); None = the float graph itself
VARIANTS: dict[str, dict | None] = {
    "float": None,
    "tensor": {},  # onnxruntime's default: one scale per weight matrix, 8 bits (export format 1)
    "tensor_rr": {"reduce_range": True},
    "channel": {"per_channel": True},
    "channel_rr": {"per_channel": True, "reduce_range": True},  # export format 2, what stance ships
    "channel_rr_matmul": {"per_channel": True, "reduce_range": True, "op_types_to_quantize": ["MatMul"]},
    # unsigned 8-bit weights: onnxruntime's u8 x u8 kernels widen to 16 bits before adding pairs, so they avoid the
    # saturation that s8 weights risk on CPUs without VNNI (the reason for reduce_range), at full 8-bit precision
    "channel_u8": {"per_channel": True, "weight_type": "QUInt8"},
    "tensor_u8": {"weight_type": "QUInt8"},
    # format 2 with some matrices left in float (`exclude`: regular expressions over the graph's node names): the
    # feed-forward output (its input, after GELU, has the widest range), or the last two layers
    "channel_rr_ffn_out_fp32": {
        "per_channel": True,
        "reduce_range": True,
        "exclude": [r"/layer\.\d+/output/dense/MatMul$"],
    },
    "channel_rr_last2_fp32": {"per_channel": True, "reduce_range": True, "exclude": [r"/layer\.1[01]/"]},
    "channel_rr_attn_out_fp32": {"per_channel": True, "reduce_range": True, "exclude": [r"/attn/o/MatMul$"]},
}


def score(model: str, variants: list[str], threads: int, tracking_uri: str, cache_dir: Path) -> list[dict]:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = Path(tempfile.mkdtemp(prefix="stance-int8-settings-"))
    rows = []
    try:
        args = argparse.Namespace(model=model, encoder=None, tracking_uri=tracking_uri)
        folder = model_folder(args, tmp)
        test = as_frame(load_dataset("news_quotes")["test"])
        base = load_local(folder, backend="onnx", quantize=False, cache_dir=cache_dir, threads=threads)
        labels = list(base.labels)
        y_true = label_ids(test["label"], labels)
        reference = None
        for name in variants:
            options = VARIANTS[name]
            graph = base.graph
            if options is not None:
                graph = tmp / f"{name}.onnx"
                options = dict(options)
                weight_type = getattr(QuantType, options.pop("weight_type", "QInt8"))
                if "exclude" in options:
                    options["nodes_to_exclude"] = float_nodes(base.graph, options.pop("exclude"))
                quantize_dynamic(str(base.graph), str(graph), weight_type=weight_type, **options)
            clf = OnnxClassifier(
                graph,
                base.tokenizer,
                labels,
                base.input_mode,
                base.max_length,
                base.input_names,
                threads=threads,
                temperature=base.temperature,
            )
            started = time.perf_counter()
            probs = clf.predict_proba(test)
            seconds = time.perf_counter() - started
            reference = probs if reference is None else reference
            metrics = classification_metrics(y_true, probs.argmax(1), labels)
            rows.append(
                {
                    "model": model,
                    "variant": name,
                    "macro_f1": round(metrics["macro_f1"], 4),
                    "per_label": {label: round(metrics[f"f1_{label}"], 3) for label in labels},
                    "top_label_agreement": round(float((probs.argmax(1) == reference.argmax(1)).mean()), 4),
                    "mean_abs_prob_diff": round(float(np.abs(probs - reference).mean()), 5),
                    "quotes_per_s": round(len(test) / seconds, 2),
                    "size_mb": round(graph.stat().st_size / 1e6, 1),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="append", required=True, help="repeatable: folder or models:/ URI")
    ap.add_argument("--variants", default="float,tensor,tensor_rr,channel,channel_rr")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tracking-uri", default=f"sqlite:///{ROOT}/mlflow.db")
    ap.add_argument("--cache-dir", default=str(ROOT / ".cache" / "onnx"))
    ap.add_argument("--json", help="also write every row here")
    args = ap.parse_args()
    variants = args.variants.split(",")
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        ap.error(f"unknown variants {unknown}; choose from {sorted(VARIANTS)}")
    if variants[0] != "float":
        variants = ["float", *[v for v in variants if v != "float"]]  # the reference comes first
    rows = [r for m in args.model for r in score(m, variants, args.threads, args.tracking_uri, Path(args.cache_dir))]
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
