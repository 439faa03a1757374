"""Score your data: upload or paste heartbeats, score them with a model, download the verdicts."""

import streamlit as st

from anomagram.ui import score_view as view
from anomagram.ui.streamlit_patches import require_app_shell

require_app_shell()
view.init_state()
st.title("📄 Score your own heartbeats")
st.markdown(
    "Bring your own heartbeats, let an autoencoder rebuild each one, and see which beats it "
    "finds hard to rebuild: those are flagged as abnormal. Download the verdicts as a CSV, or "
    "take a model with you as a `.keras` file."
)
col_data, col_model = st.columns([3, 2], gap="large")
with col_data:
    data_choice = view.data_panel()
with col_model:
    model_choice = view.model_panel()
st.divider()
view.results_panel(data_choice, model_choice)
