"""Anomagram for Streamlit: page config, navigation and the sidebar shared by every page."""

import streamlit as st

from anomagram.ui import streamlit_patches
from anomagram.ui.common import resources

# Before any session's first run ends: see streamlit_patches for why each hook is needed.
streamlit_patches.install()

st.set_page_config(
    page_title="Anomagram · ECG anomaly detection with autoencoders",
    page_icon="🫀",
    layout="wide",
    # "auto": open on wide screens, collapsed on phones, where it would cover the page.
    initial_sidebar_state="auto",
)

pages = [
    st.Page(
        "pages/introduction.py",
        title="Introduction",
        icon="🫀",
        url_path="introduction",
        default=True,
    ),
    st.Page("pages/train.py", title="Train a model", icon="🏋️", url_path="train"),
    st.Page("pages/score.py", title="Score your data", icon="📄", url_path="score"),
    st.Page("pages/experiments.py", title="Experiments", icon="🧪", url_path="experiments"),
]
page = st.navigation(pages)
# Streamlit leaves 6rem above every page; at 1366x768 that is room a demo needs for the charts.
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2rem}</style>")

with st.sidebar:
    st.markdown(
        "**Anomagram** teaches anomaly detection with autoencoders on real heartbeats "
        "(ECG5000). An autoencoder learns to rebuild *normal* beats; beats it rebuilds badly "
        "are flagged as abnormal."
    )
    # The Introduction says it in its first screen and its footer; a third time here would
    # only be noise. The other pages have no disclaimer of their own, so they keep this one.
    if page.title != "Introduction":
        st.caption(
            "⚠️ A demonstration for learning, not a medical device: never use it to diagnose anyone."
        )

page.run()

# Importing Keras/JAX takes seconds of Python work that would fight the first page run for the
# GIL; start it in the background once that run is done, so the first paint does not wait.
resources.warm_up()
