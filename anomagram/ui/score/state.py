"""The Score page's session state: the choices it offers, their defaults, and uploaded files.

Everything lives under ``score_`` keys, so uploads, choices and results survive reruns and
visits to other pages.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from anomagram.ui.common.text import escape_markdown
from anomagram.ui.score import logic

# (file name, size in bytes) -> why the file is refused, or None when it may be read.
TooLarge = Callable[[str, int], str | None]

UPLOAD, PASTE, EXAMPLE = "📤 Upload a CSV", "📋 Paste values", "🧪 Example file"
PRETRAINED, SESSION, OWN = "pretrained", "session", "upload"
# The z-normalise switch follows the model (see model_panel): the value it is to take on the
# next run, set before the switch is drawn, and the spec of the model it last followed.
ZNORM_PENDING, ZNORM_FOR = "score_znorm_pending", "score_znorm_for"


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
    if ZNORM_PENDING in st.session_state:
        st.session_state["score_znorm"] = st.session_state.pop(ZNORM_PENDING)


# Uploaded files vanish from their widget when the user visits another page; keeping the bytes
# under a store key keeps the upload. Only an explicit removal forgets it.
#
# A file over the page's limit is never kept: why it was refused goes under "<store key>_refused"
# and the earlier upload stays, so the user keeps the results they had, and the panel says
# whose results they are. Replacing them with nothing would throw work away for a file that
# was never going to be scored; keeping them unlabelled would pass them off as the new file's.
# The browser already refuses a file over the uploader's limit, which is ours
# (``ui.common.uploads.widget_mb``); this is for a request that skips the browser.


def _refused_key(store_key: str) -> str:
    return f"{store_key}_refused"


def _keep(f, store_key: str, too_large: TooLarge) -> None:
    message = too_large(f.name, f.size)  # decided by the size, before the bytes are copied
    if message:
        st.session_state[_refused_key(store_key)] = {"id": f.file_id, "message": message}
    else:
        st.session_state[store_key] = {"name": f.name, "data": f.getvalue(), "id": f.file_id}
        st.session_state.pop(_refused_key(store_key), None)


def remember_upload(uploader_key: str, store_key: str, too_large: TooLarge) -> None:
    """on_change of a file uploader: keep the new file, or forget it when the user removed it."""
    f = st.session_state.get(uploader_key)
    if f is not None:
        _keep(f, store_key, too_large)
    # Removing a refused file only takes its message away: the upload it could not replace
    # is still the one in use.
    elif st.session_state.pop(_refused_key(store_key), None) is None:
        st.session_state.pop(store_key, None)


def sync_upload(f, store_key: str, too_large: TooLarge) -> tuple[dict | None, str | None]:
    """Keep the file shown in the uploader if it is new.

    Returns the upload in use (``{"name", "data", "id"}`` or None) and, while a file refused
    by ``too_large(name, size)`` is in the uploader, the message saying why (plain text).
    """
    refused_key = _refused_key(store_key)
    if f is None:
        st.session_state.pop(refused_key, None)
    else:
        kept = (st.session_state.get(store_key), st.session_state.get(refused_key))
        if f.file_id not in {u["id"] for u in kept if u}:
            _keep(f, store_key, too_large)
    refused = st.session_state.get(refused_key)
    return st.session_state.get(store_key), refused["message"] if refused else None


def show_refused(refused: str | None, stored: dict | None, still: str) -> None:
    """The message for a file refused by its size, naming the earlier upload still in use
    (``still`` with a ``{}`` for its name)."""
    if refused is None:
        return
    if stored is not None:
        refused += " " + still.format(stored["name"])
    st.error(escape_markdown(refused), icon="🚫")


def forget_upload(store_key: str) -> None:
    st.session_state.pop(store_key, None)


def forget_button(stored: dict, store_key: str, button_key: str) -> None:
    """Name the upload kept from an earlier visit, with a button to drop it."""
    c1, c2 = st.columns([3, 1], vertical_alignment="center")
    c1.caption(f"Using **{escape_markdown(stored['name'])}**, uploaded earlier.")
    c2.button("Forget it", key=button_key, on_click=forget_upload, args=(store_key,))
