"""The Experiments page's session state: its keys, their defaults and the job being shown."""

from __future__ import annotations

import threading

import streamlit as st

from anomagram.ui.experiments import logic
from anomagram.ui.experiments.job import SweepJob

JOB = "exp_job"  # the SweepJob shown, or None before the first Run
RECORDS = "exp_records"  # its finished runs, in sweep order
MODELS = "exp_models"  # compiled models by architecture, shared by every sweep of the session
LOCK = "exp_lock"  # held while a script run trains on those models
CANCEL = "exp_cancel"
CONTINUE = "exp_continue"


def init_state() -> None:
    st.session_state.setdefault("exp_param", logic.DEFAULT_PARAM)
    st.session_state.setdefault("exp_seeds", logic.DEFAULT_SEEDS)
    st.session_state.setdefault("exp_extra", {})
    st.session_state.setdefault(RECORDS, [])
    st.session_state.setdefault(MODELS, {})
    st.session_state.setdefault(LOCK, threading.Lock())


def job() -> SweepJob | None:
    return st.session_state.get(JOB)


def records() -> list:
    return st.session_state[RECORDS]


def models() -> dict:
    return st.session_state[MODELS]


def lock() -> threading.Lock:
    return st.session_state[LOCK]


def note_interruption() -> None:
    """A new script run while the sweep was running means it was interrupted: by a click on
    Cancel, on another widget, or on another page."""
    current = job()
    if current is not None:
        current.interrupt(cancelled=bool(st.session_state.get(CANCEL)))


def new_job(param: str, values, seeds: int, base) -> SweepJob:
    fresh = SweepJob(param, list(values), seeds, base)
    st.session_state[RECORDS] = []
    st.session_state[JOB] = fresh
    return fresh
