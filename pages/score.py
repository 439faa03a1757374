"""Score your data: upload or paste heartbeats, score them with a model, download the verdicts."""

import streamlit as st

from anomagram.ui.score.data_panel import data_panel
from anomagram.ui.score.model_panel import model_panel
from anomagram.ui.score.results import results_panel
from anomagram.ui.score.state import init_state
from anomagram.ui.streamlit_patches import require_app_shell

require_app_shell()
init_state()
st.title("📄 Score your own heartbeats")
st.markdown(
    "Bring your own heartbeats, let an autoencoder rebuild each one, and see which beats it "
    "finds hard to rebuild: those are flagged as abnormal. Download the verdicts as a CSV, or "
    "take a model with you as a `.keras` file."
)
col_data, col_model = st.columns([3, 2], gap="large")
with col_data:
    data_choice = data_panel()
with col_model:
    model_choice = model_panel()
st.divider()
results_panel(data_choice, model_choice)
