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
# The one order of the tiles on every page. "fbeta" shows as F1 when beta is 1 (the usual case),
# so a page with a beta control needs no order of its own.
DEFAULT_TILES = ("accuracy", "precision", "recall", "fbeta", "auc", "fpr", "fnr", "tpr", "tnr")
# Values that are shares of beats, shown as "96.6 %" with deltas in percentage points; the rest
# (AUC) stay plain numbers like "0.978".
SHARE_TILES = frozenset(TILE_LABELS) - {"auc"}


def fmt(value: float | None, percent: bool = False) -> str:
    """The one number format of the app: shares as ``96.6 %``, other values as ``0.978``."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return share(value) if percent else f"{value:.3f}"


def share(value: float) -> str:
    """A share (0-1) as people read it: ``96.6 %`` (with a space, as everywhere in the app)."""
    return f"{100 * value:.1f} %"


def tile_value(key: str, value: float | None) -> str:
    """A tile's value in the app's one format: shares as ``96.6 %``, AUC as ``0.978``."""
    return fmt(value, percent=key in SHARE_TILES)


def tile_delta(key: str, change: float) -> str | None:
    """A change in the tile's own unit (``+1.2 pts`` for shares), or None if it rounds to 0.

    Only deltas that survive rounding: "-0.0 pts" would say nothing.
    """
    if not math.isfinite(change):
        return None
    if key in SHARE_TILES:
        points = 100 * change
        return f"{points:+.1f} pts" if abs(points) >= 0.05 else None
    return f"{change:+.3f}" if abs(change) >= 0.0005 else None


def _label_and_help(key: str, beta: float) -> tuple[str, str]:
    if key == "fbeta":
        if beta == 1:
            return TILE_LABELS["f1"], TILE_HELP["f1"]
        return f"F{beta:g}", TILE_HELP["fbeta"]
    return TILE_LABELS[key], TILE_HELP[key]


def metric_tiles(
    m: Metrics,
    auc: float | None = None,
    *,
    keys: tuple[str, ...] = DEFAULT_TILES,
    per_row: int = 5,
    previous: Metrics | None = None,
) -> None:
    """A grid of st.metric tiles; ``previous`` adds deltas (e.g. against the last threshold).

    Pages keep the default ``keys`` so the tiles stand in the same order everywhere.
    """
    values = {**m.to_dict(), "auc": auc}
    old = {**previous.to_dict(), "auc": auc} if previous is not None else {}
    shown = [k for k in keys if k in values]
    for start in range(0, len(shown), per_row):
        cols = st.columns(per_row)
        for col, key in zip(cols, shown[start : start + per_row], strict=False):
            value = values[key]
            label, help_text = _label_and_help(key, m.beta)
            delta = None
            if key in old and old[key] is not None and value is not None:
                delta = tile_delta(key, value - old[key])
            # For error rates lower is better: invert the delta colour.
            colour = "inverse" if key in ("fpr", "fnr") else "normal"
            col.metric(label, tile_value(key, value), delta, delta_color=colour, help=help_text)


def confusion_caption(m: Metrics) -> str:
    return (
        f"{m.tp} abnormal caught · {m.fn} abnormal missed · "
        f"{m.tn} normal passed · {m.fp} false alarms"
    )
