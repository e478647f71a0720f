"""Log a saved stance model folder into an existing MLflow run and register it (alias champion if best).

For runs trained with `tracking.log_model=false` (e.g. seed benchmarks) whose model is later needed from
the registry, such as the PERSPECTRUM model that `experiment=ibm_transfer` fine-tunes further:

    .venv/bin/python scripts/register_run_model.py --run-name persp-lr1e-4-e3-s1 \
        --model-dir outputs/train/<time>/model --name stance-perspectrum
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import mlflow  # noqa: E402

from stance.config import PROJECT_ROOT  # noqa: E402
from stance.modeling.predictor import load_local, predict_frame  # noqa: E402
from stance.modeling.pyfunc import StanceModel  # noqa: E402
from stance.tracking.mlflow_run import log_and_register  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run-name", required=True)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--name", required=True, help="registered model name")
    ap.add_argument("--uri", default=f"sqlite:///{PROJECT_ROOT}/mlflow.db")
    args = ap.parse_args()
    mlflow.set_tracking_uri(args.uri)
    mlflow.set_registry_uri(args.uri)
    client = mlflow.MlflowClient()
    exp = client.get_experiment_by_name("stance-train")
    runs = client.search_runs([exp.experiment_id], filter_string=f"tags.mlflow.runName = '{args.run_name}'")
    if not runs:
        raise SystemExit(f"no run named {args.run_name}")
    run = runs[0]
    predictor = load_local(args.model_dir)
    columns = {"text": ["We must act now."], "target": ["Climate policy"], "context": [""]}
    example = __import__("pandas").DataFrame(columns)
    with mlflow.start_run(run_id=run.info.run_id):
        result = log_and_register(
            StanceModel(),
            Path(args.model_dir),
            example,
            predict_frame(predictor, example),
            args.name,
            "champion",
            run.data.metrics.get("best_eval_macro_f1", float("-inf")),
            metric="best_eval_macro_f1",
        )
    print(result)


if __name__ == "__main__":
    main()
