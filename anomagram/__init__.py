"""Anomagram: a teachable autoencoder anomaly detector for ECG5000 heartbeats.

The core package knows nothing about Streamlit; ``anomagram.ui`` holds the Streamlit widgets.
"""

__version__ = "0.1.0"
