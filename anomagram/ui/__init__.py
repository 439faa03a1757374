"""Streamlit widgets and cached resources shared by the pages (the only Streamlit code in the
package; everything below ``anomagram/`` outside this folder is plain Python)."""

from anomagram.ui import keras_guard

# Every page imports this package, so the guard is in place before any session's first run
# ends (see keras_guard for why Streamlit's Keras reset must not run here).
keras_guard.install()
