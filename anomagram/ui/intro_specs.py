"""Chart specs for the Introduction page, cached, and the one call that shows them.

Building an Altair chart and validating it costs 50-250 ms per chart on this stack, and the
page has a dozen. Charts that never change are built once per process; charts that follow a
widget (beat, epoch, threshold) are cached per value, so going back to a value is instant and
the replay animation only pays for each frame once.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from anomagram import charts
from anomagram.ui import intro_charts, intro_data
from anomagram.ui.common import resources

# Total heights in px: Streamlit fits titles, legends and axes inside them.
BEAT_H = 330
HIST_H = 330
ROC_H = 470


def show(spec: dict, **kwargs):
    """Render a Vega-Lite dict across the container width (same look as st.altair_chart)."""
    return st.vega_lite_chart(spec=spec, width="stretch", **kwargs)


def show_html(body: str):
    """Render one of the page's own HTML blocks (verdict card, hero numbers, legend).

    ``st.html`` rather than ``st.markdown(unsafe_allow_html=True)``: raw HTML in markdown
    makes the browser fetch and run a 190 kB parser before it can draw the first screen,
    ``st.html`` a 30 kB sanitiser. The blocks carry their style inline; they hold no input.
    """
    return st.html(body)


@st.cache_data(show_spinner=False, max_entries=600)
def beat(index: int) -> tuple[dict, float]:
    """Input vs reconstruction of one test beat, and its error (needs the model)."""
    ts = intro_data.test_set()
    scaled, recon, error = intro_data.reconstruct(ts.raw[index])
    chart = charts.beat_chart(
        scaled, recon, title="Input and reconstruction", y_domain=intro_data.frame()
    )
    return charts.to_vega(chart, BEAT_H), error


@st.cache_data(show_spinner=False, max_entries=600)
def beat_input(index: int) -> dict:
    ts = intro_data.test_set()
    chart = charts.beat_chart(
        ts.scaled[index], title="Input beat (scaled)", y_domain=intro_data.frame()
    )
    return charts.to_vega(chart, BEAT_H)


def drawing(scaled: np.ndarray, recon: np.ndarray | None) -> dict:
    title = (
        "Your drawing as 140 samples" if recon is None else "Your drawing and its reconstruction"
    )
    chart = charts.beat_chart(scaled, recon, title=title, y_domain=intro_data.frame())
    return charts.to_vega(chart, BEAT_H)


@st.cache_data(show_spinner=False)
def beats_by_class() -> dict:
    data = resources.ecg()
    return charts.to_vega(charts.beats_by_class(data.test_pool_x, data.test_pool_y, per_class=5))


@st.cache_data(show_spinner=False)
def scaling(index: int) -> dict:
    ts = intro_data.test_set()
    return charts.to_vega(charts.scaling_chart(ts.raw[index], ts.scaled[index]))


@st.cache_data(show_spinner=False)
def latent() -> dict:
    chart = charts.latent_scatter(
        intro_data.test_latent(),
        intro_data.test_set().classes,
        title="What the bottleneck sees: the 2 numbers of each test beat",
    )
    return charts.to_vega(chart, 340)


@st.cache_data(show_spinner=False, max_entries=64)
def replay_histogram(epoch: int) -> dict:
    replay = resources.replay()
    label = "untrained" if epoch == 0 else f"after {epoch} epoch{'s' if epoch > 1 else ''}"
    chart = charts.error_histogram(
        replay.errors[epoch],
        replay.classes != 1,
        bins=45,
        x_max=intro_data.replay_x_max(),
        title=f"Epoch {epoch}: errors of the 500 test beats ({label})",
    )
    return charts.to_vega(chart, HIST_H)


@st.cache_data(show_spinner=False, max_entries=300)
def threshold_rules(rules: tuple[tuple[str, float, str], ...], x_max: float) -> dict:
    ts = intro_data.test_set()
    chart = intro_charts.threshold_chart(ts.errors, ts.abnormal, rules, x_max=x_max)
    return charts.to_vega(chart, HIST_H + 50)


@st.cache_data(show_spinner=False, max_entries=300)
def threshold_views(threshold: float, x_max: float) -> tuple[dict, dict]:
    """Histogram with the threshold line, and the ROC with the threshold's point."""
    from anomagram import metrics

    ts = intro_data.test_set()
    roc = intro_data.test_roc()
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


@st.cache_data(show_spinner=False)
def network() -> dict:
    spec = intro_data.shipped().spec
    return charts.network_spec(spec.hidden, spec.latent)
