"""The Train page's action bar: Train / Continue, Pause, Reset and the note beside them."""

from __future__ import annotations

import streamlit as st

from anomagram.spec import Spec
from anomagram.ui.common.state import get_trainer
from anomagram.ui.train import run_state
from anomagram.ui.train.run_state import phase, request

BAR_GENERATION_KEY = "train_bar_generation"


def _bar_keys() -> tuple[str, str]:
    generation = st.session_state.get(BAR_GENERATION_KEY, 0) % 2
    return f"train_go_{generation}", f"train_pause_{generation}"


def action_bar(spec: Spec, live: bool):
    """Train/Continue, Pause and Reset; returns the slots ``finish_live`` refreshes."""
    # A keyed widget of the previous run that this run has not drawn (yet) stays on screen,
    # clickable, until the run ends, and a training run lasts seconds. So a run starts with
    # the keys the previous run ended with, and only enables or disables the buttons.
    go, pause, reset, note = st.columns([2, 1.1, 1.1, 3.3], vertical_alignment="center")
    slots = (go.empty(), pause.empty(), note.empty())
    _fill_bar(slots, spec, live)
    reset.button(
        "↺ Reset",
        key="train_reset",
        on_click=request,
        args=("reset",),
        width="stretch",
        help="Throw the learned weights away and rebuild the model from the settings above.",
    )
    return slots


def finish_live(slots, spec: Spec) -> None:
    """After a live run, Train comes back and Pause goes grey."""
    # A key can be drawn once per run, so the buttons switch to the other key pair; the next
    # run starts from that pair, so nothing lingers.
    st.session_state[BAR_GENERATION_KEY] = st.session_state.get(BAR_GENERATION_KEY, 0) + 1
    _fill_bar(slots, spec, live=False)


def _go_label(spec: Spec, current: str, live: bool) -> str:
    if live:
        return "⏳ Training…"
    if current == "paused":
        return f"▶ Continue to epoch {run_state.target()}"
    if current == "done":
        return f"▶ Train {spec.epochs} more epochs"
    return "▶ Train"


def _fill_bar(slots, spec: Spec, live: bool) -> None:
    go_slot, pause_slot, note_slot = slots
    go_key, pause_key = _bar_keys()
    trainer = get_trainer()
    current = phase(trainer, spec)
    go_slot.button(
        _go_label(spec, current, live),
        key=go_key,
        type="primary",
        on_click=request,
        args=("go",),
        disabled=live,
        width="stretch",
        help="Run the chosen number of steps; the charts update live.",
    )
    pause_slot.button(
        "⏸ Pause",
        key=pause_key,
        on_click=request,
        args=("pause",),
        disabled=not live,
        width="stretch",
        help="Stop after the current epoch. Continue picks up from the same weights.",
    )
    with note_slot.container():
        if live:
            st.caption("Training… Pause, or any change to a setting, stops after this epoch.")
        elif current == "stale" and trainer.epochs_done > 0:
            st.markdown(
                ":orange-badge[⚠️ Settings changed since this model was trained] "
                "Train will rebuild it."
            )
        elif current == "paused":
            st.caption("Paused. Continue trains on from the same weights.")
        elif current == "done":
            st.caption("Train more to continue from these weights, or Reset to start over.")
        elif current == "diverged":
            st.caption("This run diverged: Train rebuilds the model from the settings above.")
        else:
            st.caption("Train builds the model and shows it learning, epoch by epoch.")
