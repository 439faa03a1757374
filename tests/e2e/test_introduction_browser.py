"""The Introduction page in a real browser: pick a beat, draw one, open a chapter, leave, return."""

from __future__ import annotations

import math

from e2e_helpers import assert_no_exception, screenshot, wait_for_app
from playwright.sync_api import expect

VERDICT = ".intro-verdict"
PANEL_TITLE = "h3:has-text('Test beat #')"


def _verdict_count(page) -> int:
    return page.locator(VERDICT).count()


def _draw_bump(page) -> None:
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    # Start well below the top 40 px: the canvas toolbar there swallows the press.
    x0, y0 = box["x"] + 12, box["y"] + box["height"] * 0.6
    page.mouse.move(x0, y0)
    page.mouse.down()
    n = 40
    for i in range(n + 1):
        x = x0 + (box["width"] - 24) * i / n
        y = y0 - 0.4 * box["height"] * math.exp(-(((i - 20) / 3) ** 2))
        page.mouse.move(x, y, steps=2)
    page.mouse.up()


def test_gallery_pick_and_drawing_survive_navigation(app_url, page):
    page.goto(app_url)
    wait_for_app(page)
    # The first verdict appears once the pretrained model has loaded.
    page.wait_for_selector(VERDICT, timeout=60_000)
    assert_no_exception(page)

    title = page.locator(PANEL_TITLE).first
    before = title.inner_text()
    gallery = page.locator("[data-testid='stVegaLiteChart']").first
    gallery.scroll_into_view_if_needed()
    box = gallery.bounding_box()
    # Second panel of the first row (3 columns): the middle of the chart, near its top.
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.15)
    page.wait_for_function(
        "b => [...document.querySelectorAll('h3')].some("
        "h => h.innerText.startsWith('Test beat #') && h.innerText !== b)",
        arg=before,
        timeout=30_000,
    )
    page.wait_for_selector(VERDICT)
    assert "Verdict:" in page.locator(VERDICT).first.inner_text()
    picked = title.inner_text()
    assert picked != before
    assert_no_exception(page)
    screenshot(page, "intro_gallery")

    assert _verdict_count(page) == 1
    _draw_bump(page)
    page.wait_for_function(f"() => document.querySelectorAll('{VERDICT}').length === 2")
    drawn = page.locator(VERDICT).nth(1).inner_text()
    assert "your drawing" in drawn
    assert_no_exception(page)

    # Open a lesson chapter: only the open one is drawn.
    replay = page.get_by_role("tab", name="5 · Training replay")
    replay.click()
    page.get_by_role("button", name="▶ Play").wait_for()
    wait_for_app(page)
    assert page.get_by_role("heading", name="How it works", exact=True).count() == 0
    # "Next" opens the following chapter and brings its start into view.
    page.get_by_role("button", name="Next: 6 · Choosing a threshold →").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Choosing a threshold", exact=True)).to_be_in_viewport()

    page.get_by_role("link", name="Train a model").click()
    wait_for_app(page)
    page.get_by_role("link", name="Introduction").click()
    wait_for_app(page)
    page.wait_for_function(f"() => document.querySelectorAll('{VERDICT}').length === 2")
    # The same beat is still picked, the same drawing still scored, the same chapter open.
    assert page.locator(PANEL_TITLE).first.inner_text() == picked
    assert page.locator(VERDICT).nth(1).inner_text() == drawn
    expect(page.get_by_role("tab", name="6 · Choosing a threshold")).to_have_attribute(
        "aria-selected", "true"
    )
    page.get_by_text("Labelled beats you can afford").wait_for()
    page.locator("canvas.upper-canvas").first.scroll_into_view_if_needed()
    assert_no_exception(page)
    screenshot(page, "intro_draw")
