"""Shared pieces for browser tests: a headless Debian Chromium driven by Playwright, and a real `mlflow server`.

Playwright's own browser downloads are never used: we launch the system Chromium (`/usr/bin/chromium`,
Debian package `chromium`), so tests stay offline. Without Chromium (or the `playwright` package) the
browser tests are skipped, unless STANCE_REQUIRE_BROWSER=1 (set by CI), where that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("STANCE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_ENV = "STANCE_REQUIRE_BROWSER"
SCREENSHOT_ENV = "STANCE_SCREENSHOT_DIR"
SERVER_START_TIMEOUT_S = 120.0  # measured 40-80 s on a busy 2-core machine


def browser_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0", "false", "no")


def require_browser() -> None:
    """Skip (or, with STANCE_REQUIRE_BROWSER=1, fail) when Chromium or Playwright is missing."""
    problems = []
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        problems.append(f"no Chromium at {CHROMIUM} (install the Debian package `chromium`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the `playwright` package is not installed (pip install -e '.[dev]')")
    if not problems:
        return
    reason = "browser test: " + "; ".join(problems)
    if browser_required():
        pytest.fail(f"{reason} and {REQUIRE_ENV}=1 demands it", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def launch_chromium(**launch_kwargs: Any) -> Iterator[Any]:
    """A headless system Chromium as a Playwright `Browser`, closed on exit."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, **launch_kwargs)
        try:
            yield browser
        finally:
            browser.close()


def dismiss_mlflow_popups(page: Any) -> None:
    """Close MLflow's one-time tips ("Got it") and promotion modals whenever they cover the page.

    They appear a moment after load, so a one-off check races them; Playwright runs these handlers
    before every action instead.
    """
    got_it = page.get_by_role("button", name="Got it")
    page.add_locator_handler(got_it, lambda: got_it.first.click())
    page.add_locator_handler(page.locator(".du-bois-light-modal-wrap"), lambda: close_modals(page))


def close_modals(page: Any, attempts: int = 20) -> None:
    """Close every open modal (e.g. the model registry's promotion) as a user would: its X button, else Escape
    with the focus inside it. A lone Escape was lost once in CI when it came before the modal took the focus
    (Playwright then waits for the modal to hide and never retries), so this retries until none is open."""
    modals = page.locator(".du-bois-light-modal-wrap")
    for _ in range(attempts):
        shown = [modal for modal in modals.all() if modal.is_visible()]
        if not shown:
            return
        for modal in shown:
            close = modal.locator(".du-bois-light-modal-close")
            if close.count() and close.first.is_visible():
                close.first.click()
            else:
                modal.focus()
                page.keyboard.press("Escape")
        page.wait_for_timeout(250)


def describe_failure(page: Any, name: str) -> None:
    """After a failed UI test: screenshot the page and print what covers it (open modals, their text), so a CI
    log says which popup or state got in the way."""
    folder = screenshot_dir(Path(os.environ.get("TMPDIR", "/tmp")) / "stance-browser-failures")
    shot = folder / f"failed-{name}.png"
    try:
        page.screenshot(path=str(shot))
        print(f"failure screenshot: {shot}")
        print(f"url: {page.url}")
        for i, modal in enumerate(page.locator(".du-bois-light-modal-wrap").all()):
            visible = modal.is_visible()
            text = modal.inner_text(timeout=2_000) if visible else ""
            print(f"modal {i} visible={visible} html={modal.inner_html(timeout=2_000)[:1500]!r} text={text[:500]!r}")
    except Exception as error:  # noqa: BLE001 - diagnostics must never hide the real failure
        print(f"could not describe the failed page: {error!r}")


def screenshot_dir(default: Path) -> Path:
    """Where screenshots go: $STANCE_SCREENSHOT_DIR when set, else `default` (a test's tmp folder)."""
    folder = Path(os.environ.get(SCREENSHOT_ENV) or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class MlflowServer:
    url: str
    backend_uri: str
    artifacts: Path
    log_path: Path
    process: subprocess.Popen

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.is_file() else ""


def _mlflow_executable() -> str:
    beside = Path(sys.executable).with_name("mlflow")
    return str(beside) if beside.is_file() else "mlflow"


def _wait_until_up(server: MlflowServer, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"mlflow server exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"mlflow server at {server.url} not up after {timeout_s:.0f}s:\n{server.log_tail()}")


@contextlib.contextmanager
def run_mlflow_server(folder: Path, timeout_s: float = SERVER_START_TIMEOUT_S) -> Iterator[MlflowServer]:
    """`mlflow server` on a free loopback port with a SQLite store and proxied artifacts in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    backend = f"sqlite:///{folder / 'mlflow.db'}"
    artifacts = folder / "mlartifacts"
    log_path = folder / "server.log"
    command = [
        _mlflow_executable(),
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--backend-store-uri",
        backend,
        "--serve-artifacts",
        "--artifacts-destination",
        str(artifacts),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING")}
    env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"  # no background job workers: faster start, less CPU
    with open(log_path, "wb") as log:
        # its own process group: `mlflow server` runs uvicorn as a child, and both must stop with the test
        process = subprocess.Popen(
            command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = MlflowServer(f"http://127.0.0.1:{port}", backend, artifacts, log_path, process)
    try:
        _wait_until_up(server, timeout_s)
        yield server
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen) -> None:
    for sig, wait_s in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue
