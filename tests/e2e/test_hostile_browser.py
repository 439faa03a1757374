"""What only a browser shows about hostile links: nothing a visitor put in a URL becomes a
link, an image the browser fetches, or HTML, and the page below the message still works."""

from __future__ import annotations

from urllib.parse import quote

from e2e_helpers import assert_no_exception, open_train_page, wait_for_app

TRAP = "127.0.0.1:1"
INJECTION = f"[click here to log in](http://{TRAP}/login) ![t](http://{TRAP}/track.png)"


def _fetched(page) -> list[str]:
    return [u for u in page.evaluate("performance.getEntries().map(e => e.name)") if TRAP in u]


def _assert_inert(page) -> None:
    assert page.locator(f'a[href*="{TRAP}"]').count() == 0
    assert page.locator(f'img[src*="{TRAP}"]').count() == 0
    assert not _fetched(page)
    assert_no_exception(page)


def test_train_link_with_markdown_shows_it_as_text(page, app_url):
    requests = []
    page.on("request", lambda r: requests.append(r.url) if TRAP in r.url else None)
    open_train_page(page, app_url, f"?optimizer={quote(INJECTION)}")
    page.get_by_text("click here to log in", exact=False).first.wait_for()
    _assert_inert(page)
    assert not requests
    # The visitor's text is shown literally, brackets and all (cut to its first characters).
    assert "'[click here to log in]…" in page.inner_text("body")
    assert page.get_by_role("button", name="▶ Train", exact=True).is_enabled()


def test_experiments_link_with_markdown_shows_it_as_text(page, app_url):
    requests = []
    page.on("request", lambda r: requests.append(r.url) if TRAP in r.url else None)
    page.goto(f"{app_url}/experiments?param=optimizer&values={quote(INJECTION)}")
    wait_for_app(page)
    page.get_by_text("could not be used", exact=False).first.wait_for()
    _assert_inert(page)
    assert not requests
    assert page.get_by_role("button", name="Run", exact=False).first.is_visible()
