"""Make every page run inside the app shell (streamlit_app.py), even on a deep link.

Streamlit still honours the pre-``st.navigation`` convention of a ``pages/`` folder: until some
run in this server process has executed ``st.navigation``, a request for ``/score`` runs
``pages/score.py`` on its own, with the legacy sidebar and without our page config, sidebar or
warm-up. Our folder must be called ``pages/`` (the product's layout), so a page that finds
itself run that way switches the flag off and reruns; the rerun goes through
``streamlit_app.py`` and lands on the same page.
"""

from __future__ import annotations

import streamlit as st


def require_app_shell() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the legacy mode: nothing to do
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
