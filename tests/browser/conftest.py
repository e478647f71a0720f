"""Fixtures for the browser tests: every test here is marked `browser` and skipped without Chromium.

`chromium` (a headless system Chromium, one per module), `page` (a fresh 1600x900 tab) and `mlflow_server`
(a real `mlflow server` with an empty SQLite store, one per module) are meant for any UI test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_support import MlflowServer, describe_failure, launch_chromium, require_browser, run_mlflow_server

HERE = Path(__file__).parent
UI_TIMEOUT_MS = 30_000  # generous: the MLflow UI renders slowly on a loaded 2-core machine


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module", autouse=True)
def _browser_present() -> None:
    """Skip (or fail under STANCE_REQUIRE_BROWSER=1) before any server is started."""
    require_browser()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """Keep each phase's report on the item, so `page` can tell whether the test body failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    from playwright.sync_api import expect

    expect.set_options(timeout=UI_TIMEOUT_MS)
    context = chromium.new_context(viewport={"width": 1600, "height": 900})
    context.set_default_timeout(UI_TIMEOUT_MS)
    try:
        tab = context.new_page()
        yield tab
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            describe_failure(tab, request.node.name)
    finally:
        context.close()


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    with run_mlflow_server(tmp_path_factory.mktemp("mlflow_server")) as server:
        yield server
