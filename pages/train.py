"""Train a model: compose an autoencoder, train it live, then choose a threshold and export it."""

import streamlit as st

from anomagram.ui import train_view
from anomagram.ui.common.state import get_spec
from anomagram.ui.streamlit_patches import require_app_shell
from anomagram.ui.train import composer

require_app_shell()
request = train_view.take_request()

st.title("🏋️ Train a model")
st.caption(
    "Design an autoencoder, train it on heartbeats and watch it learn. It only ever learns to "
    "rebuild beats; the ones it rebuilds badly are the anomalies. The page URL holds your "
    "settings: copy it to share this exact setup."
)

spec = composer.sync_query_params()
composer.show_problems()

design, settings = st.columns(2, gap="large")
with design:
    st.subheader("① Design the network")
    composer.composer(spec)
with settings:
    st.subheader("② Training and data")
    composer.parameters(spec)

spec = get_spec()
train_view.warm(spec)

st.divider()
st.subheader("③ Train and watch it learn")
live = train_view.handle_request(request, spec)
bar = train_view.action_bar(spec, live)
train_view.results_panel()
if live:
    train_view.finish_live(bar, spec)
