"""Introduction: anomaly detection with autoencoders, one idea at a time, each with a live visual.

The page paints without waiting for Keras: the gallery, the data, the replay and the metrics
come from the recorded replay and the model file's metadata; the panels that need the model
show a short note and fill in once it has loaded (see anomagram/ui/intro_model.py).
"""

import streamlit as st

from anomagram.ui import intro_draw, intro_lesson, intro_sections
from anomagram.ui.intro_model import finish_deferred
from anomagram.ui.intro_sections import section_header
from anomagram.ui.streamlit_patches import require_app_shell

require_app_shell()
intro_sections.hero()

section_header(1, "Try it: is this heartbeat normal?", "try-it")
intro_sections.try_it()

section_header(2, "Draw your own heartbeat", "draw")
st.markdown(
    "Can you fool the model? Draw any shape and see whether it passes as a normal beat. "
    "Odd shapes are easy to spot; the interesting ones are beats that are *almost* normal."
)
intro_draw.drawing_section()

intro_lesson.lesson()

st.divider()
st.caption(
    "Anomagram for Streamlit, after the original Anomagram (Victor Dibia, 2020). ECG5000 "
    "comes from the UCR time series archive. Demonstration only, not for medical use."
)

finish_deferred()
