"""Classification throughput: `stance-classify` (file in, file out) vs transformers' pipeline.

Both use the same model folder, the same quotes and the same batch size, in one run; the baseline
only does inference on an in-memory list (no file reading or writing), so the ratio is conservative.

    .venv/bin/python benchmarks/classify_throughput.py --model models:/stance@champion --rows 4000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pandas as pd  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from stance.config import PROJECT_ROOT as ROOT  # noqa: E402
from stance.modeling.predictor import load_predictor  # noqa: E402
from stance.workflows.classify import run_classify  # noqa: E402


def quotes(rows: int) -> pd.DataFrame:
    """Real news quotes: every quote of the shipped news-quote corpus (news-cc part), repeated to `rows`."""
    df = pd.read_json(ROOT / "data" / "news_quotes" / "news_cc.jsonl", lines=True)
    df = df[["text", "speaker", "context"]].rename(columns={"speaker": "target"}).fillna("")
    reps = -(-rows // len(df))
    out = pd.concat([df] * reps, ignore_index=True).head(rows)
    out.insert(0, "id", [f"q{i}" for i in range(len(out))])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models:/stance@champion")
    ap.add_argument("--tracking-uri", default=f"sqlite:///{ROOT}/mlflow.db")
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()

    import torch
    from transformers import pipeline

    predictor = load_predictor(args.model, args.tracking_uri)
    folder = getattr(predictor, "pretrained", None)
    if folder is None:
        raise SystemExit("the throughput benchmark needs a transformer model")
    if getattr(predictor, "pooling", "cls") == "mean":
        # transformers' pipeline would load the encoder under a new, random [CLS] head: not the same model
        raise SystemExit(
            f"{args.model} is mean-pooled, which pipeline('text-classification') cannot run; "
            "pass --model with a model trained with model.pooling=cls"
        )
    data = quotes(args.rows)

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "quotes.jsonl"
        data.to_json(src, orient="records", lines=True, force_ascii=False)
        cfg = OmegaConf.create(
            {
                "input": str(src),
                "output": str(Path(tmp) / "out.jsonl"),
                "model_uri": str(folder),
                "batch_size": args.batch_size,
                "chunk_size": 4096,
                "on_error": "raise",
                "progress": False,
                "fields": {"text": "text", "target": "target", "context": "context"},
            }
        )
        t0 = time.perf_counter()
        summary = run_classify(cfg)
        ours = time.perf_counter() - t0

    clf = pipeline("text-classification", model=str(folder), tokenizer=str(folder), top_k=None, device=-1)
    second = {"target_text": None, "text_context": "context"}.get(predictor.input_mode)
    if predictor.input_mode == "target_text":
        inputs = [{"text": t, "text_pair": x} for t, x in zip(data["target"], data["text"])]
    elif second:
        inputs = [{"text": t, "text_pair": x} for t, x in zip(data["text"], data[second])]
    else:
        inputs = data["text"].tolist()
    t0 = time.perf_counter()
    baseline_out = clf(inputs, batch_size=args.batch_size, truncation=True, max_length=predictor.max_length)
    base = time.perf_counter() - t0
    assert len(baseline_out) == len(data) == summary["rows"]

    result = {
        "rows": len(data),
        "batch_size": args.batch_size,
        "torch_threads": torch.get_num_threads(),
        "stance_classify_quotes_per_s": round(len(data) / ours, 1),
        "hf_pipeline_quotes_per_s": round(len(data) / base, 1),
        "ratio": round(base / ours, 2),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
