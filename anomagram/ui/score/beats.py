"""Beat by beat, on the Score page: the table of verdicts, the beat picked in it next to its
reconstruction, and the scores as a CSV download."""

from __future__ import annotations

import numpy as np
import streamlit as st

from anomagram import charts
from anomagram.ui.score import logic

# Streamlit counts a chart's title and legend inside its height: leave room for the plot.
CHART_HEIGHT = 360


def _table_key() -> str:
    # A new table per result: a row selected in the previous result must not carry over.
    return f"score_table_{st.session_state.get('score_result_no', 0)}"


def _selected_index(scored: logic.Scored) -> int | None:
    """The row the user picked in the table, remembered across pages by its file line."""
    widget = st.session_state.get(_table_key())
    if widget is not None:
        rows = widget["selection"]["rows"]
        if rows and rows[0] < scored.n:
            st.session_state["score_selected_line"] = int(scored.lines[rows[0]])
        else:
            st.session_state.pop("score_selected_line", None)
    line = st.session_state.get("score_selected_line")
    if line is None:
        return None
    hits = np.flatnonzero(scored.lines == line)
    return int(hits[0]) if hits.size else None


def _table(scored: logic.Scored, threshold: float, hi: float, index: int | None) -> None:
    st.dataframe(
        logic.results_table(scored, threshold),
        key=_table_key(),
        on_select="rerun",
        selection_mode="single-row",
        selection_default={"selection": {"rows": [index]}} if index is not None else None,
        hide_index=True,
        width="stretch",
        height="auto" if scored.n <= 10 else CHART_HEIGHT,
        column_config={
            "Line": st.column_config.NumberColumn(
                "Line", help="Line in your file", format="%d", width=60
            ),
            "Error": st.column_config.ProgressColumn(
                "Error",
                help="Reconstruction error (mean squared error, scaled units)",
                format="%.5f",
                min_value=0.0,
                max_value=hi,
                width=140,
            ),
            "Verdict": st.column_config.TextColumn("Verdict", width=100),
            "Matches label": st.column_config.TextColumn(
                "Match", help="Does the verdict agree with your label?", width=60
            ),
        },
    )
    st.caption("Click a row to see that beat; click a column header to sort.")


def _beat(scored: logic.Scored, flagged, index: int | None) -> None:
    finite = np.where(np.isfinite(scored.errors), scored.errors, -np.inf)
    shown = index if index is not None else int(np.argmax(finite))
    verdict = "flagged abnormal" if flagged[shown] else "normal"
    line, error = int(scored.lines[shown]), scored.errors[shown]
    st.altair_chart(
        charts.beat_chart(
            scored.scaled[shown],
            scored.recon[shown],
            title=f"Line {line}: {verdict} (error {error:.5f})",
            y_title=charts.SCALED_AMPLITUDE,
        ),
        width="stretch",
        key="score_beat",
        height=CHART_HEIGHT,
    )
    if index is None:
        st.caption(
            "Showing the beat with the largest error; click a row of the table to pick another."
        )
    else:
        st.caption("Black: your beat as the model sees it. Orange: the model's reconstruction.")


def beat_by_beat(scored: logic.Scored, threshold: float, hi: float, flagged) -> None:
    st.markdown("**Beat by beat**")
    index = _selected_index(scored)
    left, right = st.columns([6, 5], gap="large")
    with left:
        _table(scored, threshold, hi, index)
    with right:
        _beat(scored, flagged, index)
    st.download_button(
        "⬇️ Download the scores (CSV)",
        data=lambda: logic.scores_csv_text(scored, threshold),
        file_name="anomagram-scores.csv",
        mime="text/csv",
        key="score_download",
        on_click="ignore",
        type="primary",
        help="One row per scored beat: file line, error, verdict at this threshold, and label.",
    )
