"""The Train page's action bar: Train / Continue, Pause, Skip, Reset, the speed and a note."""

from __future__ import annotations

import streamlit as st

from anomagram.spec import Spec
from anomagram.ui.common.state import get_trainer
from anomagram.ui.train import run_state
from anomagram.ui.train.composer import update_spec
from anomagram.ui.train.live import DEFAULT_SPEED, SPEED_KEY, SPEEDS
from anomagram.ui.train.run_state import phase, request
from anomagram.ui.train.widgets import persisted, scroll_into_view

BAR_GENERATION_KEY = "train_bar_generation"
BAR_ANCHOR = "train-action-bar"


def _bar_keys() -> tuple[str, str, str, str]:
    generation = st.session_state.get(BAR_GENERATION_KEY, 0) % 2
    return (
        f"train_go_{generation}",
        f"train_pause_{generation}",
        f"train_skip_{generation}",
        f"train_start_{generation}",
    )


def _on_speed() -> None:
    choice = st.session_state["train_speed_w"] or DEFAULT_SPEED
    st.session_state[SPEED_KEY] = choice
    # A click stops a running script: when it stopped a live run, that run goes on at the
    # new pace instead of pausing.
    if run_state.interrupted_a_run():
        request("skip" if choice == "fast" else "go")


def action_bar(spec: Spec, live: bool, start_slot):
    """Train/Continue, Pause and Reset; returns the slots ``finish_live`` refreshes.

    ``start_slot`` (beside the presets, in the first screen of a laptop, where the bar is not)
    gets a second Train button that does what the bar's does: a demo is "pick a preset, Train",
    and the live run then scrolls the bar and its charts into view.
    """
    # A keyed widget of the previous run that this run has not drawn (yet) stays on screen,
    # clickable, until the run ends, and a training run lasts seconds. So a run starts with
    # the keys the previous run ended with, and only enables or disables the buttons.
    # A keyed container gets the CSS class st-key-<key>: the scroll script finds the bar by it.
    bar = st.container(key=BAR_ANCHOR)
    go, pause, skip, reset, pace = bar.columns([2, 1.1, 1.5, 1.1, 2], vertical_alignment="center")
    slots = (go.empty(), pause.empty(), skip.empty(), st.empty(), start_slot)
    _fill_bar(slots, spec, live)
    st.session_state.setdefault(SPEED_KEY, DEFAULT_SPEED)
    persisted("train_speed_w", SPEED_KEY, DEFAULT_SPEED)
    pace.segmented_control(
        "Speed",
        list(SPEEDS),
        format_func=SPEEDS.get,
        key="train_speed_w",
        on_change=_on_speed,
        required=True,
        label_visibility="collapsed",
        help=(
            "Watch: every epoch is drawn, about 10 per second. Fast: train at full speed and "
            "show the result. Switching during a run changes the pace of that run."
        ),
    )
    if live:
        # The live area (this bar, the progress and the charts) fills the window.
        scroll_into_view(BAR_ANCHOR)
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


# The first screen's Train button: its own words, so that it never reads as a second, different
# action (and a browser test can tell the two apart).
_START_LABELS = {"paused": "▶ Continue", "done": "▶ Train more"}


def _train_button(slot, label: str, key: str, disabled: bool, help: str) -> None:
    slot.button(
        label,
        key=key,
        type="primary",
        on_click=request,
        args=("go",),
        disabled=disabled,
        width="stretch",
        help=help,
    )


def _fill_bar(slots, spec: Spec, live: bool) -> None:
    go_slot, pause_slot, skip_slot, note_slot, start_slot = slots
    go_key, pause_key, skip_key, start_key = _bar_keys()
    trainer = get_trainer()
    current = phase(trainer, spec)
    over_budget = None if live else run_state.budget_problem(spec)
    off = live or over_budget is not None
    _train_button(
        start_slot,
        "⏳ Training…" if live else _START_LABELS.get(current, "▶ Train now"),
        start_key,
        off,
        "The same as Train in ③ below: train with the settings on this page and watch the "
        "charts learn, brought into view.",
    )
    _train_button(
        go_slot,
        _go_label(spec, current, live),
        go_key,
        off,
        "Run the chosen number of steps; the charts update live. Train again to continue "
        "from the learned weights, or Reset to start over.",
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
    skip_slot.button(
        "⏭ Skip to the end",
        key=skip_key,
        on_click=request,
        args=("skip",),
        disabled=not live,
        width="stretch",
        help="Finish this run at full speed, without drawing the epochs in between.",
    )
    # Only notes that change what Train does: every line here pushes the live charts down.
    if over_budget is not None:
        _budget_note(note_slot, spec, over_budget)
    elif current == "stale" and trainer.epochs_done > 0 and not live:
        note_slot.markdown(
            ":orange-badge[⚠️ Settings changed since this model was trained] Train will rebuild it."
        )
    elif current == "diverged" and not live:
        note_slot.caption("This run diverged: Train rebuilds the model from the settings above.")
    else:
        note_slot.empty()


def budget_banner(spec: Spec) -> None:
    """At the top of the page: settings (often a link's) over this server's limit per run.

    The full reason and the one-click fix sit beside the Train button, below the fold on a
    laptop; without this line a visitor following such a link would first see nothing wrong.
    """
    if run_state.budget_problem(spec) is not None:
        st.info(
            "These settings need more training than this server allows for one run, so Train "
            "is off: see ③ below for what is over and the nearest settings that fit.",
            icon="⏱️",
        )


def _budget_note(slot, spec: Spec, problem) -> None:
    """Why Train is off on this server, and one click to the nearest settings that fit."""
    changes = problem.changes(spec)
    with slot.container():
        st.warning(problem.message, icon="⏱️")
        if changes:
            st.button(
                problem.fix_text(spec),
                key="train_budget_fix",
                on_click=update_spec,
                kwargs=changes,
                help="Changes only what is needed to fit this server's limit per run.",
            )
