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


def test_default_page_is_the_introduction_with_sidebar_and_disclaimer(app):
    assert not app.exception
    assert "Anomagram" in app.title[0].value
    sidebar = " ".join(m.value for m in app.sidebar.markdown) + " ".join(
        c.value for c in app.sidebar.caption
    )
    assert "autoencoder" in sidebar and "not a medical device" in sidebar


@pytest.mark.parametrize("page", PAGES[1:])
def test_every_page_renders_through_the_shell(app, page):
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title, f"{page} shows no title"
