"""The top of the Introduction: title, what an autoencoder does, four key numbers, contents."""

from __future__ import annotations

import streamlit as st

from anomagram.charts.introduction import stats_html
from anomagram.data import SEQ_LEN
from anomagram.ui.common import resources
from anomagram.ui.introduction.views import show_html

# The page's contents line: anchors of the gallery, the drawing and the lesson.
SECTIONS = [
    ("try-it", "Try it"),
    ("draw", "Draw your own"),
    ("lesson", "How it works, step by step"),
]


def hero() -> None:
    summary = resources.replay().summary
    table = resources.class_table()
    st.title("🫀 Anomagram: spotting unusual heartbeats")
    text, numbers = st.columns([1.7, 1], gap="large")
    with text:
        st.markdown(
            "An **autoencoder** is a small neural network that learns to squeeze a signal "
            "down to a few numbers and redraw it. Train it only on **normal** heartbeats and it "
            "becomes good at redrawing normal beats and bad at everything else, so **how badly "
            "it redraws a beat tells you how unusual that beat is**. This page walks through "
            "the idea with a model trained on real ECG recordings: click beats, draw your own, "
            "and watch the numbers move."
        )
        st.warning(
            "**Demonstration only, not for medical use.** Nothing here can diagnose anyone; "
            "it teaches a machine-learning technique with a public research dataset.",
            icon="⚠️",
        )
    with numbers:
        # One HTML block rather than four st.metric tiles: same look, and the first screen
        # does not wait for the tiles' own script chunk and tooltips.
        show_html(
            stats_html(
                [
                    ("Heartbeats in ECG5000", f"{int(table['beats'].sum()):,}", ""),
                    ("Samples per beat", str(SEQ_LEN), ""),
                    ("Model AUC", f"{summary['auc']:.3f}", "1 is perfect, 0.5 a coin toss"),
                    ("Judged right", f"{summary['accuracy']:.1%}", "of 500 unseen test beats"),
                ]
            )
        )
    links = " · ".join(f"[{name}](#{anchor})" for anchor, name in SECTIONS)
    st.markdown(f"**On this page:** {links}")
