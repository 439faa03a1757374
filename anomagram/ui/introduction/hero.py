"""The top of the Introduction: title, the idea in two lines, four key numbers, contents.

Kept short on purpose: at 1440×900 the gallery and the verdict card of section 1 must fit in
the first screen below it (the original Anomagram showed its beats and prediction above the
fold). The disclaimer is said once here, in one line, and again in the page's footer.
"""

from __future__ import annotations

import streamlit as st

from anomagram.charts.introduction import stats_html
from anomagram.data import SEQ_LEN
from anomagram.ui.common import resources
from anomagram.ui.common.tiles import fmt, share
from anomagram.ui.introduction.views import show_html

# The page's contents line: anchors of the gallery, the drawing and the lesson.
SECTIONS = [
    ("try-it", "Try it"),
    ("draw", "Draw your own"),
    ("lesson", "How it works, step by step"),
]
DISCLAIMER = "⚠️ **Demonstration only, not for medical use.**"


def hero() -> None:
    summary = resources.replay().summary
    table = resources.class_table()
    st.title("🫀 Anomagram: spotting unusual heartbeats")
    text, numbers = st.columns([1.6, 1], gap="medium", vertical_alignment="center")
    with text:
        st.markdown(
            "An **autoencoder** learns to squeeze a heartbeat into a few numbers and redraw it. "
            "Trained only on **normal** beats, it redraws them well and everything else badly: "
            "**how badly it redraws a beat tells you how unusual that beat is**."
        )
    with numbers:
        # One HTML block rather than four st.metric tiles: same look, and the first screen
        # does not wait for the tiles' own script chunk and tooltips.
        show_html(
            stats_html(
                [
                    ("Heartbeats", f"{int(table['beats'].sum()):,}", "in ECG5000"),
                    ("Samples", str(SEQ_LEN), "per beat"),
                    ("Model AUC", fmt(summary["auc"]), "1 is perfect, 0.5 a coin toss"),
                    ("Judged right", share(summary["accuracy"]), "of 500 unseen test beats"),
                ]
            )
        )
    links = " · ".join(f"[{name}](#{anchor})" for anchor, name in SECTIONS)
    st.markdown(f"**On this page:** {links} — {DISCLAIMER}")
