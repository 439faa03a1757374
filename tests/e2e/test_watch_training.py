"""Watch it learn, in a real browser: paced frames, the live area in view, Fast, Skip and Pause.

Frames are counted from the charts themselves: a script in the page reads the epoch in the
error histogram's title (Vega draws SVG here) on every animation frame and records each new
value, in the order seen, together with the number of points in the loss chart.
"""

from __future__ import annotations

import re
import time

import pytest
from e2e_helpers import assert_no_exception, open_train_page, screenshot, wait_for_app

LAPTOP = {"width": 1366, "height": 768}
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
CHART = "[data-testid='stVegaLiteChart']"
BAR = ".st-key-train-action-bar"

# Records every epoch the histogram shows and every loss-point count the loss chart shows.
FRAME_COUNTER = """
(() => {
  // The epoch in the histogram's title: one SVG text line ends with "epoch N".
  window.__titleEpoch = chart => {
    if (!(chart.textContent || "").includes("Reconstruction error of test beats")) return null;
    for (const line of chart.querySelectorAll("text")) {
      const m = (line.textContent || "").match(/epoch\\s*(\\d+)$/);
      if (m) return Number(m[1]);
    }
    return null;
  };
  window.__epochs = [];
  window.__lossPoints = [];
  const read = () => {
    for (const chart of document.querySelectorAll("[data-testid='stVegaLiteChart']")) {
      const text = chart.textContent || "";
      const epoch = window.__titleEpoch(chart);
      if (epoch !== null && window.__epochs[window.__epochs.length - 1] !== epoch) {
        window.__epochs.push(epoch);
      }
      if (text.includes("loss per epoch")) {
        const n = chart.querySelectorAll(".mark-symbol path").length;
        const seen = window.__lossPoints;
        if (n && seen[seen.length - 1] !== n) seen.push(n);
      }
    }
    requestAnimationFrame(read);
  };
  read();
})()
"""

SHOWN_EPOCH = """
(() => {
  for (const chart of document.querySelectorAll("[data-testid='stVegaLiteChart']")) {
    const epoch = window.__titleEpoch(chart);
    if (epoch !== null) return epoch;
  }
  return null;
})()
"""

BOXES = """
(() => {
  const box = e => {
    const r = e.getBoundingClientRect();
    return [r.top, r.bottom, r.left, r.right];
  };
  const named = {};
  named.bar = document.querySelector("BAR_SELECTOR");
  named.progress = document.querySelector("[data-testid='stProgress']");
  for (const chart of document.querySelectorAll("[data-testid='stVegaLiteChart']")) {
    const t = chart.textContent || "";
    if (t.includes("Reconstruction error of test beats")) named.histogram = chart;
    else if (t.includes("ROC curve")) named.roc = chart;
    else if (t.includes("loss per epoch")) named.loss = chart;
    else if (t.includes("Bottleneck (latent)")) named.latent = chart;
  }
  const out = {};
  for (const [k, e] of Object.entries(named)) if (e) out[k] = box(e);
  return out;
})()
""".replace("BAR_SELECTOR", BAR)


@pytest.fixture
def sized(browser):
    """Open the Train page in a fresh context at a given window size."""
    contexts = []

    def open_page(app_url: str, viewport: dict, query: str = ""):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        open_train_page(page, app_url, query)
        return page

    yield open_page
    for context in contexts:
        context.close()


def choose_speed(page, label: str) -> None:
    page.locator(".st-key-train_speed_w").get_by_text(label).click()
    wait_for_app(page)


def wait_for_frame(page, epoch: int) -> None:
    """Until the histogram shows ``epoch``: Vega draws a chart a moment after the run ends."""
    page.wait_for_function(f"window.__epochs[window.__epochs.length - 1] === {epoch}")


def train_and_count(page, epochs: int) -> tuple[list[int], list[int]]:
    page.evaluate(FRAME_COUNTER)
    page.get_by_role("button", name="▶ Train", exact=True).click()
    page.get_by_text(f"Trained {epochs} epochs").first.wait_for(timeout=90_000)
    wait_for_app(page)
    wait_for_frame(page, epochs)
    return page.evaluate("window.__epochs"), page.evaluate("window.__lossPoints")


def assert_live_area_in_view(page, viewport: dict) -> None:
    boxes = page.evaluate(BOXES)
    wanted = {"bar", "progress", "histogram", "roc", "loss", "latent"}
    assert wanted <= set(boxes), boxes
    for name, (top, bottom, left, right) in boxes.items():
        assert top >= 0 and bottom <= viewport["height"], (name, boxes)
        assert left >= 0 and right <= viewport["width"], (name, boxes)


@pytest.mark.parametrize(
    ("viewport", "shot"), [(LAPTOP, "train_watch_laptop"), (DESKTOP, "train_watch_desktop")]
)
def test_watch_draws_every_epoch_with_the_live_area_in_view(sized, app_url, viewport, shot):
    page = sized(app_url, viewport)
    assert page.locator(".st-key-train_speed_w").get_by_text("Watch").is_visible()
    epochs, loss_points = train_and_count(page, 30)
    # Each epoch is its own frame, shown in order: none dropped, none reordered.
    assert len(set(epochs)) >= 25, epochs
    assert epochs == sorted(epochs), epochs
    assert epochs[-1] == 30
    assert len(loss_points) >= 25 and loss_points == sorted(loss_points), loss_points
    # The page scrolled the action bar to the top: nothing here scrolls it.
    assert_live_area_in_view(page, viewport)
    assert page.get_by_role("slider").count() >= 1
    assert_no_exception(page)
    page.mouse.move(0, 0)
    screenshot(page, shot)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE])
def test_train_is_in_the_first_screen_and_brings_the_live_area_into_view(sized, app_url, viewport):
    page = sized(app_url, viewport)
    start = page.get_by_role("button", name="▶ Train now", exact=True)
    box = start.bounding_box()
    # Before any scrolling: the bar's own Train button is ~1,200 px down on a laptop.
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    page.evaluate(FRAME_COUNTER)
    start.click()
    page.get_by_text("Trained 30 epochs").first.wait_for(timeout=90_000)
    wait_for_app(page)
    wait_for_frame(page, 30)
    if viewport is LAPTOP:
        assert_live_area_in_view(page, viewport)
    else:  # a phone's window holds the bar and the first chart, one below the other
        bar = page.get_by_role("button", name="▶ Train 30 more epochs").bounding_box()
        assert bar is not None and 0 <= bar["y"] < viewport["height"]
    assert page.get_by_role("button", name="▶ Train more", exact=True).is_enabled()
    assert_no_exception(page)


def test_fast_mode_shows_the_final_result_only(sized, app_url):
    page = sized(app_url, LAPTOP)
    choose_speed(page, "Fast")
    epochs, _ = train_and_count(page, 30)
    assert epochs == [30], epochs
    assert_live_area_in_view(page, LAPTOP)
    assert_no_exception(page)


def test_on_a_phone_the_bar_is_brought_into_view_below_the_header(sized, app_url):
    page = sized(app_url, PHONE)
    choose_speed(page, "Fast")
    train_and_count(page, 30)
    # The header's sidebar button sits at the top left on a phone: the bar must start below it.
    toggle = page.get_by_test_id("stExpandSidebarButton").bounding_box()
    button = page.get_by_role("button", name="▶ Train 30 more epochs").bounding_box()
    assert button is not None and button["y"] >= 0 and button["y"] + button["height"] <= 844
    assert toggle is not None, "the collapsed sidebar's button is not in the header"
    assert button["y"] >= toggle["y"] + toggle["height"], (button, toggle)
    assert_no_exception(page)
    page.mouse.move(0, 0)
    screenshot(page, "train_watch_phone")


def start_long_watch_run(page, epoch_at_least: int) -> None:
    page.get_by_role("radiogroup", name="Steps (epochs)").get_by_role("radio", name="100").click()
    wait_for_app(page)
    page.evaluate(FRAME_COUNTER)
    page.get_by_role("button", name="▶ Train", exact=True).click()
    page.wait_for_function(
        f"window.__epochs.length && window.__epochs[window.__epochs.length - 1] >= {epoch_at_least}"
    )


def test_skip_to_the_end_finishes_without_the_frames_in_between(sized, app_url):
    page = sized(app_url, LAPTOP)
    start_long_watch_run(page, 3)
    # force: the live charts keep the layout busy, and a person does not wait for it to settle.
    page.get_by_role("button", name="⏭ Skip to the end").click(force=True)
    page.get_by_text("Trained 100 epochs").first.wait_for(timeout=90_000)
    wait_for_app(page)
    wait_for_frame(page, 100)
    epochs = page.evaluate("window.__epochs")
    # Skipped: far fewer frames than epochs (a watched 100-epoch run would show ~100).
    assert len(epochs) < 60, epochs
    assert page.locator(".st-key-train_speed_w").get_by_text("Watch").is_visible()
    assert_no_exception(page)


def test_pause_freezes_on_a_frame(sized, app_url):
    page = sized(app_url, LAPTOP)
    start_long_watch_run(page, 5)
    page.get_by_role("button", name="⏸ Pause").click(force=True)
    paused = page.get_by_text(re.compile(r"Paused at epoch \d+ of 100"))
    paused.wait_for(timeout=30_000)
    wait_for_app(page)
    epoch = int(re.search(r"Paused at epoch (\d+)", paused.inner_text()).group(1))
    shown = page.evaluate(SHOWN_EPOCH)
    assert shown == epoch
    time.sleep(1.0)  # a frozen frame stays: nothing trains or redraws after Pause
    assert page.evaluate(SHOWN_EPOCH) == epoch
    assert page.evaluate("window.__epochs")[-1] == epoch
    page.get_by_role("button", name="▶ Continue to epoch 100").wait_for()
    assert_no_exception(page)
