"""A page link that also works when a page runs on its own (AppTest.from_file on one page)."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError


def page_link(page: str, label: str, icon: str | None = None) -> None:
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitPageNotFoundError:
        # Without st.navigation there is no page to link to; the label still says where to go.
        st.caption(f"{icon or '→'} {label}")
