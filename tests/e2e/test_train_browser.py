"""The Train page in a real browser: train with live charts; compose, pause, continue, evaluate."""

from __future__ import annotations

import re

from e2e_helpers import assert_no_exception, open_train_page, screenshot, wait_for_app
from playwright.sync_api import expect

CHART = "[data-testid='stVegaLiteChart']"


def tall_screenshot(page, name: str) -> None:
    # The app scrolls inside its own container, so a tall viewport captures the whole page.
    page.mouse.move(0, 0)  # no hover tooltip over the page
    page.set_viewport_size({"width": 1400, "height": 3400})
    page.wait_for_timeout(800)
    screenshot(page, name)
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_train_shows_live_charts(page, app_url):
    open_train_page(page, app_url)
    page.get_by_role("button", name="▶ Train", exact=True).click()
    page.get_by_text("Trained 30 epochs").wait_for(timeout=90_000)
    wait_for_app(page)
    page.locator(CHART).nth(3).wait_for()
    assert page.locator(CHART).count() >= 4
    for title in ("loss per epoch", "Reconstruction error of test beats", "ROC curve", "latent"):
        assert page.locator(CHART).filter(has_text=title).count() >= 1, title
    assert page.get_by_role("button", name="▶ Train 30 more epochs").is_visible()
    assert_no_exception(page)
    tall_screenshot(page, "train_final")


def test_compose_pause_continue_and_move_the_threshold(page, app_url):
    # Small batches and wider layers make each epoch slower: time to click Pause mid-run.
    open_train_page(page, app_url, "?batch_size=64&hidden=64,32")
    assert page.get_by_role("combobox", name="Batch size").input_value() == "64"
    page.get_by_role("button", name="➕ Add layer").click()
    page.get_by_role("spinbutton", name="Layer 3 units").wait_for()
    wait_for_app(page)
    assert "140 → 64 → 32 → 3 → 2 → 3 → 32 → 64 → 140" in page.inner_text("[data-testid='stMain']")
    assert "hidden=64%2C32%2C3" in page.url or "hidden=64,32,3" in page.url
    assert "batch_size=64" in page.url

    page.get_by_role("radiogroup", name="Steps (epochs)").get_by_role("radio", name="100").click()
    wait_for_app(page)
    page.get_by_role("button", name="▶ Train", exact=True).click()
    page.get_by_text(re.compile(r"Training · epoch ([3-9]|[1-9]\d) of 100")).wait_for(
        timeout=90_000
    )
    # force: the live charts keep the layout busy, and a person does not wait for it to settle.
    page.get_by_role("button", name="⏸ Pause").click(force=True)
    paused = page.get_by_text(re.compile(r"Paused at epoch \d+ of 100"))
    paused.wait_for(timeout=30_000)
    wait_for_app(page)
    epoch = int(re.search(r"Paused at epoch (\d+)", paused.inner_text()).group(1))
    assert 0 < epoch < 100
    assert page.locator(CHART).count() >= 4, "the charts must survive the pause"

    page.get_by_role("button", name="▶ Continue to epoch 100").click()
    page.get_by_text("Trained 100 epochs").wait_for(timeout=90_000)
    wait_for_app(page)

    tiles = page.locator("[data-testid='stMetric']")
    before = tiles.all_inner_texts()
    thumb = (
        page.locator("[data-testid='stSlider']")
        .filter(has_text="Threshold (reconstruction error)")
        .get_by_role("slider")
    )
    start = float(thumb.input_value())
    thumb.focus()
    for _ in range(12):
        thumb.press("ArrowRight")
    expect(page.get_by_role("combobox", name="Threshold strategy")).to_have_value(
        "Manual (slider)", timeout=60_000
    )
    wait_for_app(page)
    assert float(thumb.input_value()) > start
    assert tiles.all_inner_texts() != before
    assert_no_exception(page)
    tall_screenshot(page, "train_journey")


def test_trained_model_survives_visiting_other_pages(page, app_url):
    open_train_page(page, app_url, "?train_size=500&test_size=100&seed=4")
    page.get_by_role("button", name="▶ Train", exact=True).click()
    page.get_by_text("Trained 30 epochs").wait_for(timeout=90_000)
    wait_for_app(page)
    status = page.get_by_text(re.compile(r"Trained 30 epochs.*AUC")).first.inner_text()

    page.get_by_role("link", name="Score your data").click()
    page.get_by_text("Score your own heartbeats").first.wait_for()
    wait_for_app(page)
    # The Score page offers the model trained in this session.
    assert page.get_by_text("Model trained in this session").count() >= 1
    page.get_by_role("link", name="Train a model").click()
    page.get_by_text("Trained 30 epochs").first.wait_for()
    wait_for_app(page)
    assert page.get_by_text(re.compile(r"Trained 30 epochs.*AUC")).first.inner_text() == status
    assert "seed=4" in page.url  # the spec came back with the page
    assert page.locator(CHART).count() >= 4
    assert_no_exception(page)
