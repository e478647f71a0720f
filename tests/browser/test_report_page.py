"""report.html as an analyst opens it: the pipeline run on the shipped sample articles plus one hostile article,
opened from disk (file://) in headless Chromium.

The page must draw the chart, list the quotes, show hostile quotes as text (no dialog, no request leaving
the page) and filter consistently with its own data attributes. The screenshot goes to
$STANCE_SCREENSHOT_DIR (or the test's tmp folder); `docs/img/report.png` is a copy of one.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from typing import Any

import pytest
from hydra import compose, initialize_config_dir

from browser_support import screenshot_dir
from stance.config import CONF_DIR, PROJECT_ROOT
from stance.workflows.pipeline import run_pipeline
from stance.workflows.train import run_training

SAMPLE_ARTICLES = PROJECT_ROOT / "data" / "sample_articles"
SCRIPT = "<script>alert(1)</script>"
LOW = 0.215  # about the median stance_score of the TF-IDF baseline on these articles
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = (
    f'Security researcher Ana Lopez warned: "Never paste {SCRIPT} into the comment form," '
    "adding that the site had been patched.\n\n"
    f'"A tag like {IMG} runs code too, so we escape everything," Lopez said.\n'
)


def _compose(name: str, overrides: list[str]):
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose(name, overrides=overrides)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The pipeline's outputs for the 30 sample articles + `zz-hostile.txt`.

    The model is the TF-IDF baseline trained on the tiny fixture data (seconds, no MLflow store): unlike the
    tiny BERT, which predicts one stance for every quote, it spreads the quotes over all stances, so the
    stance filter has something to filter. Its raw scores sit near 0.2, hence the low-confidence threshold; the
    model is left uncalibrated (`train.calibration=none`) because a temperature fitted on the tiny dev split moves
    every score, and the page needs some quotes on each side of the threshold.
    """
    folder = tmp_path_factory.mktemp("report_page")
    started = time.monotonic()
    train = ["data=tiny", "model=tfidf_logreg", "train=fast", "tracking=none", "train.calibration=none"]
    train.append(f"paths.output_dir={folder}/train")
    run_training(_compose("train", train))
    articles = folder / "articles"
    shutil.copytree(SAMPLE_ARTICLES, articles)
    (articles / "zz-hostile.txt").write_text(HOSTILE, encoding="utf-8")
    out = folder / "out"
    overrides = [f"input={articles}", f"output={out}", f"model_uri={folder}/train/model", f"low_confidence={LOW}"]
    summary = run_pipeline(_compose("pipeline", [*overrides, "progress=false", "tracking=none"]))
    print(f"trained + pipeline in {time.monotonic() - started:.1f}s")
    return {"summary": summary, "html": out / "report.html", "n_articles": len(list(articles.glob("*.txt")))}


def _quote_attrs(page: Any) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "div.quote",
        "qs => qs.map(q => ({stance: q.dataset.stance, speaker: q.dataset.speaker, low: q.dataset.low,"
        " article: q.closest('section.article').dataset.articleId}))",
    )


def _shown(page: Any) -> list[dict[str, str]]:
    """The data attributes of the quote rows a user sees now."""
    return page.eval_on_selector_all(
        "div.quote",
        "qs => qs.filter(q => q.offsetParent !== null).map(q => ({stance: q.dataset.stance,"
        " speaker: q.dataset.speaker, low: q.dataset.low}))",
    )


def _check_filter(page: Any, expected: list[dict[str, str]]) -> None:
    """#f-count, the visible rows and the visible article sections all match `expected`, the rows whose
    data attributes pass the filter."""
    from playwright.sync_api import expect

    expect(page.locator("#f-count")).to_have_text(str(len(expected)))
    expect(page.locator("div.quote:visible")).to_have_count(len(expected))
    key = ("stance", "speaker", "low")
    assert Counter(tuple(q[k] for k in key) for q in _shown(page)) == Counter(
        tuple(q[k] for k in key) for q in expected
    )
    expect(page.locator("section.article:visible")).to_have_count(len({q["article"] for q in expected}))


def test_report_page_from_sample_articles(report, page, tmp_path):
    from playwright.sync_api import expect

    started = time.monotonic()
    summary = report["summary"]
    assert summary["articles"] == report["n_articles"] and summary["rejected"] == 0
    dialogs: list[str] = []
    requests: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    url = report["html"].resolve().as_uri()
    page.goto(url)

    # the script ran, the chart and the quotes are there
    expect(page.locator("body")).to_have_class("js")
    expect(page.locator("#speaker-chart")).to_be_visible()
    bars = page.locator("#speaker-chart .bar[data-speaker]")
    assert 1 <= bars.count() <= 20
    attrs = _quote_attrs(page)
    assert len(attrs) == summary["quotes"] > 0  # 233 quotes < report.max_quotes, so all are listed
    expect(page.locator("div.quote:visible")).to_have_count(len(attrs))
    expect(page.locator("#f-count")).to_have_text(str(len(attrs)))
    expect(page.locator("section.article")).to_have_count(len({q["article"] for q in attrs}))

    # hostile quotes are shown as literal text, and nothing ran or loaded
    hostile = page.locator('section.article[data-article-id="zz-hostile"]')
    expect(hostile).to_contain_text(SCRIPT)
    expect(hostile).to_contain_text(IMG)
    assert SCRIPT in page.locator("body").inner_text()
    expect(hostile.locator("script, img")).to_have_count(0)
    page.wait_for_timeout(300)  # an onerror handler or a timer would have fired by now
    assert dialogs == [] and errors == []
    assert requests and all(r.startswith(("file://", "data:")) for r in requests), requests
    assert requests[0] == url

    # 1. stance filter: the most frequent stance
    stances = [q["stance"] for q in attrs]
    stance = max(set(stances), key=stances.count)
    page.select_option("#f-stance", stance)
    by_stance = [q for q in attrs if q["stance"] == stance]
    assert 0 < len(by_stance) < len(attrs)
    _check_filter(page, by_stance)

    # 2. a speaker bar (the top one) while the stance filter stays on; then all stances of that speaker
    bar = bars.first
    speaker = bar.get_attribute("data-speaker")
    bar.click()
    expect(page.locator("#f-speaker")).to_have_value(speaker)
    _check_filter(page, [q for q in by_stance if q["speaker"] == speaker])
    page.select_option("#f-stance", "")
    of_speaker = [q for q in attrs if q["speaker"] == speaker]
    assert 0 < len(of_speaker) < len(attrs)
    _check_filter(page, of_speaker)
    page.screenshot(path=str(screenshot_dir(tmp_path / "screenshots") / "report-speaker.png"))

    # 3. low-confidence only, all speakers
    page.select_option("#f-speaker", "")
    page.check("#f-low")
    low = [q for q in attrs if q["low"] == "1"]
    assert 0 < len(low) < len(attrs)
    _check_filter(page, low)
    page.uncheck("#f-low")
    expect(page.locator("#f-count")).to_have_text(str(len(attrs)))

    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshot_dir(tmp_path / "screenshots") / "report.png"))
    assert dialogs == [] and errors == []
    assert all(r.startswith(("file://", "data:")) for r in requests), requests
    print(f"browsed in {time.monotonic() - started:.1f}s")
