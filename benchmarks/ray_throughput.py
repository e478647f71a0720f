"""`stance-classify` throughput: runner=local (the baseline) against runner=ray with 1 and 2 actors, in one run.

The same quotes (real news quotes of the corpus, repeated to --rows), the same model, chunks and batch size for
all three; Ray is an embedded local Ray with --cpus CPUs, started once before the timed runs (its start-up is
reported apart). Each Ray time includes starting its actors and loading the model in each. The three output
files are checked to hold the same rows and stances, so the comparison is of equal work.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/ray_throughput.py --model /work/models/minilm-demo --rows 4000
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

from classify_throughput import quotes  # noqa: E402  (benchmarks/ is on sys.path when run as a script)
from stance.config import PROJECT_ROOT as ROOT  # noqa: E402
from stance.workflows.classify import run_classify  # noqa: E402


def config(src: Path, out: Path, model: str, tracking_uri: str, chunk: int, batch: int, actors: int | None) -> dict:
    runner = {"name": "local"}
    if actors:
        runner = {"name": "ray", "address": "", "num_actors": actors, "num_cpus_per_actor": 1, "batch_size": chunk}
    return {
        "input": str(src),
        "output": str(out),
        "model_uri": model,
        "tracking": {"uri": tracking_uri},
        "batch_size": batch,
        "chunk_size": chunk,
        "on_error": "raise",
        "progress": False,
        "fields": {"text": "text", "target": "target", "context": "context"},
        "runner": runner,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models:/stance@champion")
    ap.add_argument("--tracking-uri", default=f"sqlite:///{ROOT}/mlflow.db")
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--chunk", type=int, default=500, help="rows per chunk (local) and per Ray batch")
    ap.add_argument("--batch-size", type=int, default=64, help="quotes per forward pass")
    ap.add_argument("--cpus", type=int, default=2, help="CPUs of the embedded Ray")
    args = ap.parse_args()

    import ray
    import torch

    data = quotes(args.rows)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "quotes.jsonl"
        data.to_json(src, orient="records", lines=True, force_ascii=False)
        t0 = time.perf_counter()
        ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
        ray_start = time.perf_counter() - t0
        try:
            for name, actors in (("local", None), ("ray, 1 actor", 1), ("ray, 2 actors", 2)):
                out = Path(tmp) / f"{name.replace(' ', '').replace(',', '_')}.parquet"
                cfg = OmegaConf.create(
                    config(src, out, args.model, args.tracking_uri, args.chunk, args.batch_size, actors)
                )
                t0 = time.perf_counter()
                summary = run_classify(cfg)
                seconds = time.perf_counter() - t0
                stances = pd.read_parquet(out, columns=["id", "stance"])
                results[name] = {"seconds": round(seconds, 1), "quotes_per_s": round(summary["rows"] / seconds, 1)}
                results[name]["_stances"] = stances
        finally:
            ray.shutdown()
    baseline = results["local"].pop("_stances")
    for name in ("ray, 1 actor", "ray, 2 actors"):
        other = results[name].pop("_stances")
        assert other["id"].tolist() == baseline["id"].tolist(), f"{name}: rows differ from runner=local"
        results[name]["same_stances_as_local"] = float((other["stance"] == baseline["stance"]).mean())
    print(
        json.dumps(
            {
                "rows": len(data),
                "chunk": args.chunk,
                "batch_size": args.batch_size,
                "local_torch_threads": torch.get_num_threads(),
                "ray_cpus": args.cpus,
                "ray_start_seconds": round(ray_start, 1),
                "runs": results,
                "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
