"""Every notebook runs top to bottom, headless, against the tiny model and a temporary MLflow store.

Notebooks default to the real corpus and the project's store; STANCE_NOTEBOOK_SMOKE=1 and STANCE_TRACKING_URI
(set here) make them run small. Committed notebooks carry no outputs, so diffs stay readable.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import open_dict

from stance.config import CONF_DIR, PROJECT_ROOT

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
NEEDS_STORE = {"02-articles-to-stances", "03-compare-runs", "04-error-analysis"}
# a line each notebook prints only when its own check against logged figures passed
EXPECTED_TEXT = {
    "01-corpus": "kappa matches stats.json",
    "02-articles-to-stances": "speakers.csv matches quotes.parquet",
    "04-error-analysis": "accuracy matches the run's logged test_accuracy",
}
CELL_TIMEOUT_S = 300
OUTPUT_ENV = "STANCE_NOTEBOOK_OUTPUT_DIR"


def _read(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def test_the_notebooks_are_there():
    names = {p.stem for p in NOTEBOOKS}
    assert {"01-corpus", "02-articles-to-stances", "03-compare-runs", "04-error-analysis"} <= names, names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(path: Path):
    for i, cell in enumerate(_read(path).cells):
        if cell.cell_type == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {i}: strip outputs before committing"
            assert cell.get("execution_count") is None, f"{path.name} cell {i}: execution_count left in"


@pytest.fixture(scope="module")
def notebook_store(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> str:
    """A SQLite store with two finished tiny runs; the first is registered as `stance@champion`."""
    from stance.workflows.train import run_training

    folder = tmp_path_factory.mktemp("notebook_store")
    uri = f"sqlite:///{folder}/mlflow.db"
    for i, lr in enumerate(("1e-3", "5e-5")):
        overrides = [
            f"tracking.uri={uri}",
            f"tracking.artifact_dir={folder}/mlartifacts",
            "data=tiny",
            "model=tiny",
            f"model.pretrained={tiny_model_dir}",
            "train=fast",
            "train.max_steps=4",
            f"train.lr={lr}",
            f"tracking.run_name=tiny-{i}",
            f"tracking.log_model={'true' if i == 0 else 'false'}",
        ]
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            cfg = compose("train", overrides=overrides)
        with open_dict(cfg):
            cfg.paths.output_dir = str(folder / f"out{i}")
        run_training(cfg)
    return uri


def _outputs(nb) -> tuple[str, int]:
    """All text the notebook printed or displayed, and how many images it drew."""
    texts, images = [], 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append(out.get("text", ""))
            data = out.get("data", {})
            texts.append(data.get("text/plain", ""))
            images += "image/png" in data
    return "\n".join(texts), images


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("STANCE_NOTEBOOK_SMOKE", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend renders headless (Agg)
    if path.stem in NEEDS_STORE:
        monkeypatch.setenv("STANCE_TRACKING_URI", request.getfixturevalue("notebook_store"))
    nb = _read(path)
    # a failing cell raises CellExecutionError naming the cell and its traceback
    NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
    ).execute()
    if os.environ.get(OUTPUT_ENV):  # keep the executed copy to look at (never over the committed one)
        import nbformat

        out = Path(os.environ[OUTPUT_ENV])
        out.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out / path.name)
    text, images = _outputs(nb)
    assert images >= 1, f"{path.name} drew no figure"
    if path.stem in EXPECTED_TEXT:
        assert EXPECTED_TEXT[path.stem] in text, text[-2000:]
