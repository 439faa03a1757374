import os

os.environ.setdefault("KERAS_BACKEND", "jax")

from anomagram.ui import streamlit_patches  # noqa: E402

streamlit_patches.install()
