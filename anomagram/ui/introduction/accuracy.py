"""Chapter 7 of the lesson, "Accuracy is not enough": precision, recall, F-beta and the ROC
curve, as a threshold slider moves."""

from __future__ import annotations

import numpy as np
import streamlit as st

from anomagram import charts, metrics
from anomagram.ui.common.tiles import confusion_caption, metric_tiles, share
from anomagram.ui.introduction import page_data
from anomagram.ui.introduction.views import ROC_H, show


@st.cache_data(show_spinner=False, max_entries=300)
def threshold_specs(threshold: float, x_max: float) -> tuple[dict, dict]:
    """Histogram with the threshold line, and the ROC with the threshold's point."""
    ts = page_data.test_set()
    roc = page_data.test_roc()
    m = metrics.metrics_at(ts.abnormal, ts.errors, threshold)
    hist = charts.error_histogram(
        ts.errors,
        ts.abnormal,
        threshold=threshold,
        x_max=x_max,
        title="Test errors and your threshold",
    )
    roc_chart = charts.roc_chart(roc.fpr, roc.tpr, roc.auc, point=(m.fpr, m.tpr))
    return charts.to_vega(hist, ROC_H), charts.to_vega(roc_chart, ROC_H)


def shown_threshold() -> float:
    """The shipped threshold as the slider shows it (4 decimals), and as it is scored.

    Scoring the unrounded 0.00378... while showing "0.0038" made chapter 6 (which scores
    what it shows) disagree with this chapter at the same displayed threshold.
    """
    return round(page_data.shipped().threshold, 4)


def _reset_threshold() -> None:
    st.session_state["intro_thr"] = shown_threshold()


@st.fragment
def beyond_accuracy() -> None:
    ts = page_data.test_set()
    shipped_t = shown_threshold()
    roc = page_data.test_roc()
    lazy = metrics.metrics_at(ts.abnormal, ts.errors, np.inf)
    st.markdown(
        f"Imagine a lazy model that calls **every** beat normal. On our test beats it is "
        f"**{share(lazy.accuracy)} accurate**, because {share(lazy.accuracy)} of them are "
        "normal, "
        "and it catches **none** of the abnormal ones. The rarer the anomalies, the better "
        "such a useless model looks (with 1 % anomalies it scores 99 %). So we also ask: of "
        "the abnormal beats, how many were caught (**recall**)? Of the beats flagged, how many "
        "were really abnormal (**precision**)? Move the threshold and watch them pull against "
        "each other."
    )
    controls = st.columns([3.2, 2, 0.8], vertical_alignment="bottom", gap="medium")
    upper = float(np.percentile(ts.errors, 99.5))
    if "intro_thr" not in st.session_state:
        st.session_state["intro_thr"] = shipped_t
    threshold = controls[0].slider(
        "Threshold on the reconstruction error",
        0.0,
        round(upper, 4),
        step=0.0001,
        format="%.4f",
        key="intro_thr",
        persist_state="session",
    )
    beta = controls[1].segmented_control(
        "F-beta: β (weight of recall)",
        options=[0.5, 1.0, 2.0],
        format_func=lambda b: f"{b:g}",
        default=1.0,
        required=True,
        key="intro_beta",
        persist_state="session",
        help="F-beta blends precision and recall; β = 2 counts recall twice as much.",
    )
    controls[2].button(
        "Reset",
        key="intro_thr_reset",
        on_click=_reset_threshold,
        width="stretch",
        help="Back to the shipped model's threshold (best accuracy).",
    )
    beta = 1.0 if beta is None else float(beta)
    # The charts right under the slider, so the line and the ROC point move in view; the
    # tiles follow below them.
    hist, roc_spec = threshold_specs(float(threshold), upper)
    hist_col, roc_col = st.columns(2, gap="large")
    with hist_col:
        show(hist)
    with roc_col:
        show(roc_spec)
    m = metrics.metrics_at(ts.abnormal, ts.errors, threshold, beta=beta)
    reference = metrics.metrics_at(ts.abnormal, ts.errors, shipped_t, beta=beta)
    metric_tiles(m, roc.auc, previous=reference)  # the app's one tile order
    st.caption(
        f"{confusion_caption(m)}. Arrows compare with the shipped threshold "
        f"({shipped_t:.4f}). AUC does not depend on the threshold: it sums up every possible one."
    )
