"""The Introduction's layout in a real browser, at the screen sizes of a demo (issue 12).

- 1440x900: the gallery and the verdict panel (card and reconstruction chart) are in the first
  screen, without scrolling;
  1366x768 shows the verdict card and the top of the gallery.
- 390x844 (phone) and 1280 px (small laptop): the drawing canvas, which has a fixed pixel
  width, lies inside the viewport and inside its column; on the phone the sidebar starts
  collapsed.
- The gallery's toolbar, which pops up when the pointer is on the chart, covers neither the
  class filter nor the legend.
- Chapter 5's epoch slider follows Play, and Pause stops it.
- Chapter 7's threshold slider and the histogram and ROC it moves fit in one screen.

First-screen screenshots: ``artifacts/screenshots/intro_first_screen_<w>x<h>.png``.
"""

from __future__ import annotations

import time

import pytest
from e2e_helpers import SCREENSHOTS, assert_no_exception, wait_for_app

VERDICT = ".intro-verdict"
GALLERY = "[data-testid='stVegaLiteChart']"  # the first chart of the page
# The canvas component lives in a shadow root, which locators pierce.
CANVAS = "canvas.upper-canvas"
CANVAS_HOST = "[data-testid^='stBidiComponent']"


def _visit(browser, app_url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(app_url)
    wait_for_app(page, timeout=90_000)
    # The verdict card appears once the pretrained model has loaded (a later run).
    page.wait_for_selector(VERDICT, timeout=90_000)
    wait_for_app(page, timeout=90_000)
    assert_no_exception(page)
    return context, page


def _in_first_screen(page, box: dict, width: int, height: int) -> bool:
    # Not scrolled: Streamlit scrolls its main block, not the window, so look at every box.
    assert page.evaluate("[...document.querySelectorAll('*')].every(e => e.scrollTop === 0)")
    return (
        box["y"] >= 0
        and box["y"] + box["height"] <= height
        and box["x"] >= 0
        and box["x"] + box["width"] <= width
    )


def _first_screen(page, width: int, height: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"intro_first_screen_{width}x{height}.png"))


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_gallery_and_verdict_are_in_the_first_screen_at_1440x900(browser, app_url):
    context, page = _visit(browser, app_url, 1440, 900)
    try:
        gallery = page.locator(GALLERY).first.bounding_box()
        verdict = page.locator(VERDICT).first.bounding_box()
        assert _in_first_screen(page, gallery, 1440, 900), gallery
        assert _in_first_screen(page, verdict, 1440, 900), verdict
        # The whole verdict panel: the card and, under it, the input/reconstruction chart with
        # its shaded error.
        beat = page.locator(GALLERY).filter(has_text="Input and reconstruction").first
        assert _in_first_screen(page, beat.bounding_box(), 1440, 900), beat.bounding_box()
        # The disclaimer is said once near the top (and once in the footer).
        assert page.get_by_text("Demonstration only, not for medical use.").first.is_visible()
        _first_screen(page, 1440, 900)
    finally:
        context.close()


def test_laptop_first_screen_shows_the_verdict_and_the_gallery_top(browser, app_url):
    context, page = _visit(browser, app_url, 1366, 768)
    try:
        verdict = page.locator(VERDICT).first.bounding_box()
        gallery = page.locator(GALLERY).first.bounding_box()
        assert _in_first_screen(page, verdict, 1366, 768), verdict
        assert gallery["y"] + gallery["height"] / 3 < 768, gallery  # at least its first rows
        _first_screen(page, 1366, 768)
    finally:
        context.close()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_the_canvas_fits_its_column_and_the_screen(browser, app_url, width, height):
    context, page = _visit(browser, app_url, width, height)
    try:
        if width < 640:
            # Streamlit's initial_sidebar_state="auto" starts it collapsed on a phone:
            # pushed off the left edge, the page has the whole width.
            sidebar = page.locator("[data-testid='stSidebar']").bounding_box()
            assert sidebar is None or sidebar["x"] + sidebar["width"] <= 0, sidebar
            _first_screen(page, width, height)
        canvas = page.locator(CANVAS).first
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        column = page.locator(f"[data-testid='stColumn']:has({CANVAS_HOST})").last
        col = column.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)
        assert col["x"] <= box["x"] and box["x"] + box["width"] <= col["x"] + col["width"] + 0.5
        # All three buttons under it show their whole label (none is cut with an ellipsis).
        for name in ("Load a normal beat", "Load an abnormal one"):
            button = page.get_by_role("button", name=name)
            assert button.evaluate("b => b.scrollWidth <= b.clientWidth"), name
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"intro_canvas_{width}x{height}.png"))
    finally:
        context.close()


def test_the_gallery_toolbar_covers_neither_filter_nor_legend(browser, app_url):
    for width, height in ((1440, 900), (1280, 800)):
        context, page = _visit(browser, app_url, width, height)
        try:
            gallery = page.locator(GALLERY).first
            box = gallery.bounding_box()
            page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + 30)
            container = page.locator("[data-testid='stElementContainer']", has=gallery).first
            toolbar = container.locator("[data-testid='stElementToolbar']")
            # Shown while hovered: wait until it is fully opaque, a state that lasts.
            page.wait_for_function(
                "t => getComputedStyle(t).opacity === '1'", arg=toolbar.element_handle()
            )
            bar = toolbar.bounding_box()
            segmented = page.locator("[data-testid='stButtonGroup']").first.bounding_box()
            assert not _overlap(bar, segmented), (width, bar, segmented)
            for span in page.locator(".intro-legend > div > span").all():
                assert not _overlap(bar, span.bounding_box()), (width, span.inner_text())
        finally:
            context.close()


def test_replay_slider_follows_play_and_pause_stops_it(browser, app_url):
    context, page = _visit(browser, app_url, 1440, 900)
    try:
        page.get_by_role("tab", name="5 · Training replay").click()
        page.get_by_role("button", name="▶ Play").click()
        value = page.locator("[data-testid='stSliderThumbValue']").first
        # The slider moves with the frames, not only at the end of the animation.
        page.wait_for_function(
            "e => { const v = +e.innerText; return v >= 3 && v < 25; }",
            arg=value.element_handle(),
        )
        page.get_by_role("button", name="⏸ Pause").click()
        page.get_by_role("button", name="▶ Play").wait_for()
        wait_for_app(page)
        stopped = value.inner_text()
        assert 3 <= int(stopped) < 30
        time.sleep(1.0)  # 8 frames' time: a replay still running would have moved on
        assert value.inner_text() == stopped
        assert page.get_by_role("button", name="⏸ Pause").count() == 0
        # The epoch tile beside the histogram shows the same epoch as the slider.
        page.get_by_text(f"{stopped} / 30", exact=True).wait_for()
        assert_no_exception(page)
    finally:
        context.close()


def test_threshold_slider_and_its_charts_share_one_screen(browser, app_url):
    context, page = _visit(browser, app_url, 1440, 900)
    try:
        page.get_by_role("tab", name="7 · Accuracy is not enough").click()
        slider = page.locator("[data-testid='stSlider']", has_text="Threshold on the")
        slider.wait_for()
        wait_for_app(page)
        # The slider at the top of the screen: are the charts it moves below it, in view?
        slider.evaluate("e => e.scrollIntoView({block: 'start'})")
        charts = page.locator("[data-testid='stTabs'] [data-testid='stVegaLiteChart']")
        assert charts.count() == 2  # the histogram and the ROC
        for chart in charts.all():
            box = chart.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= 900, box
        top = slider.bounding_box()["y"]  # about 0, give or take a fraction of a pixel
        bottom = max(c.bounding_box()["y"] + c.bounding_box()["height"] for c in charts.all())
        assert bottom - top <= 900, (top, bottom)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "intro_chapter7_1440x900.png"))
    finally:
        context.close()
