"""Session state shared across pages: the spec being edited and the session's trained model.

Pages read and write these through the functions here, so the keys live in one place.
Page-private state uses a prefix per page (``intro_``, ``train_``, ``score_``, ``exp_``), and
no page reads another page's private keys.
"""

from __future__ import annotations

import streamlit as st

from anomagram.spec import Spec

SPEC_KEY = "spec"
TRAINER_KEY = "trainer"
THRESHOLD_KEY = "threshold"  # chosen on the Train page, used by the Score page


def get_spec() -> Spec:
    spec = st.session_state.get(SPEC_KEY)
    if not isinstance(spec, Spec):
        spec = Spec()
        st.session_state[SPEC_KEY] = spec
    return spec


def set_spec(spec: Spec) -> None:
    st.session_state[SPEC_KEY] = spec


def get_trainer():
    """The Trainer built on the Train page in this session, or None."""
    return st.session_state.get(TRAINER_KEY)


def set_trainer(trainer) -> None:
    st.session_state[TRAINER_KEY] = trainer


def get_threshold() -> float | None:
    """The threshold chosen for the session's model on the Train page, if any."""
    return st.session_state.get(THRESHOLD_KEY)


def set_threshold(value: float) -> None:
    st.session_state[THRESHOLD_KEY] = float(value)


def session_detector():
    """A Detector from this session's trained model at its chosen threshold, or None."""
    trainer = get_trainer()
    if trainer is None or trainer.epochs_done == 0:
        return None
    threshold = get_threshold()
    if threshold is None:
        threshold = trainer.threshold("best_accuracy")
    return trainer.detector(threshold, {"threshold_strategy": "chosen on the Train page"})
