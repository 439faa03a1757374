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


def _numbers(box, epoch: int) -> None:
    replay = resources.replay()
    errors, abnormal = replay.errors[epoch], is_abnormal(replay.classes)
    auc = page_data.replay_aucs()[epoch]
    with box.container():
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


@st.fragment
def training_replay() -> None:
    state = st.session_state
    replay = resources.replay()
    last = replay.epochs
    goto = state.pop("intro_replay_goto", None)
    if goto is not None:
        state["intro_epoch"] = goto
    elif "intro_epoch" not in state:
        state["intro_epoch"] = 0
    st.markdown(
        "While training the shipped model we recorded the error of each of the 500 test beats "
        "after every epoch (one pass over the training beats). Press **Play**: at epoch 0 the "
        "untrained network redraws every beat equally badly and the two colours sit in one "
        "pile. Within a few epochs the normal beats' errors shrink while the abnormal ones "
        "stay high, and the piles pull apart. That gap is what makes a threshold possible."
    )
    controls = st.columns([1, 6], vertical_alignment="bottom")
    play = controls[0].button("▶ Play", key="intro_play", type="primary", width="stretch")
    epoch = controls[1].slider("Epoch", 0, last, key="intro_epoch", persist_state="session")
    chart_col, numbers_col = st.columns([4, 1], gap="medium")
    chart_box, numbers_box = chart_col.empty(), numbers_col.empty()
    if not play:
        chart_box.vega_lite_chart(spec=histogram_spec(epoch), width="stretch")
        _numbers(numbers_box, epoch)
        return
    start = 0 if epoch >= last else epoch
    for e in range(start, last + 1):
        chart_box.vega_lite_chart(spec=histogram_spec(e), width="stretch")
        _numbers(numbers_box, e)
        time.sleep(FRAME_SECONDS)
    state["intro_replay_goto"] = last
    # Move the slider to where the animation stopped (a widget cannot be set after it is drawn).
    st.rerun(scope="fragment" if is_fragment_rerun() else "app")
