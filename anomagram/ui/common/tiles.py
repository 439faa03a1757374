"""Metric tiles: one implementation for every page that shows detection metrics."""

from __future__ import annotations

import math

import streamlit as st

from anomagram.metrics import Metrics

TILE_HELP = {
    "accuracy": "Share of all test beats given the right verdict.",
    "precision": "Of the beats flagged abnormal, the share that really are abnormal.",
    "recall": "Of the abnormal beats, the share that were flagged (also: true positive rate).",
    "f1": "Harmonic mean of precision and recall.",
    "fbeta": "F-beta: like F1, but recall counts beta times as much as precision.",
    "fpr": "False positive rate: normal beats wrongly flagged (false alarms).",
    "fnr": "False negative rate: abnormal beats missed.",
    "tpr": "True positive rate: abnormal beats caught (same as recall).",
    "tnr": "True negative rate: normal beats correctly passed.",
    "auc": "Area under the ROC curve: 1 is perfect, 0.5 is a coin toss. Needs no threshold.",
}
TILE_LABELS = {
    "accuracy": "Accuracy",
    "precision": "Precision",
    "recall": "Recall",
    "f1": "F1",
    "fbeta": "F-beta",
    "fpr": "False pos. rate",
    "fnr": "False neg. rate",
    "tpr": "True pos. rate",
    "tnr": "True neg. rate",
    "auc": "AUC",
}
DEFAULT_TILES = ("accuracy", "precision", "recall", "f1", "auc", "fpr", "fnr", "tpr", "tnr")


def fmt(value: float | None, percent: bool = False) -> str:
    """The one number format of the app: shares as ``96.6 %``, other values as ``0.978``."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return share(value) if percent else f"{value:.3f}"


def share(value: float) -> str:
    """A share (0-1) as people read it: ``96.6 %`` (with a space, as everywhere in the app)."""
    return f"{100 * value:.1f} %"


def metric_tiles(
    m: Metrics,
    auc: float | None = None,
    *,
    keys: tuple[str, ...] = DEFAULT_TILES,
    per_row: int = 5,
    previous: Metrics | None = None,
) -> None:
    """A grid of st.metric tiles; ``previous`` adds deltas (e.g. against the last threshold)."""
    values = {**m.to_dict(), "auc": auc}
    old = {**previous.to_dict(), "auc": auc} if previous is not None else {}
    shown = [k for k in keys if k in values]
    for start in range(0, len(shown), per_row):
        cols = st.columns(per_row)
        for col, key in zip(cols, shown[start : start + per_row], strict=False):
            value = values[key]
            label = TILE_LABELS[key]
            if key == "fbeta":
                label = f"F{m.beta:g}"
            delta = None
            if key in old and old[key] is not None and value is not None:
                change = value - old[key]
                # Only deltas that survive rounding: "-0.000" would say nothing.
                if math.isfinite(change) and abs(change) >= 0.0005:
                    delta = f"{change:+.3f}"
            # For error rates lower is better: invert the delta colour.
            colour = "inverse" if key in ("fpr", "fnr") else "normal"
            col.metric(label, fmt(value), delta, delta_color=colour, help=TILE_HELP[key])


def confusion_caption(m: Metrics) -> str:
    return (
        f"{m.tp} abnormal caught · {m.fn} abnormal missed · "
        f"{m.tn} normal passed · {m.fp} false alarms"
    )
