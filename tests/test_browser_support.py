"""Browser tests skip without Chromium, except under STANCE_REQUIRE_BROWSER=1 (CI), where that is a failure."""

from __future__ import annotations

import pytest

import browser_support


@pytest.fixture
def no_chromium(monkeypatch, tmp_path):
    monkeypatch.setattr(browser_support, "CHROMIUM", tmp_path / "no-such-chromium")


def test_missing_chromium_skips_with_the_reason(no_chromium, monkeypatch):
    monkeypatch.delenv(browser_support.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium at .*no-such-chromium"):
        browser_support.require_browser()


def test_missing_chromium_fails_when_required(no_chromium, monkeypatch):
    monkeypatch.setenv(browser_support.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="STANCE_REQUIRE_BROWSER=1"):
        browser_support.require_browser()


def test_present_chromium_passes(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setattr(browser_support, "CHROMIUM", fake)
    monkeypatch.setenv(browser_support.REQUIRE_ENV, "1")
    pytest.importorskip("playwright.sync_api")
    browser_support.require_browser()  # neither skips nor fails
