"""What the Train page is doing: the buttons' requests, the model's phase, building trainers.

The buttons only record a request (``on_click``); the page script takes it once per full run
and turns it into a new, continued or reset model. The session's Trainer (``state``) keeps
every finished epoch even when a click interrupts a run, so nothing here loses a model.
"""

from __future__ import annotations

import dataclasses
import threading

import streamlit as st

from anomagram import budget
from anomagram.data import DataError
from anomagram.spec import Spec
from anomagram.training import DIVERGED, STOPPED, Trainer
from anomagram.ui.common import datasets, resources
from anomagram.ui.common.state import get_trainer, set_trainer
from anomagram.ui.common.text import escape_markdown
from anomagram.ui.train import data_state
from anomagram.ui.train.model_pool import pool

REQUEST_KEY = "train_request"  # set by the buttons' callbacks, read once per full run
LIVE_KEY = "train_live"  # epochs the results panel should train in this run
TARGET_KEY = "train_target"  # the epoch the current (or paused) run ends at
RUN_ERROR_KEY = "train_run_error"
LOCK_KEY = "train_lock"  # held while a run trains this session's model
SKIP_KEY = "train_skip"  # this run finishes the interrupted one without drawing its frames
RUNNING_KEY = "train_running"  # set while a live run trains; left set when a click stops it

PHASES = ("none", "stale", "diverged", "new", "paused", "done")


def training_lock() -> threading.Lock:
    return st.session_state.setdefault(LOCK_KEY, threading.Lock())


def wait_for_training_to_stop(timeout: float = 60.0) -> None:
    """Let an interrupted run finish its epoch before this run reads or trains the model."""
    # With runner.fastReruns a click starts the new run at once, while the old run is still
    # inside model.fit until its next Streamlit call stops it: without this wait the new run
    # would read a half-updated trainer, or train the same model from two threads.
    lock = training_lock()
    if lock.acquire(timeout=timeout):
        lock.release()


def request(action: str) -> None:
    """A button's ``on_click``: "go", "pause", "skip" or "reset"."""
    st.session_state[REQUEST_KEY] = action


def take_request() -> str | None:
    """The button request of this full run; also drops a live run an interrupt left behind."""
    wait_for_training_to_stop()
    st.session_state.pop(LIVE_KEY, None)
    st.session_state.pop(SKIP_KEY, None)
    st.session_state.pop(RUNNING_KEY, None)
    return st.session_state.pop(REQUEST_KEY, None)


def interrupted_a_run() -> bool:
    """In a widget callback: did this click stop a live run (which then should go on)?"""
    return bool(st.session_state.get(RUNNING_KEY))


def target() -> int | None:
    """The epoch the current (or paused) run ends at."""
    return st.session_state.get(TARGET_KEY)


def _model_settings(spec: Spec) -> dict:
    # The step count only says how long the next run is; it does not change the model.
    settings = spec.to_dict()
    settings.pop("epochs")
    return settings


def is_stale(trainer: Trainer | None, spec: Spec) -> bool:
    """Whether Train would need a new model: other settings, or other data (a file of the same
    name uploaded again with other contents)."""
    if trainer is None:
        return False
    return _model_settings(trainer.spec) != _model_settings(spec) or not data_state.same_data(
        trainer, spec
    )


def phase(trainer: Trainer | None, spec: Spec) -> str:
    """One of ``PHASES``: none | stale | diverged | new | paused | done."""
    if trainer is None:
        return "none"
    if trainer.status == DIVERGED:
        return "diverged"
    if is_stale(trainer, spec):
        return "stale"
    if trainer.epochs_done == 0:
        return "new"
    end = target()
    if trainer.status == STOPPED and end and trainer.epochs_done < end:
        return "paused"
    return "done"


def run_spec(spec: Spec) -> Spec:
    """What Train would run now: ``spec``, or the rest of a paused run."""
    trainer = get_trainer()
    end = target()
    if phase(trainer, spec) == "paused" and end:
        return trainer.spec.replace(epochs=max(end - trainer.epochs_done, 1))
    return spec


def budget_problem(spec: Spec) -> budget.BudgetProblem | None:
    """What is over this server's budget in the run Train would start, or None.

    Estimated on the rows the split really takes: a small dataset gives fewer than the spec's
    sizes ask for. The nearest settings that fit keep the spec's own sizes.
    """
    run = run_spec(spec)
    problem = budget.check_run(data_state.budget_spec(run), resources.limits())
    if problem is not None and problem.nearest is not None:
        nearest = problem.nearest.replace(
            train_size=run.train_size, test_size=run.test_size, validate=True
        )
        problem = dataclasses.replace(problem, nearest=nearest)
    return problem


def warm(spec: Spec) -> None:
    """Compile the next model in the background while the person is still choosing."""
    resources.trainers()  # sized from this server's limits before the warm-up asks for it
    trainer = get_trainer()
    if trainer is None or trainer.spec.architecture_key != spec.architecture_key:
        try:
            data = datasets.dataset_for(spec)
        except DataError:
            return  # the data panel says why; nothing to warm up for
        pool().request(spec, data)


def build_trainer(spec: Spec) -> Trainer | None:
    """A fresh trainer for ``spec``, reusing compiled code where the architecture allows."""
    old = get_trainer()
    with st.spinner("Building the autoencoder…"):
        if old is not None and old.spec.architecture_key == spec.architecture_key:
            model = old.model
        else:
            # Waits if the background warm-up is compiling this very architecture.
            model = pool().take(spec)
        try:
            trainer = Trainer.create(spec, datasets.dataset_for(spec), model=model)
        except ValueError as exc:  # SpecError, SourceError and impossible data compositions
            st.error(f"This model cannot be built: {escape_markdown(exc)}", icon="🚫")
            return None
    data_state.tag_trainer(trainer, spec)
    return trainer


def handle_request(action: str | None, spec: Spec) -> bool:
    """Act on a button request; True when the results panel should train in this run."""
    if action == "reset":
        trainer = build_trainer(spec)
        if trainer is not None:
            set_trainer(trainer)
            st.session_state.pop(TARGET_KEY, None)
        return False
    if action not in ("go", "skip"):
        return False
    if budget_problem(spec) is not None:
        return False  # the action bar says why and offers the nearest allowed settings
    trainer = get_trainer()
    current = phase(trainer, spec)
    if action == "skip":
        # The click interrupted a Watch run after its current epoch: finish that run, fast.
        if current != "paused":
            return False
        st.session_state[SKIP_KEY] = True
    if current in ("none", "stale", "diverged"):
        trainer = build_trainer(spec)
        if trainer is None:
            return False
        set_trainer(trainer)
        current = "new"
    # Only the step count may differ here; keep the trainer's spec (saved with the model) exact.
    trainer.set_spec_epochs(spec)
    if current == "paused":
        end = int(st.session_state[TARGET_KEY])
    else:
        end = trainer.epochs_done + spec.epochs
    st.session_state[TARGET_KEY] = end
    st.session_state[LIVE_KEY] = end - trainer.epochs_done
    return True


def take_skip() -> bool:
    """True when this run skips to the end of the interrupted one (asked for once)."""
    return bool(st.session_state.pop(SKIP_KEY, False))


def take_live_epochs() -> int | None:
    """The epochs the results panel should train in this run (asked for once)."""
    return st.session_state.pop(LIVE_KEY, None)
