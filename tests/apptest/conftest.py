"""AppTest runs one page without the app shell: install the Streamlit patches it would."""

from anomagram.ui import streamlit_patches

streamlit_patches.install()
