"""The Train page on a visitor's own data in a real browser: upload a long recording, cut it into
windows, look at the preview, train and get an AUC."""

from __future__ import annotations

import re

from common import recording_csv
from e2e_helpers import assert_no_exception, open_train_page, screenshot, wait_for_app
from playwright.sync_api import expect

CHART = "[data-testid='stVegaLiteChart']"


def test_upload_a_recording_preview_it_and_train(page, app_url, tmp_path):
    csv = tmp_path / "heart_rec.csv"
    csv.write_bytes(recording_csv())
    open_train_page(page, app_url, "?train_size=500&test_size=100")
    main = page.locator("[data-testid='stMain']")

    page.get_by_role("radiogroup", name="Data to learn from").get_by_role(
        "radio", name="Your CSV"
    ).click()
    wait_for_app(page)
    page.get_by_role("radiogroup", name="Layout of the file").get_by_text(
        "One long recording"
    ).click()
    wait_for_app(page)
    window = page.get_by_role("spinbutton", name="Window length")
    window.fill("120")
    window.press("Enter")
    wait_for_app(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(
        str(csv)
    )
    # (6,000 - 120) // 50 + 1 windows of 120 samples, normal or holding a spike.
    summary = main.get_by_text(re.compile(r"heart_rec\.csv: 118 windows · 120 samples per row"))
    summary.wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    assert re.search(r"dataset=csv(:|%3A)heart_rec\.csv", page.url), page.url
    assert "window=120" in page.url and "length" not in page.url
    assert "120 → 7 → 3 → 2 → 3 → 7 → 120" in main.inner_text()

    # The preview: a few windows of each class, and the class counts.
    page.get_by_role("button", name="🔍 Preview").click()
    popover = page.locator("[data-testid='stPopoverBody']")
    expect(popover.locator(CHART)).to_have_count(1)
    expect(popover.locator("canvas, svg").first).to_be_visible()
    text = popover.inner_text()
    assert re.search(r"Normal \(normal\): \d+ windows", text), text
    assert re.search(r"Anomaly: \d+ windows", text), text
    assert "120 samples per row" in text
    screenshot(page, "datasets_recording_preview")
    page.keyboard.press("Escape")

    page.get_by_role("button", name="▶ Train", exact=True).click()
    page.get_by_text(re.compile(r"Trained 30 epochs.*AUC")).wait_for(timeout=120_000)
    wait_for_app(page)
    status = page.get_by_text(re.compile(r"Trained 30 epochs.*AUC")).first.inner_text()
    auc = float(re.search(r"AUC (\d\.\d+)", status).group(1))
    assert auc >= 0.9, status  # the spiky windows have the largest errors
    tile = page.locator("[data-testid='stMetric']").filter(has_text="AUC")
    expect(tile).to_have_count(1)
    # The per-class chart names the recording's own classes.
    flagged = page.locator(CHART).filter(has_text="Which windows get flagged")
    expect(flagged).to_have_count(1)
    assert_no_exception(page)
    page.set_viewport_size({"width": 1400, "height": 3400})
    page.wait_for_timeout(800)
    screenshot(page, "datasets_recording_trained")
