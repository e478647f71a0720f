"""`make demo`: train the default model when no champion is registered, classify a sample file, say where it all is.

Runs the same console scripts a user would, so the demo exercises the real commands.
"""

from __future__ import annotations

from stance.cli._common import prepare_process

prepare_process()

import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from stance.config import PROJECT_ROOT  # noqa: E402

SAMPLE = PROJECT_ROOT / "data" / "sample_quotes.jsonl"
OUT_DIR = PROJECT_ROOT / "outputs" / "demo"
DB = PROJECT_ROOT / "mlflow.db"
MODEL = "stance"
# The demo trains exactly the default configuration (`stance-train` with no overrides), named for the UI.
TRAIN_OVERRIDES = ["train.progress=false", "tracking.run_name=demo"]


def _script(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _champion_version(uri: str) -> str | None:
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    try:
        return client.get_model_version_by_alias(MODEL, "champion").version
    except Exception:
        return None


def main() -> int:
    uri = os.environ.get("MLFLOW_TRACKING_URI", f"sqlite:///{DB}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    started = time.time()
    retrain = os.environ.get("STANCE_DEMO_RETRAIN", "0") == "1"
    if retrain or _champion_version(uri) is None:
        print(
            "== 1/2 training the default model (MiniLM on the news-quote corpus); a few minutes on 2 CPU cores",
            flush=True,
        )
        subprocess.run([_script("stance-train"), *TRAIN_OVERRIDES], check=True)
    else:
        print(f"== 1/2 a champion model is already registered in {uri}; reusing it (STANCE_DEMO_RETRAIN=1 retrains)")
    output = OUT_DIR / "sample_quotes.stance.jsonl"
    print(f"== 2/2 classifying {SAMPLE.relative_to(PROJECT_ROOT)} with models:/{MODEL}@champion", flush=True)
    subprocess.run(
        [_script("stance-classify"), f"input={SAMPLE}", f"output={output}", f"model_uri=models:/{MODEL}@champion"],
        check=True,
    )
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    agree = sum(r["stance"] == r.get("gold") for r in rows)
    print("\n== done in %.0f s" % (time.time() - started))
    print(f"model:        models:/{MODEL}@champion (version {_champion_version(uri)}) in {uri}")
    print(f"predictions:  {output}  ({len(rows)} rows; {agree} agree with the sample's gold label)")
    for r in rows[:3]:
        print(f"  [{r['stance']:>13} {r['stance_score']:.2f}] {r.get('speaker') or '?'}: {r['text'][:70]!r}")
    print(
        f"compare runs: .venv/bin/mlflow ui --backend-store-uri sqlite:///{DB}   (or: make ui), then open http://127.0.0.1:5000"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
