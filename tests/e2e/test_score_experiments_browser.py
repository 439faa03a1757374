"""Score and Experiments pages in a real browser: uploads, a sweep with cancel / continue, and
results that survive moving between pages."""

import re
from pathlib import Path

import pandas as pd
import pytest
from e2e_helpers import assert_no_exception, screenshot, wait_for_app

from anomagram.model import load_detector
from anomagram.pretrained import load_pretrained

# Streamlit scrolls inside the page, so a full-page screenshot only shows the viewport.
TALL = {"width": 1400, "height": 3000}


def _open(page, app_url: str, path: str, marker: str) -> None:
    # The entry script must run once in the server before a deep link works: until then the
    # pages/ folder is served as an old-style multipage app (see the report to the lead).
    page.goto(app_url + "/")
    page.get_by_role("link", name=re.compile("Score your data")).wait_for()
    wait_for_app(page)
    page.goto(app_url + path)
    page.get_by_text(marker).first.wait_for()
    wait_for_app(page)


def _uploader_input(page):
    return page.locator("[data-testid='stFileUploader'] input[type='file']").first


@pytest.fixture
def good_csv(ecg, tmp_path):
    rows = ["label," + ",".join(f"t{i}" for i in range(1, 141))]
    for c in (1, 1, 1, 1, 2, 2, 3, 4):
        i = [j for j, y in enumerate(ecg.test_pool_y) if y == c][len(rows)]
        rows.append(f"{c}," + ",".join(f"{v:.4f}" for v in ecg.test_pool_x[i]))
    rows.append("1," + ",".join(["0.1"] * 50) + ",oops," + ",".join(["0.1"] * 89))
    path = tmp_path / "good.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_upload_good_then_bad_csv(page, app_url, good_csv, tmp_path):
    page.set_viewport_size(TALL)
    _open(page, app_url, "/score", "2 · Model")

    _uploader_input(page).set_input_files(str(good_csv))
    page.get_by_text("Beat by beat").wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    body = page.inner_text("body")
    assert "Read 8 beats from good.csv" in body
    assert "1 row was not scored" in body and "Rows not scored (1)" in body
    assert "How the verdicts compare with your labels" in body
    assert page.get_by_role("button", name=re.compile("Download the scores")).is_visible()
    screenshot(page, "score_good")

    # Both downloads work and give what the page shows.
    with page.expect_download() as scores:
        page.get_by_role("button", name=re.compile("Download the scores")).click()
    table = pd.read_csv(scores.value.path())
    assert list(table["line"]) == list(range(2, 10)) and set(table["verdict"]) <= {
        "normal",
        "abnormal",
    }
    with page.expect_download() as model:
        page.get_by_role("button", name=re.compile(r"Download this model")).click()
    exported = tmp_path / "exported.keras"
    exported.write_bytes(Path(model.value.path()).read_bytes())
    assert load_detector(exported).threshold == pytest.approx(load_pretrained().threshold)

    # The upload is kept while the user looks at another page.
    page.get_by_role("link", name=re.compile("Experiments")).click()
    page.get_by_text("Setting to vary").wait_for()
    wait_for_app(page)
    page.get_by_role("link", name=re.compile("Score your data")).click()
    page.get_by_text("Beat by beat").wait_for()
    wait_for_app(page)
    assert "Using good.csv, uploaded earlier." in page.inner_text("body")

    bad = tmp_path / "bad.csv"
    bad.write_text("name;comment\nalice;hello\nbob;world\n")
    _uploader_input(page).set_input_files(str(bad))
    page.locator("[data-testid='stAlertContentError']").first.wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    error = page.locator("[data-testid='stAlertContentError']").first.inner_text()
    assert "bad.csv" not in error or "separate" in error or "scored" in error
    # The beats read before stay on the page, said to be the earlier file's.
    assert "The results below are still those of good.csv." in page.inner_text("body")
    assert page.get_by_text("Beat by beat").is_visible()
    screenshot(page, "score_bad")


def test_a_csv_over_the_limit_is_refused_in_the_browser_and_the_results_stay(
    page, app_url, good_csv, tmp_path
):
    from anomagram.upload import MAX_BYTES

    page.set_viewport_size(TALL)
    _open(page, app_url, "/score", "2 · Model")
    uploader = page.locator("[data-testid='stFileUploader']").first
    # The widget states the page's own limit (not the server's larger cap).
    assert f"{MAX_BYTES // 1_000_000}MB per file" in uploader.inner_text()
    _uploader_input(page).set_input_files(str(good_csv))
    page.get_by_text("Beat by beat").wait_for()
    wait_for_app(page)
    line = ",".join(["0.123"] * 140) + "\n"
    big = tmp_path / "big.csv"
    big.write_text(line * (MAX_BYTES // len(line) + 50))  # just over the limit
    _uploader_input(page).set_input_files(str(big))
    uploader.get_by_text(f"File must be {MAX_BYTES / 1e6:.1f}MB or smaller.").wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    assert "Read 8 beats from good.csv" in page.inner_text("body")
    assert page.get_by_text("Beat by beat").is_visible()


def test_sweep_cancel_continue_and_results_survive_navigation(page, app_url):
    page.set_viewport_size(TALL)
    # Batch size 8 makes each run take seconds (warm runs of the default take ~0.2 s), so
    # "Run 1 of 6 done" lasts until the Cancel click instead of flashing past unseen.
    _open(page, app_url, "/experiments?param=batch_size&values=8,16,32&seeds=2", "Setting to vary")
    page.get_by_text("filled in from the link").wait_for()
    page.get_by_role("button", name=re.compile(r"Run 6 training runs")).click()
    page.get_by_text(re.compile(r"Run 1 of 6 done")).wait_for(timeout=90_000)
    page.get_by_role("button", name=re.compile("Cancel")).click()
    page.get_by_text(re.compile(r"You cancelled the experiment after \d of 6 runs")).wait_for()
    wait_for_app(page)
    assert_no_exception(page)

    page.get_by_role("button", name=re.compile(r"Continue \(\d runs left\)")).click()
    try:
        page.get_by_text(re.compile("6 of 6 runs")).wait_for(timeout=120_000)
    except Exception:
        screenshot(page, "experiments_continue_failed")  # what the page showed instead
        raise
    wait_for_app(page)
    assert_no_exception(page)
    body = page.inner_text("body")
    assert "You cancelled" not in body and "What it shows" in body
    assert re.search(r"batch size|Batch size", body)
    assert page.locator("[data-testid='stVegaLiteChart']").count() == 1
    screenshot(page, "experiments_sweep")

    # Pages switched inside the app (one session): what the user made is kept on both.
    page.get_by_role("link", name=re.compile("Score your data")).click()
    page.get_by_role("radio", name=re.compile("Example file")).click()
    page.get_by_text("Beat by beat").wait_for()
    wait_for_app(page)
    page.get_by_role("link", name=re.compile("Experiments")).click()
    page.get_by_text(re.compile("6 of 6 runs")).wait_for()
    wait_for_app(page)
    assert page.locator("[data-testid='stVegaLiteChart']").count() == 1
    page.get_by_role("link", name=re.compile("Score your data")).click()
    page.get_by_text("Beat by beat").wait_for()
    wait_for_app(page)
    assert "Read 12 beats from the example file" in page.inner_text("body")
    assert_no_exception(page)
