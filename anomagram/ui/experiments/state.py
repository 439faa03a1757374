"""The Experiments page's session state: its keys, their defaults and the job being shown.

Compiled models are not kept here: sweeps take them from, and give them back to, the
process-wide bounded pool (``anomagram.compiled``), so a session that ends leaves none behind.
"""

from __future__ import annotations

import threading

import streamlit as st

from anomagram import compiled
from anomagram.ui.common.datasets import dataset_for
from anomagram.ui.experiments import logic
from anomagram.ui.experiments.job import SweepJob

JOB = "exp_job"  # the SweepJob shown, or None before the first Run
RECORDS = "exp_records"  # its finished runs, in sweep order
LOCK = "exp_lock"  # held while a script run of this session runs its sweep
CANCEL = "exp_cancel"
CONTINUE = "exp_continue"


def init_state() -> None:
    st.session_state.setdefault("exp_param", logic.DEFAULT_PARAM)
    st.session_state.setdefault("exp_seeds", logic.DEFAULT_SEEDS)
    st.session_state.setdefault("exp_extra", {})
    st.session_state.setdefault(RECORDS, [])
    st.session_state.setdefault(LOCK, threading.Lock())


def job() -> SweepJob | None:
    return st.session_state.get(JOB)


def records() -> list:
    return st.session_state[RECORDS]


def models() -> compiled.CompiledPool:
    """Where sweeps keep compiled models between runs; iterating gives the architectures."""
    return compiled.pool()


def lock() -> threading.Lock:
    return st.session_state[LOCK]


def note_interruption() -> None:
    """A new script run while the sweep was running means it was interrupted: by a click on
    Cancel, on another widget, or on another page."""
    current = job()
    if current is not None:
        current.interrupt(cancelled=bool(st.session_state.get(CANCEL)))


def new_job(param: str, values, seeds: int, base) -> SweepJob:
    """A new sweep of ``base`` (fitted to its data), with the notes its data gives its splits."""
    try:
        notes = tuple(logic.split_notes(base, param, list(values), dataset_for(base)))
    except ValueError:  # the data cannot be had: the run says so when it starts
        notes = ()
    fresh = SweepJob(param, list(values), seeds, base, notes=notes)
    st.session_state[RECORDS] = []
    st.session_state[JOB] = fresh
    return fresh
