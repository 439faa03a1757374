"""Train a model: compose an autoencoder, train it live, then choose a threshold and export it."""

import streamlit as st

from anomagram.ui.common.state import get_spec
from anomagram.ui.streamlit_patches import require_app_shell
from anomagram.ui.train import action_bar, composer, data_panel, run_state
from anomagram.ui.train.results import results_panel

require_app_shell()
request = run_state.take_request()

st.title("🏋️ Train a model")
st.caption(
    "Design an autoencoder, train it on heartbeats (or your own data) and watch it learn. It "
    "only ever learns to rebuild normal beats; the ones it rebuilds badly are the anomalies. The "
    "page URL holds your settings: copy it to share this exact setup."
)

spec = composer.sync_query_params()
composer.show_problems()
spec = data_panel.data_panel(spec)
action_bar.budget_banner(spec)
choose, start = st.columns([3, 1], vertical_alignment="bottom")
with choose:
    composer.presets(spec)
start_slot = start.empty()  # a Train button in the first screen, filled with the bar's below
composer.preset_note(spec)

design, settings = st.columns(2, gap="large")
with design:
    st.subheader("① Design the network")
    composer.composer(spec)
with settings:
    st.subheader("② Training and data")
    composer.parameters(spec)

spec = get_spec()
run_state.warm(spec)

st.divider()
st.subheader("③ Train and watch it learn")
live = run_state.handle_request(request, spec)
bar = action_bar.action_bar(spec, live, start_slot)
results_panel()
if live:
    action_bar.finish_live(bar, spec)
