"""Links between the app's pages, with settings pre-filled through the query string."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

# Short names for the pages (their url paths in streamlit_app.py) and their scripts.
PAGES = {
    "introduction": "pages/introduction.py",
    "train": "pages/train.py",
    "score": "pages/score.py",
    "experiments": "pages/experiments.py",
}


def page_link(
    page: str, label: str, icon: str | None = None, *, params: dict | None = None
) -> None:
    """Link to another page: ``page`` is a script path (``"pages/train.py"``) or a short name
    (``"train"``); ``params`` become the target page's query string.

    ``st.page_link`` navigates inside the session, so nothing the visitor made is lost. It only
    knows pages registered with ``st.navigation``; when a page runs on its own (AppTest on one
    page) a plain link to the same address stands in.
    """
    script = PAGES.get(page, page)
    try:
        st.page_link(script, label=label, icon=icon, query_params=params or None)
    except StreamlitPageNotFoundError:
        query = f"?{urlencode(params)}" if params else ""
        prefix = f"{icon} " if icon else ""
        st.markdown(f"{prefix}[{label}](/{Path(script).stem}{query})")
