"""The Score page's session state: the choices it offers, their defaults, and uploaded files.

Everything lives under ``score_`` keys, so uploads, choices and results survive reruns and
visits to other pages.
"""

from __future__ import annotations

import streamlit as st

from anomagram.ui.score import logic

UPLOAD, PASTE, EXAMPLE = "📤 Upload a CSV", "📋 Paste values", "🧪 Example file"
PRETRAINED, SESSION, OWN = "pretrained", "session", "upload"


def init_state() -> None:
    """Defaults for the page's widgets (set once, so no widget also gets a default value)."""
    for key, default in {
        "score_source": UPLOAD,
        "score_paste": "",
        "score_label_choice": logic.LABEL_AUTO,
        "score_label_number": 1,
        "score_znorm": True,
        "score_model_choice": PRETRAINED,
    }.items():
        st.session_state.setdefault(key, default)


# Uploaded files vanish from their widget when the user visits another page; keeping the bytes
# under a store key keeps the upload. Only an explicit removal forgets it.


def remember_upload(uploader_key: str, store_key: str) -> None:
    """on_change of a file uploader: keep the new file, or forget it when the user removed it."""
    f = st.session_state.get(uploader_key)
    if f is None:
        st.session_state.pop(store_key, None)
    else:
        st.session_state[store_key] = {"name": f.name, "data": f.getvalue(), "id": f.file_id}


def sync_upload(f, store_key: str) -> dict | None:
    """Keep the file shown in the uploader if it is new; the stored upload, if any."""
    stored = st.session_state.get(store_key)
    if f is not None and (stored is None or stored["id"] != f.file_id):
        stored = {"name": f.name, "data": f.getvalue(), "id": f.file_id}
        st.session_state[store_key] = stored
    return stored


def forget_upload(store_key: str) -> None:
    st.session_state.pop(store_key, None)


def forget_button(stored: dict, store_key: str, button_key: str) -> None:
    """Name the upload kept from an earlier visit, with a button to drop it."""
    c1, c2 = st.columns([3, 1], vertical_alignment="center")
    c1.caption(f"Using **{stored['name']}**, uploaded earlier.")
    c2.button("Forget it", key=button_key, on_click=forget_upload, args=(store_key,))
