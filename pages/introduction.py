"""Introduction: anomaly detection with autoencoders, one idea at a time, each with a live visual.

The page paints without waiting for Keras; panels that need the model fill in once it has
loaded (see anomagram/ui/introduction/model_loading.py).
"""

import streamlit as st

from anomagram.ui.introduction.drawing import drawing
from anomagram.ui.introduction.gallery import gallery
from anomagram.ui.introduction.hero import hero
from anomagram.ui.introduction.lesson import lesson
from anomagram.ui.introduction.model_loading import finish_deferred
from anomagram.ui.streamlit_patches import require_app_shell

require_app_shell()
hero()
gallery()  # 1 · Try it: is this heartbeat normal?
drawing()  # 2 · Draw your own heartbeat
lesson()  # 3-8 · How it works, step by step

st.divider()
st.caption(
    "Anomagram for Streamlit, after the original Anomagram (Victor Dibia, 2020). ECG5000 "
    "comes from the UCR time series archive. Demonstration only, not for medical use."
)

finish_deferred()
