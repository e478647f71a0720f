"""Accuracy over several seeds, with the TF-IDF baseline beside it, as one reproducible command.

Runs `stance-train <overrides> seed=S tracking.run_name=<name>-s<S>` for each seed (reusing a FINISHED
run of the same name in the MLflow store, so an interrupted benchmark resumes), then the baseline, and
prints a markdown table: mean and spread (sample std) of test macro-F1, per-label F1 and wall time.

    .venv/bin/python benchmarks/seed_runs.py --name persp-lr1e-4-e3 --seeds 1 2 3 -- \
        data=perspectrum train.lr=1e-4 train.epochs=3 model.max_length=64
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

import mlflow

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def finished_run(client: mlflow.MlflowClient, name: str):
    exp = client.get_experiment_by_name("stance-train")
    if exp is None:
        return None
    runs = client.search_runs(
        [exp.experiment_id],
        filter_string=f"tags.mlflow.runName = '{name}' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    return runs[0] if runs else None


def run(client, name: str, overrides: list[str]):
    found = finished_run(client, name)
    if found is None:
        cmd = [str(BIN / "stance-train"), *overrides, f"tracking.run_name={name}", "train.progress=false"]
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True, cwd=ROOT)
        found = finished_run(client, name)
    return found


def fmt(values: list[float]) -> str:
    if not values:
        return "n/a"
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.4f} ± {spread:.4f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--baseline", default="model=tfidf_logreg", help="override(s) for the baseline run, '' to skip")
    ap.add_argument("--log-model", action="store_true", help="log and register each seed's model")
    ap.add_argument("overrides", nargs="*")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    uri = os.environ.get("MLFLOW_TRACKING_URI", f"sqlite:///{ROOT}/mlflow.db")
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    extra = [] if args.log_model else ["tracking.log_model=false"]
    runs = [run(client, f"{args.name}-s{s}", [*args.overrides, f"seed={s}", *extra]) for s in args.seeds]
    base = None
    if args.baseline:
        base = run(
            client, f"{args.name}-baseline", [*args.overrides, *args.baseline.split(), "tracking.log_model=false"]
        )

    metrics = [r.data.metrics for r in runs]
    keys = sorted({k for m in metrics for k in m if k.startswith(("test_", "test_all_")) and "f1" in k})
    print(f"\n### {args.name}: `{' '.join(args.overrides)}`, seeds {args.seeds}\n")
    print("| metric | model (mean ± std) | per seed | baseline |")
    print("|---|---|---|---|")
    for key in keys + ["best_eval_macro_f1", "train_wall_s"]:
        vals = [m[key] for m in metrics if key in m]
        per_seed = ", ".join(f"{v:.4f}" if key != "train_wall_s" else f"{v:.0f}" for v in vals)
        b = base.data.metrics.get(key) if base else None
        shown = fmt(vals) if key != "train_wall_s" else f"{statistics.mean(vals):.0f} s"
        print(
            f"| {key} | {shown} | {per_seed} | {'' if b is None else (f'{b:.4f}' if key != 'train_wall_s' else f'{b:.0f} s')} |"
        )
    print("\nruns:", ", ".join(r.info.run_id for r in runs), "; baseline:", base.info.run_id if base else "none")


if __name__ == "__main__":
    main()
