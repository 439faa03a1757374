"""Cached, shared, read-only resources: the dataset, the pretrained model and its replay.

Big immutable objects use ``st.cache_resource`` (one copy per process, no pickling per rerun;
their arrays are flagged read-only). Small derived tables use ``st.cache_data``.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import streamlit as st

from anomagram import budget, scheduler
from anomagram.backend import keras_module
from anomagram.data import ECG5000, SEQ_LEN, load_ecg5000

_MODEL_READY = threading.Event()


@st.cache_resource(show_spinner=False)
def _warm_thread() -> threading.Thread:
    thread = threading.Thread(target=_warm, name="anomagram-warm-up", daemon=True)
    thread.start()
    return thread


def _warm() -> None:
    keras_module()
    detector = _load_pretrained()
    # Compile the one-beat scoring path too, so the first click or stroke is fast.
    detector.score(np.zeros((1, SEQ_LEN), np.float32))
    _MODEL_READY.set()
    # ROC and PCA (the Introduction's later chapters, every Train run) use scikit-learn,
    # whose import takes 2-3 s on a cold process: pay it here, not when a chapter opens.
    import sklearn.decomposition  # noqa: F401
    import sklearn.metrics  # noqa: F401


def model_ready() -> bool:
    """True once the pretrained model is loaded and compiled: asking for it will not block.

    Asking does not start the warm-up: the app starts it when a page run has finished
    (streamlit_app.py), so Keras's import does not compete with the rest of a first
    visitor's page run.
    """
    return _MODEL_READY.is_set()


def warm_up() -> None:
    """Start loading Keras/JAX and the pretrained model once per server process."""
    _warm_thread()


def _secret_limits() -> dict:
    """The budget's keys set in ``st.secrets`` (same names as the environment variables)."""
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        return {name: st.secrets[name] for name in budget.ENV_VARS.values() if name in st.secrets}
    except (FileNotFoundError, StreamlitSecretNotFoundError):  # no secrets file: nothing set
        return {}


@st.cache_resource(show_spinner=False)
def limits() -> budget.Limits:
    """This server's work budget: environment variables, overridden by ``st.secrets``."""
    return budget.load_limits(overrides=_secret_limits())


def trainers() -> scheduler.Scheduler:
    """The server-wide scheduler of trainings, sized by ``limits().trainings``."""
    return scheduler.shared(limits().trainings)


@st.cache_resource(show_spinner=False)
def ecg_data() -> ECG5000:
    return load_ecg5000()


def ecg() -> ECG5000:
    """ECG5000, loaded once per process (read-only arrays)."""
    with st.spinner("Loading the ECG5000 heartbeats…"):
        return ecg_data()


@st.cache_resource(show_spinner=False)
def _load_pretrained():
    from anomagram.pretrained import load_pretrained

    return load_pretrained()


def pretrained():
    """The shipped Detector (model, scaler, threshold, spec); waits for the warm-up if needed."""
    with st.spinner("Loading the pretrained autoencoder…"):
        return _load_pretrained()


@st.cache_resource(show_spinner=False)
def replay():
    from anomagram.pretrained import load_replay

    return load_replay(classes=pretrained_split().split.test_y)


@st.cache_resource(show_spinner=False)
def pretrained_split():
    """The pretrained model's own training/test split, drawn again from its spec and seed."""
    from anomagram.pretrained import PRETRAINED_SPEC
    from anomagram.training import prepare

    return prepare(PRETRAINED_SPEC, ecg())


@st.cache_data(show_spinner=False)
def class_table() -> pd.DataFrame:
    from anomagram.data import CLASS_IDS, CLASS_NAMES

    data = ecg()
    y = np.concatenate([data.train_pool_y, data.test_pool_y])
    counts = [int((y == c).sum()) for c in CLASS_IDS]
    return pd.DataFrame(
        {
            "class": list(CLASS_IDS),
            "name": [CLASS_NAMES[c] for c in CLASS_IDS],
            "beats": counts,
            "share": [c / len(y) for c in counts],
        }
    )
