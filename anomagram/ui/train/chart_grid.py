"""The Train page's 2x2 chart grid: panel toggles, placeholders and drawing from the trainer.

Every chart is drawn from the session's Trainer (its history and last epoch report), so a
rerun, a Pause or a trip to another page redraws the same curves.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from anomagram import charts, metrics
from anomagram.training import Trainer
from anomagram.ui.train import comparison, data_charts
from anomagram.ui.train.widgets import persisted, show_plot

# Plot heights (the plot area, not the whole chart) chosen so both charts of a row come out
# about equally tall and the action bar, the progress and all four charts fit in a 1366x768
# window together. The ROC's two-line axis title needs the tallest plot.
PLOT_HEIGHT = {"histogram": 112, "roc": 126, "loss": 74, "latent": 130}
THRESHOLD_HEIGHT = 72  # the slider with its label: its place is kept while training
SHOW_KEY = "train_show"

# The histogram and the ROC curve share a row: the threshold slider under them moves both.
GRID = ("histogram", "roc", "loss", "latent")
PANELS = {
    "loss": "📉 Loss",
    "histogram": "📊 Errors",
    "roc": "🎯 ROC",
    "latent": "🔵 Bottleneck",
    "metrics": "🧮 Evaluation",
}
LOOK_FOR = {
    "loss": "Look for both curves falling, then levelling off. A validation curve far above "
    "the training curve means the model memorises its training beats.",
    "histogram": "Normal beats (blue) should pile up at small errors and abnormal beats (orange) "
    "further right. The dashed line is the threshold: beats to its right are flagged.",
    "roc": "Each point on the curve is one threshold. The closer the curve hugs the top-left "
    "corner, the better the two kinds of beat are told apart; ◆ marks the current threshold.",
    "latent": "Every test beat squeezed into the bottleneck. Separate colour clusters mean the "
    "model learned what makes a beat different without ever being told the labels.",
}
NO_ROC = "No ROC curve: no row of this data is labelled abnormal, so nothing to tell apart."
COLLAPSED_NOTE = (
    "Every beat lands on the same point: the bottleneck has collapsed (often ReLU units that "
    "all output zero). The decoder then rebuilds one average beat for any input, so detection "
    "only measures the distance from that average. Try wider layers, another activation or "
    "another seed."
)


def _on_panels() -> None:
    st.session_state[SHOW_KEY] = list(st.session_state["train_show_w"] or [])


def panel_toggles(names: list[str] | None = None, labelled: bool = True) -> list[str]:
    """The "Show" pills, the ROC overlay and the reading guides; returns the panels to draw.

    Without labels there is no ROC curve, so no detector to draw beside it."""
    persisted("train_show_w", SHOW_KEY, list(PANELS))
    pills, overlay, guide = st.columns([3, 1.3, 0.8], vertical_alignment="center")
    shown = pills.pills(
        "Show",
        list(PANELS),
        selection_mode="multi",
        format_func=PANELS.get,
        key="train_show_w",
        on_change=_on_panels,
        label_visibility="collapsed",
    )
    if labelled:
        comparison.overlay_picker(overlay)
    # The guides live in a popover: one caption per chart would push the grid's second row
    # out of a laptop's window.
    with guide.popover("🔍 Guide", width="stretch", help="What to look for in each chart"):
        for name in GRID:
            st.markdown(f"**{PANELS[name]}** · {LOOK_FOR[name]}")
    return list(shown or [])


def chart_grid(shown: list[str]) -> dict:
    """Placeholders for the live charts, two per row, without card borders (height matters)."""
    names = [n for n in GRID if n in shown]
    slots = {}
    for start in range(0, len(names), 2):
        cols = st.columns(2, gap="medium")
        for col, name in zip(cols, names[start : start + 2], strict=False):
            with col:
                slots[name] = st.empty()
                if name == "latent":
                    slots["latent_note"] = st.empty()
    return slots


def threshold_guide(slot) -> None:
    """While training: a note where the threshold slider will be, as tall as the slider."""
    box = slot.container(height=THRESHOLD_HEIGHT, border=False)
    box.caption(
        "The threshold (dashed line, ◆ on the ROC curve) is chosen automatically while "
        "training; its slider appears here when training stops."
    )


def draw_charts(
    slots: dict,
    trainer: Trainer,
    threshold: float,
    total: int,
    overlay: str | None,
    timings: dict | None = None,
    x_max: float | None = None,
) -> None:
    """Every chart of the grid from the trainer's history and last report.

    ``timings`` (optional) receives the seconds each chart took to build and send. ``x_max``
    holds the histogram's error axis still (a live run passes the same value every frame, so
    Streamlit updates that chart's data in place instead of rebuilding it).
    """
    report = trainer.last_report
    if report is None:
        return
    timings = {} if timings is None else timings
    tick = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal tick
        now = time.perf_counter()
        timings[name] = now - tick
        tick = now

    p = trainer.prepared
    y = p.test_is_abnormal
    errors = report.test_errors
    if "loss" in slots:
        loss = charts.loss_chart(trainer.epochs, trainer.loss, trainer.val_loss, total_epochs=total)
        show_plot(slots["loss"], loss, PLOT_HEIGHT["loss"])
        lap("loss")
    if "histogram" in slots:
        histogram = charts.error_histogram(
            errors,
            y,
            threshold=threshold,
            x_max=x_max,
            note=f"epoch {report.epoch}",
            unit=p.dataset.unit,
            labelled=p.labelled,
        )
        show_plot(slots["histogram"], histogram, PLOT_HEIGHT["histogram"])
        lap("histogram")
    if "roc" in slots and not p.labelled:
        slots["roc"].info(NO_ROC, icon="🏷️")
        lap("roc")
    elif "roc" in slots:
        roc = metrics.roc(y, errors)
        m = metrics.metrics_at(y, errors, threshold)
        # The chosen detector's curve, once its background fit is done (see comparison.py).
        other = comparison.overlay_curve(trainer, overlay)
        chart = charts.roc_chart(
            roc.fpr,
            roc.tpr,
            roc.auc,
            baseline=other[:3] if other else None,
            baseline_name=other[3] if other else None,
            point=(m.fpr, m.tpr),
        )
        show_plot(slots["roc"], chart, PLOT_HEIGHT["roc"])
        lap("roc")
    if "latent" in slots:
        show_plot(
            slots["latent"],
            data_charts.latent_chart(p.dataset, report.latent, p.split.test_y),
            PLOT_HEIGHT["latent"],
        )
        latent = np.asarray(report.latent, dtype=float)
        spread = float(np.ptp(latent, axis=0).max()) if latent.size else 0.0
        if spread < 1e-6:
            slots["latent_note"].warning(COLLAPSED_NOTE, icon="🫥")
        else:
            slots["latent_note"].empty()
        lap("latent")
