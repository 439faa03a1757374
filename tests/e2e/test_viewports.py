"""Every page at the screen sizes of a demo: a laptop, a desktop and a phone.

Each page must render without an exception at 1366x768, 1440x900 and 390x844, and show its
heading in the first screen. The first-screen screenshots are kept as test artifacts
(``artifacts/screenshots/viewport_<page>_<size>.png``): they are what a stakeholder sees
before scrolling, and the place to look after any layout change.
"""

from __future__ import annotations

import pytest
from e2e_helpers import SCREENSHOTS, assert_no_exception, wait_for_app

VIEWPORTS = {"laptop": (1366, 768), "desktop": (1440, 900), "phone": (390, 844)}
# path -> text every visit must show. The Introduction is the default page, at the root URL
# (Streamlit gives the default page no path of its own).
PAGES = {
    "": "unusual heartbeats",
    "train": "Train a model",
    "score": "Score your own heartbeats",
    "experiments": "Experiments",
}


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_every_page_renders_at_demo_screen_sizes(browser, app_url, size):
    width, height = VIEWPORTS[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(90_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for path, heading in PAGES.items():
            page.goto(f"{app_url}/{path}")
            wait_for_app(page, timeout=90_000)
            assert_no_exception(page)
            # Streamlit's "Page not found" dialog would cover the first screen.
            assert not page.get_by_text("Page not found").count(), path
            h1 = page.locator("h1").first
            h1.wait_for()
            assert heading.lower() in h1.inner_text().lower(), (path, h1.inner_text())
            box = h1.bounding_box()
            assert box is not None and box["y"] < height, f"{path}: heading below the fold"
            page.screenshot(path=str(SCREENSHOTS / f"viewport_{path or 'introduction'}_{size}.png"))
    finally:
        context.close()
