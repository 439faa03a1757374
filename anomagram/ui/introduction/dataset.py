"""Chapter 4 of the lesson, "The data": ECG5000's classes, example beats, min-max scaling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from anomagram import charts
from anomagram.data import NORMAL, SEQ_LEN, SHORT_CLASS_NAMES
from anomagram.ui.common import resources
from anomagram.ui.common.tiles import share
from anomagram.ui.introduction import page_data
from anomagram.ui.introduction.views import show


@st.cache_data(show_spinner=False)
def beats_by_class_spec() -> dict:
    data = resources.ecg()
    return charts.to_vega(charts.beats_by_class(data.test_pool_x, data.test_pool_y, per_class=5))


@st.cache_data(show_spinner=False)
def scaling_spec(index: int) -> dict:
    ts = page_data.test_set()
    return charts.to_vega(charts.scaling_chart(ts.raw[index], ts.scaled[index]))


def the_data() -> None:
    table = resources.class_table()
    ts = page_data.test_set()
    shipped = page_data.shipped()
    total = int(table["beats"].sum())
    abnormal_share = float(table.loc[table["class"] != NORMAL, "share"].sum())
    left, right = st.columns([1, 1.3], gap="large")
    with left:
        st.markdown(
            f"**ECG5000** holds **{total:,} heartbeats** cut from one long electrocardiogram "
            "recording of a patient with severe congestive heart failure. Every beat was "
            f"stretched to the same length of **{SEQ_LEN} samples**, normalised, and labelled "
            f"by cardiologists with one of five classes. **{share(abnormal_share)}** of the beats "
            "are not normal."
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "Class": table["class"],
                    "Name": [SHORT_CLASS_NAMES[int(c)] for c in table["class"]],
                    "Beats": table["beats"],
                    "Share": 100 * table["share"],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                # The page's one format for shares, "41.6 %" (Streamlit's "percent" has none).
                "Share": st.column_config.ProgressColumn(
                    "Share", format="%.1f %%", min_value=0.0, max_value=100.0
                ),
            },
        )
        st.markdown(
            "The model is trained on normal beats only, and tested on 500 beats it has never "
            f"seen, {int(ts.abnormal.sum())} of them abnormal."
        )
        lo, hi = shipped.scaler.minimum, shipped.scaler.maximum
        st.markdown(
            "**Preparing the numbers: min-max scaling.** Before training, every value is "
            f"mapped into 0-1: the lowest value in the **training beats** ({lo:.2f}) becomes 0 "
            f"and the highest ({hi:.2f}) becomes 1. The network's last layer is a *sigmoid*, "
            "which can only output 0-1, so input and output live on the same scale. The two "
            "numbers come from the training beats only: test beats, uploads and your drawings "
            "are scaled with the same two numbers, so nothing about the test data leaks into "
            "training. Below, the same beat before and after."
        )
    with right:
        show(beats_by_class_spec())
    example = int(np.flatnonzero(~ts.abnormal)[0])
    show(scaling_spec(example))
