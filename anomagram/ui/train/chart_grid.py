"""The Train page's 2x2 chart grid: panel toggles, placeholders and drawing from the trainer.

Every chart is drawn from the session's Trainer (its history and last epoch report), so a
rerun, a Pause or a trip to another page redraws the same curves.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from anomagram import charts, metrics
from anomagram.training import Trainer
from anomagram.ui.train.widgets import persisted, show

GRID_HEIGHT = 320  # one height for the 2x2 grid, so its rows line up
SHOW_KEY = "train_show"
PCA_KEY = "train_pca"
PCA_CACHE_KEY = "train_pca_cache"

GRID = ("loss", "histogram", "roc", "latent")
PANELS = {
    "loss": "📉 Loss",
    "histogram": "📊 Error histogram",
    "roc": "🎯 ROC curve",
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
COLLAPSED_NOTE = (
    "Every beat lands on the same point: the bottleneck has collapsed (often ReLU units that "
    "all output zero). The decoder then rebuilds one average beat for any input, so detection "
    "only measures the distance from that average. Try wider layers, another activation or "
    "another seed."
)


def _on_panels() -> None:
    st.session_state[SHOW_KEY] = list(st.session_state["train_show_w"] or [])


def _on_pca() -> None:
    st.session_state[PCA_KEY] = bool(st.session_state["train_pca_w"])


def show_pca() -> bool:
    return bool(st.session_state.get(PCA_KEY, True))


def panel_toggles() -> list[str]:
    """The "Show" pills; returns the panels to draw."""
    persisted("train_show_w", SHOW_KEY, list(PANELS))
    shown = st.pills(
        "Show",
        list(PANELS),
        selection_mode="multi",
        format_func=PANELS.get,
        key="train_show_w",
        on_change=_on_panels,
        label_visibility="collapsed",
    )
    return list(shown or [])


def chart_grid(shown: list[str]) -> dict:
    """Placeholders for the live charts, two per row, each with its one-line reading guide."""
    names = [n for n in GRID if n in shown]
    slots = {}
    for start in range(0, len(names), 2):
        cols = st.columns(2, gap="large")
        for col, name in zip(cols, names[start : start + 2], strict=False):
            with col, st.container(border=True):
                slots[name] = st.empty()
                st.caption(LOOK_FOR[name])
                if name == "latent":
                    slots["latent_note"] = st.empty()
                if name == "roc":
                    persisted("train_pca_w", PCA_KEY, True)
                    st.toggle(
                        "Compare with a PCA baseline",
                        key="train_pca_w",
                        on_change=_on_pca,
                        help=(
                            "PCA with as many components as the bottleneck: a much simpler "
                            "model. If it does as well, the autoencoder is not earning its keep."
                        ),
                    )
    return slots


def _baseline(trainer: Trainer):
    """PCA reconstruction error on the same split, computed once per split and latent size."""
    s = trainer.spec
    key = (s.train_size, s.test_size, s.abnormal_pct, s.seed, s.latent)
    cached = st.session_state.get(PCA_CACHE_KEY)
    if cached is None or cached[0] != key:
        p = trainer.prepared
        cached = (
            key,
            metrics.pca_baseline(p.train_scaled, p.test_scaled, p.test_is_abnormal, s.latent),
        )
        st.session_state[PCA_CACHE_KEY] = cached
    return cached[1]


def draw_charts(slots: dict, trainer: Trainer, threshold: float, total: int, pca: bool) -> None:
    """Every chart of the grid from the trainer's history and last report."""
    report = trainer.last_report
    if report is None:
        return
    p = trainer.prepared
    y = p.test_is_abnormal
    errors = report.test_errors
    if "loss" in slots:
        loss = charts.loss_chart(trainer.epochs, trainer.loss, trainer.val_loss, total_epochs=total)
        show(slots["loss"], loss, GRID_HEIGHT)
    if "histogram" in slots:
        title = f"Reconstruction error of test beats · epoch {report.epoch}"
        histogram = charts.error_histogram(errors, y, threshold=threshold, title=title)
        show(slots["histogram"], histogram, GRID_HEIGHT)
    if "roc" in slots:
        roc = metrics.roc(y, errors)
        m = metrics.metrics_at(y, errors, threshold)
        baseline = None
        if pca:
            b = _baseline(trainer)
            baseline = (b.roc.fpr, b.roc.tpr, b.auc)
        chart = charts.roc_chart(roc.fpr, roc.tpr, roc.auc, baseline=baseline, point=(m.fpr, m.tpr))
        show(slots["roc"], chart, GRID_HEIGHT)
    if "latent" in slots:
        show(slots["latent"], charts.latent_scatter(report.latent, p.split.test_y), GRID_HEIGHT)
        latent = np.asarray(report.latent, dtype=float)
        spread = float(np.ptp(latent, axis=0).max()) if latent.size else 0.0
        if spread < 1e-6:
            slots["latent_note"].warning(COLLAPSED_NOTE, icon="🫥")
        else:
            slots["latent_note"].empty()
