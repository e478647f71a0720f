"""The MLflow UI as an analyst sees it: two tiny trainings logged over HTTP, then listed, compared and registered;
then a `stance-pipeline` run with the champion, whose report.html the UI lists and previews.

MLflow 3.17 opens an experiment in its GenAI view; the test switches to "Model training" like a user would.
Screenshots go to $STANCE_SCREENSHOT_DIR (or the test's tmp folder).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import mlflow
import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from browser_support import dismiss_mlflow_popups, screenshot_dir
from stance.config import CONF_DIR
from stance.workflows.pipeline import run_pipeline
from stance.workflows.train import run_training

RUNS = {"tiny-lr-high": "1e-3", "tiny-lr-low": "5e-5"}
MODEL = "stance"
F1_COLUMN = "metrics.`eval_macro_f1`"  # ag-grid's col-id of a metric column in MLflow 3.17


def _compose(name: str, overrides: list[str]) -> DictConfig:
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose(name, overrides=overrides)


@pytest.fixture(scope="module")
def trained(mlflow_server, tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Two tiny trainings logged over HTTP; run name -> run id. Only the first logs a model, so it becomes
    `stance@champion` (logging a model costs seconds)."""
    started = time.monotonic()
    folder = tmp_path_factory.mktemp("ui_trainings")
    run_ids = {}
    for i, (name, lr) in enumerate(RUNS.items()):
        overrides = [
            "data=tiny",
            "model=tiny",
            f"model.pretrained={tiny_model_dir}",
            "train=fast",
            f"tracking.uri={mlflow_server.url}",
            f"tracking.run_name={name}",
            f"tracking.registered_model={MODEL}",
            f"tracking.log_model={'true' if i == 0 else 'false'}",
            f"train.lr={lr}",
            "train.epochs=2",
            "train.max_steps=4",
            f"paths.output_dir={folder}/{name}",
        ]
        run_ids[name] = str(run_training(_compose("train", overrides))["run_id"])
    print(f"trained in {time.monotonic() - started:.1f}s")
    return run_ids


def _close_assistant(page: Any) -> None:
    """The MLflow Assistant side panel opens on most pages; close it so screenshots show the page itself."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    close = page.locator('[data-component-id="mlflow.assistant.chat_panel.close"]')
    try:
        close.wait_for(state="visible", timeout=5_000)
    except PlaywrightTimeout:
        return
    close.click()
    expect(close).to_have_count(0)


def test_runs_are_listed_compared_and_the_champion_is_shown(mlflow_server, trained, page, tmp_path):
    run_ids = trained
    client = mlflow.MlflowClient(tracking_uri=mlflow_server.url, registry_uri=mlflow_server.url)
    champion = client.get_model_version_by_alias(MODEL, "champion")
    assert champion.run_id == run_ids["tiny-lr-high"]
    started = time.monotonic()
    browse_and_check(page, mlflow_server.url, run_ids, screenshot_dir(tmp_path / "screenshots"))
    print(f"browsed in {time.monotonic() - started:.1f}s")


def _switch_to_model_training(page: Any, attempts: int = 4) -> None:
    """Click "Model training" until the runs view opens: a tip popping up at the same moment can eat a click
    (seen in CI), and a user would simply click again."""
    from playwright.sync_api import expect

    training = re.compile(r"/runs\?.*workflowType=machine_learning")
    for attempt in range(attempts):
        page.get_by_role("button", name="Model training", exact=True).click()
        try:
            expect(page).to_have_url(training, timeout=8_000)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def browse_and_check(page: Any, url: str, run_ids: dict[str, str], shots: Path) -> None:
    """What a user does in the UI, asserted against what the tracking API says about the same runs."""
    from playwright.sync_api import expect

    client = mlflow.MlflowClient(tracking_uri=url, registry_uri=url)
    experiment_id = client.get_run(next(iter(run_ids.values()))).info.experiment_id
    f1 = {name: client.get_run(run_id).data.metrics["eval_macro_f1"] for name, run_id in run_ids.items()}
    versions = client.search_model_versions(f"name='{MODEL}'")
    champion = client.get_model_version_by_alias(MODEL, "champion")

    # 1. The experiment opens in the GenAI view; "Model training" shows the runs table.
    dismiss_mlflow_popups(page)
    page.goto(f"{url}/#/experiments/{experiment_id}")
    _switch_to_model_training(page)
    _close_assistant(page)
    for name, run_id in run_ids.items():
        expect(page.locator(f'[role=row][row-id="{run_id}"]').filter(has_text=name)).to_have_count(1)
    expect(page.get_by_text(f"{len(run_ids)} matching runs")).to_be_visible()

    # 2. Add the eval_macro_f1 column; each run's row shows its own logged value.
    page.get_by_role("button", name="Columns").click()
    page.get_by_placeholder("Search columns").fill("eval_macro_f1")
    page.get_by_role("dialog").locator(".du-bois-light-tree-title").filter(
        has_text=re.compile(r"^eval_macro_f1$")
    ).click()
    page.keyboard.press("Escape")
    expect(page.locator(f"[role=columnheader][col-id='{F1_COLUMN}']")).to_be_visible()
    for name, run_id in run_ids.items():
        cell = page.locator(f"[role=row][row-id='{run_id}'] [col-id='{F1_COLUMN}']")
        expect(cell).to_have_count(1)
        assert float(cell.inner_text()) == pytest.approx(f1[name], abs=1e-9), name
    page.screenshot(path=str(shots / "01-runs.png"))

    # 3. Select both runs and open the compare view.
    for run_id in run_ids.values():
        page.locator(f'[role=row][row-id="{run_id}"]').get_by_label("Press Space to toggle row selection").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(r"#/compare-runs\?runs="))
    expect(page.get_by_text(f"Comparing {len(run_ids)} Runs from 1 Experiment")).to_be_visible()
    for run_id in run_ids.values():
        assert run_id in page.url
        expect(page.get_by_role("link", name=run_id)).to_be_visible()
    expect(page.get_by_role("link", name="eval_macro_f1", exact=True)).to_have_count(1)
    _close_assistant(page)
    _plot_metric(page, "eval_macro_f1")
    page.screenshot(path=str(shots / "02-compare.png"))

    # 4. The registered model lists its versions; the champion alias sits on the version the API names.
    page.goto(f"{url}/#/models")
    link = page.get_by_role("link", name=MODEL, exact=True)
    expect(page.get_by_role("row").filter(has=link)).to_contain_text("@ champion")
    link.click()
    expect(page).to_have_url(re.compile(rf"#/models/{MODEL}$"))
    rows = page.get_by_role("row").filter(has_text=re.compile(r"Version \d+"))
    expect(rows).to_have_count(len(versions))
    expect(rows.filter(has_text=f"Version {champion.version}")).to_contain_text("@ champion")
    expect(rows.filter(has_text="@ champion")).to_have_count(1)
    _close_assistant(page)
    page.screenshot(path=str(shots / "03-model.png"))


def _plot_metric(page: Any, metric: str) -> None:
    """Show `metric` instead of the default train_loss in the parallel-coordinates plot (for the screenshot)."""
    page.get_by_role("combobox").nth(1).click()
    page.locator(".du-bois-light-select-item-option").filter(has_text=re.compile(rf"^{metric}$")).click()
    page.keyboard.press("Escape")
    page.locator(".du-bois-light-select-selection-item").filter(has_text=re.compile(r"^train_loss$")).locator(
        ".du-bois-light-select-selection-item-remove"
    ).click()


SCRIPT = "<script>alert(1)</script>"
ARTICLES = {
    "council.txt": (
        "Mayor Jane Roe said the bridge would reopen on Monday.\n\n"
        '"We must repair it now, before the winter comes," Roe told reporters.\n'
    ),
    "hostile.txt": (
        f'Security researcher Ana Lopez warned: "Never paste {SCRIPT} into the comment form," '
        "adding that the site had been patched.\n"
    ),
}


def test_pipeline_report_opens_in_the_artifact_view(mlflow_server, trained, page, tmp_path):
    """stance-pipeline over HTTP with the champion; its report.html is listed and previewed by the UI (in a
    sandboxed iframe), the hostile quote shows as text, and the served artifact is the file the run wrote."""
    from playwright.sync_api import expect

    started = time.monotonic()
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, text in ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    overrides = [f"input={articles}", f"output={out}", "progress=false", f"tracking.uri={mlflow_server.url}"]
    summary = run_pipeline(_compose("pipeline", overrides))
    client = mlflow.MlflowClient(tracking_uri=mlflow_server.url, registry_uri=mlflow_server.url)
    run = client.get_run(summary["run_id"])
    assert client.get_experiment(run.info.experiment_id).name == "stance-pipeline"
    assert summary["model_version"] == client.get_model_version_by_alias(MODEL, "champion").version
    assert summary["articles"] == len(ARTICLES) and summary["quotes"] >= 2
    piped = time.monotonic()

    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    dismiss_mlflow_popups(page)
    page.goto(f"{mlflow_server.url}/#/experiments/{run.info.experiment_id}/runs/{run.info.run_id}")
    page.get_by_role("tab", name="Artifacts").click()
    _close_assistant(page)
    listed = page.get_by_text("report.html", exact=True).first
    expect(listed).to_be_visible()
    expect(page.get_by_text("speakers.csv", exact=True)).to_be_visible()
    listed.click()
    expect(page.get_by_text(f"{run.info.artifact_uri}/report.html")).to_be_visible()  # the "Path:" line

    # the preview: a sandboxed iframe holding the report, its own script run, the hostile quote as text
    iframe = page.locator("iframe.mlflow-html-iframe")
    expect(iframe).to_have_count(1)
    sandbox = iframe.get_attribute("sandbox") or ""
    assert "allow-same-origin" not in sandbox.split()
    report = page.frame_locator("iframe.mlflow-html-iframe")
    expect(report.locator("body")).to_have_class("js")
    expect(report.locator("#speaker-chart .bar[data-speaker]")).to_have_count(summary["speakers"])
    expect(report.locator("div.quote")).to_have_count(summary["quotes"])
    hostile = report.locator('section.article[data-article-id="hostile"]')
    expect(hostile).to_contain_text(SCRIPT)
    expect(report.locator("script")).to_have_count(1)  # the report's own filter script only
    expect(report.locator("#f-count")).to_have_text(str(summary["quotes"]))
    hostile.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir(tmp_path / "screenshots") / "04-report-artifact.png"))

    # the bytes the server hands out are the report the run wrote
    served = page.request.get(
        f"{mlflow_server.url}/get-artifact", params={"path": "report.html", "run_uuid": run.info.run_id}
    )
    assert served.ok, served.status
    assert served.body() == (out / "report.html").read_bytes()
    assert dialogs == []  # weak here: the sandbox lacks allow-modals; test_report_page.py checks it unsandboxed
    print(f"pipeline in {piped - started:.1f}s, browsed in {time.monotonic() - piped:.1f}s")
