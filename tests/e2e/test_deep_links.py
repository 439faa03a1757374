"""A link straight to a page of a freshly started server must show the real app.

Streamlit serves a ``pages/`` folder the legacy way until ``st.navigation`` has run once in the
process; ``streamlit_patches.require_app_shell`` reroutes such a first run through
streamlit_app.py. Each path gets its own fresh server, since only the first run of a process
can go wrong.
"""

from urllib.parse import urlparse

import pytest
from e2e_helpers import (
    assert_no_exception,
    free_port,
    start_server,
    stop_server,
    wait_for_app,
    wait_healthy,
)

ABOUT = "teaches anomaly detection with autoencoders"
DEFAULT = "introduction"


@pytest.mark.parametrize(
    "path, heading",
    [
        ("introduction", ""),
        ("train", "Train a model"),
        ("score", "Score your own heartbeats"),
        ("experiments", ""),
    ],
)
def test_deep_link_on_a_fresh_server_runs_inside_the_shell(browser, path, heading):
    port = free_port()
    proc = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        context = browser.new_context(viewport={"width": 1300, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{url}/{path}")
        page.get_by_text(ABOUT).wait_for()  # our sidebar, not the legacy page list
        wait_for_app(page)
        assert_no_exception(page)
        assert page.title().startswith("Anomagram")
        if heading:
            assert heading in page.inner_text("h1")
        # The default page may be shown at the root URL.
        assert urlparse(page.url).path.rstrip("/") in (f"/{path}", "" if path == DEFAULT else "?")
        context.close()
    finally:
        stop_server(proc)
