"""Classification throughput: `stance-classify` on each backend vs transformers' pipeline on the same encoder.

Every system classifies the same real quotes (the news-quote corpus, repeated to `--rows`) with the same number
of threads, in interleaved rounds (round 1: every system once, round 2: again, in another order, ...), so load
from other jobs on the machine hits all of them alike; the ratio to the baseline is the figure that counts.

- ours: `run_classify` (the whole `stance-classify` path: JSONL read in chunks, classified, JSONL written through
  a temp file; model loading included) with `classify.backend=torch`, `onnx` (int8) and optionally `onnx` fp32.
- baseline: `transformers.pipeline("text-classification", batch_size=32)` on the quotes as an in-memory list.
  For a mean-pooled model the pipeline loads the same encoder under a [CLS] head (a random linear layer on the
  first token, plus BERT's pooler): the same encoder FLOPs, different predictions, so only speed is compared.
- the arithmetic limit: the encoder's matmul FLOPs per quote at its own token length (no padding), against the
  fp32 matmul peak of these threads measured in the same run with torch (a square GEMM, best of several).

    .venv/bin/python benchmarks/classify_throughput.py --model models:/stance@champion --rows 10000
    .venv/bin/python benchmarks/classify_throughput.py --encoder mpnet --rows 2000   # a fresh head on the encoder
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from stance.config import PROJECT_ROOT as ROOT  # noqa: E402
from stance.workflows.classify import run_classify  # noqa: E402

LABELS = ["supportive", "critical", "dismissive", "urging_action", "neutral"]
# name -> (classify.backend, classify.quantize, classify.int8_scheme)
OURS = {
    "torch": ("torch", False, None),
    "onnx-int8": ("onnx", True, "full"),
    "onnx-int8-mixed": ("onnx", True, "mixed"),
    "onnx-fp32": ("onnx", False, None),
}


def quotes(rows: int) -> pd.DataFrame:
    """Real news quotes: every quote of the news-quote corpus (all splits; the news-cc part alone when the
    PolNeAR text is not available), repeated to `rows`."""
    try:
        from stance.data import as_frame, load_dataset

        splits = load_dataset("news_quotes")
        df = pd.concat([as_frame(part)[["text"]] for part in splits.values()], ignore_index=True)
    except Exception:
        df = pd.read_json(ROOT / "data" / "news_quotes" / "news_cc.jsonl", lines=True)[["text"]]
    reps = -(-rows // len(df))
    out = pd.concat([df] * reps, ignore_index=True).head(rows)
    out.insert(0, "id", [f"q{i}" for i in range(len(out))])
    return out


def model_folder(args: argparse.Namespace, tmp: Path) -> Path:
    """A local stance model folder: the trained model named by --model, or a fresh head on --encoder."""
    if args.encoder:
        import torch

        from stance.modeling.base_models import mpnet_dir
        from stance.modeling.checkpoints import minilm_dir
        from stance.modeling.transformer import TransformerClassifier

        torch.manual_seed(0)
        source = minilm_dir() if args.encoder == "minilm" else mpnet_dir(str(ROOT))
        clf = TransformerClassifier(str(source), max_length=128, name=args.encoder, labels=LABELS, pooling="mean")
        clf._load_pretrained(LABELS)
        return clf.save(tmp / "model")
    path = Path(args.model)
    if not path.exists():
        import mlflow

        from stance.modeling.predictor import pin_version

        mlflow.set_tracking_uri(args.tracking_uri)
        pinned, _, _ = pin_version(args.model, args.tracking_uri)
        path = Path(mlflow.artifacts.download_artifacts(artifact_uri=pinned, dst_path=str(tmp / "dl")))
    if (path / "MLmodel").is_file():
        path = path / "artifacts" / "model"
    return path


def encoder_flops(folder: Path, lengths: np.ndarray) -> float:
    """Matmul FLOPs of the encoder over quotes of these token lengths (2 per multiply-add; embeddings, norms,
    softmax and the head are left out: they are a few percent)."""
    config = json.loads((folder / "config.json").read_text())
    h, ffn, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    n = lengths.astype(np.float64)
    per_layer = 2 * n * (4 * h * h + 2 * h * ffn) + 2 * 2 * n * n * h  # QKV+output, FFN, QK^T and AV
    return float((layers * per_layer).sum())


def fp32_peak(threads: int) -> float:
    """FLOP/s of a 1024x1024 fp32 matmul on `threads` torch threads, best of 5."""
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    torch.mm(a, b)
    best = 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(4):
            torch.mm(a, b)
        best = max(best, 4 * 2 * 1024**3 / (time.perf_counter() - t0))
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models:/stance@champion")
    ap.add_argument("--encoder", choices=["minilm", "mpnet"], help="a fresh mean-pooled head on this base encoder")
    ap.add_argument("--tracking-uri", default=f"sqlite:///{ROOT}/mlflow.db")
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64, help="ours; the pipeline baseline uses 32")
    ap.add_argument("--systems", default="torch,onnx-int8,pipeline")
    ap.add_argument("--cache-dir", default=str(ROOT / ".cache" / "onnx"))
    ap.add_argument("--json", help="also write the result here")
    args = ap.parse_args()
    systems = args.systems.split(",")

    import torch
    from transformers import AutoTokenizer, pipeline

    torch.set_num_threads(args.threads)
    data = quotes(args.rows)
    tmp = Path(tempfile.mkdtemp(prefix="stance-bench-"))
    try:
        folder = model_folder(args, tmp)
        manifest = (
            json.loads((folder / "stance_model.json").read_text()) if (folder / "stance_model.json").is_file() else {}
        )
        max_length = int(manifest.get("max_length", 128))
        src = tmp / "quotes.jsonl"
        data.to_json(src, orient="records", lines=True, force_ascii=False)
        tokenizer = AutoTokenizer.from_pretrained(folder)
        lengths = np.array(
            [len(x) for x in tokenizer(data["text"].tolist(), truncation=True, max_length=max_length)["input_ids"]]
        )
        flops = encoder_flops(folder, lengths)

        def ours(name: str) -> float:
            backend, quantize, scheme = OURS[name]
            cfg = OmegaConf.create(
                {
                    "input": str(src),
                    "output": str(tmp / f"out-{name}.jsonl"),
                    "model_uri": str(folder),
                    "batch_size": args.batch_size,
                    "chunk_size": 4096,
                    "on_error": "raise",
                    "progress": False,
                    "fields": {"text": "text", "target": "target", "context": "context"},
                    "classify": {
                        "backend": backend,
                        "quantize": quantize,
                        "int8_scheme": scheme,
                        "threads": args.threads,
                        "cache_dir": args.cache_dir,
                    },
                }
            )
            t0 = time.perf_counter()
            summary = run_classify(cfg)
            seconds = time.perf_counter() - t0
            assert summary["rows"] == len(data), summary
            return seconds

        clf = None
        if "pipeline" in systems:
            clf = pipeline("text-classification", model=str(folder), tokenizer=str(folder), top_k=None, device=-1)

        def baseline() -> float:
            t0 = time.perf_counter()
            out = clf(data["text"].tolist(), batch_size=32, truncation=True, max_length=max_length)
            seconds = time.perf_counter() - t0
            assert len(out) == len(data)
            return seconds

        run = {name: (baseline if name == "pipeline" else (lambda n=name: ours(n))) for name in systems}
        # warm-up on 64 rows each: the ONNX export (cached) and lazy initialisation stay out of the timings
        for name in systems:
            if name != "pipeline":
                from stance.modeling.predictor import load_local

                load_local(
                    folder,
                    backend=OURS[name][0],
                    quantize=OURS[name][1],
                    scheme=OURS[name][2],
                    cache_dir=args.cache_dir,
                    threads=args.threads,
                ).predict_proba(data.head(64))
            else:
                clf(data["text"].head(64).tolist(), batch_size=32, truncation=True, max_length=max_length)
        peak_before = fp32_peak(args.threads)
        times: dict[str, list[float]] = {name: [] for name in systems}
        for r in range(args.rounds):
            order = systems if r % 2 == 0 else systems[::-1]
            for name in order:
                torch.set_num_threads(args.threads)
                times[name].append(run[name]())
                print(f"round {r + 1} {name}: {len(data) / times[name][-1]:.1f} quotes/s", flush=True)
        peak = max(peak_before, fp32_peak(args.threads))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    per_quote = flops / len(data)
    limit = peak / per_quote
    result: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "model": args.encoder and f"{args.encoder} (fresh mean-pooled head)" or args.model,
        "rows": len(data),
        "rounds": args.rounds,
        "threads": args.threads,
        "batch_size_ours": args.batch_size,
        "batch_size_pipeline": 32,
        "mean_tokens_per_quote": round(float(lengths.mean()), 1),
        "encoder_gflop_per_quote": round(per_quote / 1e9, 3),
        "fp32_peak_gflops": round(peak / 1e9, 1),
        "fp32_limit_quotes_per_s": round(limit, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} at the end",
        "quotes_per_s": {},
        "per_round_quotes_per_s": {},
    }
    for name, secs in times.items():
        result["quotes_per_s"][name] = round(len(data) / float(np.median(secs)), 1)
        result["per_round_quotes_per_s"][name] = [round(len(data) / s, 1) for s in secs]
    if "pipeline" in times:
        base = result["quotes_per_s"]["pipeline"]
        result["ratio_vs_pipeline"] = {
            n: round(q / base, 2) for n, q in result["quotes_per_s"].items() if n != "pipeline"
        }
        # per round: each system's time against the baseline's in the same round
        result["ratio_per_round"] = {
            n: [round(b / s, 2) for s, b in zip(times[n], times["pipeline"])] for n in times if n != "pipeline"
        }
    result["share_of_fp32_limit"] = {n: round(q / limit, 3) for n, q in result["quotes_per_s"].items()}
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text)


if __name__ == "__main__":
    main()
