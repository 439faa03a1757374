"""Chapter 5 of the lesson, "Training replay": the test errors epoch by epoch, with Play.

The shipped model's training was recorded (every test beat's error after every epoch), so the
replay needs no model and no training here.
"""

from __future__ import annotations

import time

import streamlit as st

from anomagram import charts
from anomagram.data import is_abnormal
from anomagram.ui.common import resources
from anomagram.ui.common.tiles import fmt
from anomagram.ui.introduction import page_data
from anomagram.ui.introduction.views import HIST_H
from anomagram.ui.streamlit_patches import is_fragment_rerun

FRAME_SECONDS = 0.12
PLAYING = "intro_replay_playing"
GOTO = "intro_replay_goto"
# Set for a page run the replay asked for itself (the Play click, or the next frame when it
# cannot rerun just its fragment); any other page run stops a replay left playing.
OWN_RUN = "intro_replay_own_run"


@st.cache_data(show_spinner=False, max_entries=64)
def histogram_spec(epoch: int) -> dict:
    replay = resources.replay()
    label = "untrained" if epoch == 0 else f"after {epoch} epoch{'s' if epoch > 1 else ''}"
    chart = charts.error_histogram(
        replay.errors[epoch],
        is_abnormal(replay.classes),
        bins=45,
        x_max=page_data.replay_x_max(),
        title=f"Epoch {epoch}: errors of the 500 test beats ({label})",
    )
    return charts.to_vega(chart, HIST_H)


def _numbers(column, epoch: int) -> None:
    replay = resources.replay()
    errors, abnormal = replay.errors[epoch], is_abnormal(replay.classes)
    auc = page_data.replay_aucs()[epoch]
    with column:
        st.metric("Epoch", f"{epoch} / {replay.epochs}")
        st.metric(
            "AUC",
            fmt(auc),
            help="1: abnormal beats always have the larger error. 0.5: no better than chance. "
            "Below 0.5 the order is reversed; at epoch 0 all errors are nearly equal, so tiny "
            "differences decide it.",
        )
        st.metric("Mean error, normal", f"{errors[~abnormal].mean():.4f}")
        st.metric("Mean error, abnormal", f"{errors[abnormal].mean():.4f}")


def _play_or_pause() -> None:
    state = st.session_state
    state[PLAYING] = not state.get(PLAYING, False)
    state[OWN_RUN] = True
    if state[PLAYING] and state.get("intro_epoch", 0) >= resources.replay().epochs:
        state[GOTO] = 0  # from the end, Play starts over


@st.fragment
def training_replay() -> None:
    """One frame per run: while playing, each run draws an epoch, waits, and reruns itself
    with the next one. So the slider follows the animation (a widget's value can only be set
    before it is drawn), and Pause, a click queued during the wait, lands between frames."""
    started = time.monotonic()
    state = st.session_state
    last = resources.replay().epochs
    goto = state.pop(GOTO, None)
    if goto is not None:
        state["intro_epoch"] = goto
    elif "intro_epoch" not in state:
        state["intro_epoch"] = 0
    own_run = state.pop(OWN_RUN, False) or is_fragment_rerun()
    if state.get(PLAYING) and (state["intro_epoch"] >= last or not own_run):
        # The last frame is drawn as a still; so is the current one when the reader comes
        # back from another chapter or page, rather than replaying the whole page per frame.
        state[PLAYING] = False
    playing = bool(state.get(PLAYING))
    st.markdown(
        "While training the shipped model we recorded the error of each of the 500 test beats "
        "after every epoch (one pass over the training beats). Press **Play**: at epoch 0 the "
        "untrained network redraws every beat equally badly and the two colours sit in one "
        "pile. Within a few epochs the normal beats' errors shrink while the abnormal ones "
        "stay high, and the piles pull apart. That gap is what makes a threshold possible. "
        "(At epoch 0 the AUC is even below 0.5: the untrained network draws about the same "
        "curve for every beat, the abnormal beats happen to lie slightly closer to it, so "
        "their errors are a hair smaller and the ranking comes out backwards; it means "
        "nothing yet.)"
    )
    controls = st.columns([1, 6], vertical_alignment="bottom")
    # One button whose label changes: with the same key it is the same element, replaced in
    # place (two buttons left the other one on screen, stale, while frames kept coming).
    controls[0].button(
        "⏸ Pause" if playing else "▶ Play",
        key="intro_play",
        type="primary",
        on_click=_play_or_pause,
        width="stretch",
    )
    epoch = controls[1].slider("Epoch", 0, last, key="intro_epoch", persist_state="session")
    chart_col, numbers_col = st.columns([4, 1], gap="medium")
    chart_col.vega_lite_chart(spec=histogram_spec(epoch), width="stretch")
    _numbers(numbers_col, epoch)
    if not playing:
        return
    # A frame lasts FRAME_SECONDS in all: the run itself took part of it.
    time.sleep(max(0.02, FRAME_SECONDS - (time.monotonic() - started)))
    state[GOTO] = epoch + 1
    if is_fragment_rerun():
        st.rerun(scope="fragment")
    state[OWN_RUN] = True
    st.rerun(scope="app")
