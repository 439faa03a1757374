"""Charts as Chromium draws them: no title or label cut with "…", every per-class row labelled,
and sweep charts for one and three seeds, at laptop (1366 px) and phone (390 px) widths.

Streamlit draws these charts with Vega's SVG renderer here, so the text Vega drew (after its own
truncation) is in the DOM as ``svg text``.
"""

from __future__ import annotations

import re

from e2e_helpers import assert_no_exception, screenshot, wait_for_app

from anomagram.data import SHORT_CLASS_NAMES

CHART = "[data-testid='stVegaLiteChart']"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# Every text element of every chart: [chart's first title line, [texts...]].
TEXTS_JS = """() => Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] svg"))
  .map(svg => [
    (svg.querySelector('.role-title-text text') || {}).textContent || '',
    Array.from(svg.querySelectorAll('text')).map(t => t.textContent),
  ])"""
# Streamlit redraws a chart at the new container width; wait until every one has.
WIDTHS_FIT_JS = """(max) => {
  const svgs = Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] svg"));
  return svgs.length > 0 && svgs.every(s => Number(s.getAttribute('width')) <= max);
}"""


def _cut_texts(page) -> list[tuple[str, str]]:
    return [(title, t) for title, texts in page.evaluate(TEXTS_JS) for t in texts if "…" in t]


def _at_width(page, viewport: dict) -> None:
    page.set_viewport_size(viewport)
    page.wait_for_function(WIDTHS_FIT_JS, arg=viewport["width"])
    wait_for_app(page)


def _chart(page, title: str):
    return page.locator(CHART).filter(has=page.locator("svg text", has_text=title))


def _open(page, app_url: str, path: str, ready) -> None:
    # The entry script must run once before a deep link works (see test_deep_links.py).
    page.set_viewport_size(LAPTOP)
    page.goto(app_url + "/")
    page.get_by_role("link", name=re.compile("Score your data")).wait_for()
    wait_for_app(page)
    page.goto(app_url + path)
    try:
        ready(page).wait_for()
    except Exception:
        screenshot(page, "charts_open_failed")  # what the page showed instead
        raise
    wait_for_app(page)


def _show(page, locator, name: str) -> None:
    """A 1366x768 screenshot with ``locator`` scrolled to the top of the view."""
    locator.scroll_into_view_if_needed()
    locator.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.mouse.move(0, 0)  # no tooltip over the charts
    screenshot(page, name)


def test_train_evaluation_charts_keep_every_label_and_title(page, app_url):
    _open(page, app_url, "/train", lambda p: p.get_by_role("button", name="▶ Train", exact=True))
    page.get_by_role("button", name="▶ Train", exact=True).click()
    page.get_by_text("Trained 30 epochs").wait_for(timeout=120_000)
    per_class = _chart(page, "Which beats get flagged")
    per_class.wait_for()
    wait_for_app(page)
    assert_no_exception(page)

    for viewport in (LAPTOP, PHONE):
        _at_width(page, viewport)
        labels = per_class.locator(".role-axis-label text").all_text_contents()
        # All five rows keep their label (two were dropped at the Train page's height).
        assert set(SHORT_CLASS_NAMES.values()) <= set(labels), (viewport, labels)
        assert not _cut_texts(page), viewport
        if viewport is LAPTOP:
            _show(page, _chart(page, "Confusion matrix"), "charts_train_evaluation")


def test_score_example_charts_are_not_cut(page, app_url):
    _open(page, app_url, "/score", lambda p: p.get_by_text("2 · Model"))
    page.get_by_role("radio", name=re.compile("Example file")).click()
    page.get_by_text("Beat by beat").wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    per_class = _chart(page, "Which beats get flagged")
    for viewport in (LAPTOP, PHONE):
        _at_width(page, viewport)
        assert not _cut_texts(page), viewport
        labels = per_class.locator(".role-axis-label text").all_text_contents()
        assert set(SHORT_CLASS_NAMES.values()) <= set(labels), (viewport, labels)
    _at_width(page, LAPTOP)
    tiles = page.locator("[data-testid='stMetric']").all_inner_texts()
    assert any(re.search(r"Accuracy\s+\d{1,3}\.\d %", t) for t in tiles), tiles
    _show(page, _chart(page, "Reconstruction error of your"), "charts_score_example")


def _sweep(page, app_url: str, seeds: int, runs: int) -> str:
    query = f"/experiments?param=abnormal_pct&values=0,30&seeds={seeds}"
    _open(page, app_url, query, lambda p: p.get_by_text("filled in from the link"))
    page.get_by_role("button", name=re.compile(rf"Run {runs} training runs")).click()
    page.get_by_text(f"{runs} of {runs} runs").wait_for(timeout=180_000)
    wait_for_app(page)
    assert_no_exception(page)
    chart = _chart(page, "AUC by abnormal share")
    for viewport in (LAPTOP, PHONE):
        _at_width(page, viewport)
        assert not _cut_texts(page), viewport
    _at_width(page, LAPTOP)
    _show(page, chart, f"charts_experiments_{seeds}_seed{'s' if seeds > 1 else ''}")
    return " ".join(chart.locator(".role-title-subtitle text").all_text_contents())


def test_one_seed_sweep_has_no_error_bars(page, app_url):
    subtitle = _sweep(page, app_url, seeds=1, runs=2)
    assert "one run per value" in subtitle and "±" not in subtitle


def test_three_seed_sweep_shows_the_spread(page, app_url):
    subtitle = _sweep(page, app_url, seeds=3, runs=6)
    assert "mean of 3 runs per value" in subtitle and "± 1 standard deviation" in subtitle
