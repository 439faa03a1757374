"""The app shell: page config, navigation over the four pages, sidebar, every page reachable."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]

PAGES = ["pages/introduction.py", "pages/train.py", "pages/score.py", "pages/experiments.py"]


@pytest.fixture
def app():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    return at


def _sidebar(at: AppTest) -> str:
    return " ".join(m.value for m in at.sidebar.markdown) + " ".join(
        c.value for c in at.sidebar.caption
    )


def _main(at: AppTest) -> str:
    return " ".join(m.value for m in at.main.markdown) + " ".join(c.value for c in at.main.caption)


def test_default_page_is_the_introduction_with_sidebar_and_disclaimer(app):
    assert not app.exception
    assert "Anomagram" in app.title[0].value
    assert "autoencoder" in _sidebar(app)
    # The disclaimer is said once in the Introduction's first screen (and in its footer), so
    # the sidebar does not repeat it there.
    assert "not for medical use" in _main(app).lower()
    assert "not a medical device" not in _sidebar(app)


@pytest.mark.parametrize("page", PAGES[1:])
def test_the_other_pages_keep_the_disclaimer_in_the_sidebar(app, page):
    app.switch_page(page)
    app.run()
    assert "not a medical device" in _sidebar(app)


@pytest.mark.parametrize("page", PAGES[1:])
def test_every_page_renders_through_the_shell(app, page):
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title, f"{page} shows no title"
