"""Let the Introduction paint before the pretrained model is loaded.

Importing Keras/JAX takes seconds on the first visit. Sections that need the model call
``model_or_defer``: if the model is loaded they go ahead; during a full page run they show a
short "loading" note instead, and ``finish_deferred`` at the end of the page reruns it once the
model is ready, so every panel fills in without the first paint waiting for Keras.
"""

from __future__ import annotations

import streamlit as st

from anomagram.ui.common import resources
from anomagram.ui.introduction import page_data
from anomagram.ui.streamlit_patches import is_fragment_rerun

PENDING = "intro_model_pending"


def model_or_defer(what: str) -> bool:
    """True if the model can be used now; otherwise show a note and ask the page to rerun."""
    # A fragment rerun has no page end to call finish_deferred: it waits for the model instead.
    if page_data.model_ready() or is_fragment_rerun():
        return _load()
    st.session_state[PENDING] = True
    st.info(f"⏳ {what} appears in a moment, once the autoencoder has loaded.")
    return False


def _load() -> bool:
    try:
        resources.pretrained()
    except Exception as exc:  # a broken or missing asset must not take the page down
        st.error(
            "The pretrained model could not be loaded, so this part of the page is unavailable. "
            f"({type(exc).__name__}: {str(exc)[:200]})"
        )
        return False
    return True


def finish_deferred() -> None:
    """At the end of the page: if a section is waiting for the model, watch for it.

    Waiting here would keep the script running, and a running script delays every click
    until the model is in. Instead the page finishes (and responds at once), and a small
    fragment checks twice a second and reruns the page once the model is ready.
    """
    if st.session_state.pop(PENDING, False):
        # Normally the app shell starts the warm-up after the page; starting it here too
        # (idempotent) means the panels never wait on a warm-up nobody started.
        resources.warm_up()
        _watch_model()


@st.fragment(run_every=0.5)
def _watch_model() -> None:
    if page_data.model_ready():
        st.rerun(scope="app")
