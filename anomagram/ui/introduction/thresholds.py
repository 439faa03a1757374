"""Chapter 6 of the lesson, "Choosing a threshold": a line from a few labels, or from the
training errors alone (mean + k·std, a percentile), compared on the test beats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from anomagram import charts, metrics
from anomagram.charts.introduction import threshold_chart
from anomagram.ui.introduction import page_data
from anomagram.ui.introduction.model_loading import model_or_defer
from anomagram.ui.introduction.views import HIST_H, show

RULE_COLORS = {"labels": "#222222", "mean_std": "#009E73", "percentile": "#CC79A7"}


@st.cache_data(show_spinner=False, max_entries=300)
def rules_spec(rules: tuple[tuple[str, float, str], ...], x_max: float) -> dict:
    ts = page_data.test_set()
    chart = threshold_chart(ts.errors, ts.abnormal, rules, x_max=x_max)
    return charts.to_vega(chart, HIST_H + 50)


@st.fragment
def thresholds() -> None:
    ts = page_data.test_set()
    st.markdown(
        "The error is a score; a verdict needs a line. Where to draw it depends on what you "
        "know. **With a few labelled beats**, try every line and keep the one that gets most "
        "of them right. **Without labels**, look only at the errors on the training beats "
        "(which are assumed normal) and call anything much larger unusual: above their mean "
        "plus *k* standard deviations, or above a high percentile."
    )
    c1, c2, c3 = st.columns(3, gap="large")
    labelled = c1.select_slider(
        "Labelled beats you can afford",
        options=[10, 20, 50, 100, 200, 500],
        value=50,
        key="intro_labelled",
        persist_state="session",
        help="A random sample of the test beats whose true label you know.",
    )
    k = c2.slider("k (mean + k·std)", 0.5, 5.0, 2.0, 0.5, key="intro_k", persist_state="session")
    q = c3.slider("Percentile", 80.0, 99.5, 95.0, 0.5, key="intro_q", persist_state="session")
    sample = np.random.default_rng(7).permutation(len(ts.errors))[:labelled]
    rules = [
        (
            f"Best accuracy, {labelled} labels",
            metrics.best_accuracy_threshold(ts.abnormal[sample], ts.errors[sample]),
            RULE_COLORS["labels"],
        )
    ]
    if model_or_defer("The label-free thresholds"):
        train = page_data.train_errors()
        rules += [
            (
                f"Mean + {k:g}·std (no labels)",
                metrics.mean_std_threshold(train, k),
                RULE_COLORS["mean_std"],
            ),
            (
                f"{q:g}th percentile (no labels)",
                metrics.percentile_threshold(train, q),
                RULE_COLORS["percentile"],
            ),
        ]
    # Each line is scored where the table shows it (4 decimals), like chapter 7's slider: the
    # same displayed threshold then gives the same numbers in both chapters.
    rules = [(label, round(float(t), 4), color) for label, t, color in rules]
    rows = []
    for label, t, _ in rules:
        m = metrics.metrics_at(ts.abnormal, ts.errors, t)
        rows.append(
            {
                "Strategy": label,
                "Threshold": t,
                "Accuracy": 100 * m.accuracy,
                "Recall": 100 * m.recall,
                "False alarms": m.fp,
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "Strategy": st.column_config.TextColumn(width="medium"),
            "Threshold": st.column_config.NumberColumn(format="%.4f"),
            "Accuracy": st.column_config.NumberColumn(format="%.1f %%"),
            "Recall": st.column_config.NumberColumn(
                format="%.1f %%", help="Share of abnormal beats caught"
            ),
            "False alarms": st.column_config.NumberColumn(
                help=f"Normal beats flagged as abnormal (out of {int((~ts.abnormal).sum())})"
            ),
        },
    )
    st.caption(
        "Scored on all 500 test beats. Fewer labels make the best-accuracy line jumpier; the "
        "label-free lines move with k and the percentile, trading false alarms against "
        "missed beats."
    )
    show(
        rules_spec(
            tuple((label, float(t), color) for label, t, color in rules),
            float(np.percentile(ts.errors, 99.5)),
        )
    )
