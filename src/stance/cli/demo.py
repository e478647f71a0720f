"""`make demo`: the main job on real articles. Train the default model when no champion is registered,
then run `stance-pipeline` over the shipped sample of Wikinews articles and say where everything is.

Runs the same console scripts a user would, so the demo exercises the real commands.
"""

from __future__ import annotations

from stance.cli._common import prepare_process

prepare_process()

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from stance.config import PROJECT_ROOT  # noqa: E402

SAMPLE_ARTICLES = PROJECT_ROOT / "data" / "sample_articles"
OUT_DIR = PROJECT_ROOT / "outputs" / "demo"
DB = PROJECT_ROOT / "mlflow.db"
MODEL = "stance"
# The demo trains the default model (MiniLM) as a distilled student: the gold labels plus the shipped soft labels of
# the mpnet teacher (data/news_quotes/soft_labels/teacher_mpnet.parquet, over the gold train quotes and a sample of
# the unlabelled pool). 2 epochs over 4,719 gold + 2,400 pool quotes cost about what 3 epochs over the gold quotes
# alone did, which keeps the whole demo inside 15 minutes on 2 CPU cores (docs/benchmarks.md, "make demo").
TRAIN_OVERRIDES = [
    "train.progress=false",
    "train.epochs=2",
    "distill=teacher",
    "distill.pool_size=2400",
    "tracking.run_name=demo",
]


def pipeline_overrides() -> list[str]:
    """What the demo passes to `stance-pipeline` (a test composes the config with these)."""
    return [
        f"input={SAMPLE_ARTICLES}",
        f"output={OUT_DIR}",
        f"model_uri=models:/{MODEL}@champion",
        "tracking.run_name=demo",
    ]


def _command(name: str) -> list[str]:
    """The installed console script, or `python -m stance.cli.<name>` when this environment lacks it."""
    script = Path(sys.executable).with_name(name)
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", f"stance.cli.{name.removeprefix('stance-')}"]


def _champion_version(uri: str) -> str | None:
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    try:
        return client.get_model_version_by_alias(MODEL, "champion").version
    except Exception:
        return None


def main() -> int:
    uri = os.environ.get("MLFLOW_TRACKING_URI", f"sqlite:///{DB}")
    started = time.time()
    retrain = os.environ.get("STANCE_DEMO_RETRAIN", "0") == "1"
    if retrain or _champion_version(uri) is None:
        print(
            "== 1/2 training the default model (MiniLM, distilled from the mpnet teacher's soft labels, on the news-quote "
            "corpus); about 10 minutes on 2 CPU cores",
            flush=True,
        )
        subprocess.run([*_command("stance-train"), *TRAIN_OVERRIDES], check=True)
    else:
        print(f"== 1/2 a champion model is already registered in {uri}; reusing it (STANCE_DEMO_RETRAIN=1 retrains)")
    n_articles = len(list(SAMPLE_ARTICLES.glob("*.txt")))
    print(
        f"== 2/2 stance-pipeline: {n_articles} Wikinews articles in {SAMPLE_ARTICLES.relative_to(PROJECT_ROOT)}/ "
        f"-> quotes, speakers, stances (models:/{MODEL}@champion)",
        flush=True,
    )
    step = time.time()
    subprocess.run([*_command("stance-pipeline"), *pipeline_overrides()], check=True)
    step = time.time() - step

    import pandas as pd

    quotes = pd.read_parquet(OUT_DIR / "quotes.parquet", columns=["speaker", "stance", "stance_score", "text"])
    speakers = pd.read_csv(OUT_DIR / "speakers.csv", keep_default_na=False)
    resolved = speakers[speakers["resolved"]]
    print(f"\n== done in {time.time() - started:.0f} s (pipeline step {step:.0f} s)")
    print(f"model:     models:/{MODEL}@champion (version {_champion_version(uri)}) in {uri}")
    print(f"quotes:    {OUT_DIR / 'quotes.parquet'}  ({len(quotes)} quotes; by stance: ", end="")
    print(", ".join(f"{k} {v}" for k, v in quotes["stance"].value_counts().items()) + ")")
    print(f"speakers:  {OUT_DIR / 'speakers.csv'}  ({len(resolved)} named speakers)")
    for row in resolved.head(3).itertuples():
        print(f"  {row.speaker} ({row.speaker_type}): {row.quotes} quotes, e.g. {row.typical_quote_1[:80]}")
    print(f"rejects:   {OUT_DIR / 'rejects.jsonl'}")
    print(f"report:    {(OUT_DIR / 'report.html').as_uri()}   (open it in a browser)")
    print(
        f"MLflow:    make ui  (or: .venv/bin/mlflow ui --backend-store-uri {uri}), then open "
        "http://127.0.0.1:5000: experiments stance-train and stance-pipeline"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
