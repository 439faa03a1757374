"""The evaluation panel: strategy, threshold slider, metric tiles and the two evaluation charts.

Every widget here only moves the threshold, so a change reruns the results fragment alone:
no retraining, and the composer above is not redrawn. A model of unlabelled data gets the
flags alone: nothing is known to be abnormal, so there is nothing to score them against.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from anomagram import charts, metrics
from anomagram.training import Trainer
from anomagram.ui.common.tiles import confusion_caption, metric_tiles, share
from anomagram.ui.train import data_charts, data_state, thresholds
from anomagram.ui.train.thresholds import (
    K_KEY,
    Q_KEY,
    SLIDER_WIDGET,
    STRATEGY_LABELS,
    STRATEGY_WIDGET,
)
from anomagram.ui.train.widgets import persisted, show

TILES_KEY = "train_tiles_thresholds"  # (model, previous threshold, shown threshold)
TOP_FLAGS = 10  # the test rows with the largest errors listed for unlabelled data


def _slider_range(errors: np.ndarray, threshold: float) -> tuple[float, float, float, str]:
    hi = float(max(np.max(errors), threshold)) * 1.02
    lo = 0.0
    if not hi > lo:
        hi = 1.0
    decimals = max(3, 3 - math.floor(math.log10(hi)))
    return lo, hi, (hi - lo) / 500, f"%.{decimals}f"


def _strategy_inputs(trainer: Trainer) -> None:
    # The chosen strategy; without labels, one that needs them shows as the one standing in.
    st.session_state[STRATEGY_WIDGET] = thresholds.strategy(trainer)
    strategy = st.selectbox(
        "Threshold strategy",
        thresholds.strategies(trainer),
        key=STRATEGY_WIDGET,
        format_func=STRATEGY_LABELS.get,
        on_change=thresholds.on_strategy,
        help=(
            "With labels, pick the threshold that scores best on the test beats. Without "
            "labels, use the spread of the training errors."
        ),
    )
    if strategy == "mean_std":
        persisted(f"{K_KEY}_w", K_KEY, 2.0)
        st.number_input(
            "k (standard deviations)",
            min_value=0.0,
            max_value=10.0,
            step=0.5,
            key=f"{K_KEY}_w",
            on_change=thresholds.on_strategy,
        )
    elif strategy == "percentile":
        persisted(f"{Q_KEY}_w", Q_KEY, 95.0)
        st.number_input(
            "Percentile of training errors",
            min_value=50.0,
            max_value=100.0,
            step=0.5,
            key=f"{Q_KEY}_w",
            on_change=thresholds.on_strategy,
        )


def threshold_slider(slot, errors: np.ndarray, threshold: float) -> None:
    """The threshold slider, drawn into ``slot`` (under the histogram when it is shown)."""
    lo, hi, step, fmt_ = _slider_range(errors, threshold)
    st.session_state[SLIDER_WIDGET] = min(max(threshold, lo), hi)
    slot.slider(
        "Threshold (reconstruction error)",
        min_value=lo,
        max_value=hi,
        step=step,
        format=fmt_,
        key=SLIDER_WIDGET,
        on_change=thresholds.on_slider,
        help=(
            "Beats with a larger reconstruction error are flagged abnormal. Moves the dashed "
            "line in the histogram and the ◆ on the ROC curve. Drag, or click the handle and "
            "use the arrow keys for fine steps."
        ),
    )


def evaluation(trainer: Trainer, threshold: float) -> None:
    """Strategy, tiles and evaluation charts (the slider sits above the histogram and ROC)."""
    p = trainer.prepared
    y = p.test_is_abnormal
    errors = trainer.last_report.test_errors
    st.subheader("④ Evaluate: where to draw the line")
    if not p.labelled:
        _flags(trainer, threshold)
        return
    st.caption(
        "A beat is flagged abnormal when its reconstruction error is above the threshold. "
        "Moving it trades missed abnormal beats against false alarms; no retraining needed."
    )
    choose, note = st.columns([1, 2], gap="large", vertical_alignment="bottom")
    with choose:
        _strategy_inputs(trainer)
    note.caption("The threshold slider itself sits above the error histogram and the ROC curve.")
    m = metrics.metrics_at(y, errors, threshold)
    flagged = m.tp + m.fp
    st.caption(
        f"**{flagged} of {len(errors)}** test beats flagged · {confusion_caption(m)}. "
        "Arrows on the tiles show the change since the previous threshold."
    )
    metric_tiles(m, metrics.auc(y, errors), previous=_previous_metrics(trainer, threshold))
    left, right = st.columns(2, gap="large")
    with left:
        show(st, charts.confusion_matrix_chart(m.tp, m.fp, m.tn, m.fn))
    with right:
        show(st, data_charts.per_class_chart(p.dataset, p.split.test_y, errors, threshold))


def _flags(trainer: Trainer, threshold: float) -> None:
    """Unlabelled data: why there are no scores, the strategy, and the rows flagged."""
    ds = trainer.prepared.dataset
    errors = np.asarray(trainer.last_report.test_errors, dtype=float)
    st.caption(data_state.no_labels_sentence(ds))
    choose, note = st.columns([1, 2], gap="large", vertical_alignment="bottom")
    with choose:
        _strategy_inputs(trainer)
    flagged = errors > threshold
    note.caption(
        f"**{int(flagged.sum())} of {len(errors)}** test {ds.unit} flagged "
        f"({share(float(flagged.mean()) if len(errors) else 0.0)}) at this threshold."
    )
    top = np.argsort(-errors)[:TOP_FLAGS]
    st.dataframe(
        pd.DataFrame(
            {
                "test row": top + 1,
                "reconstruction error": errors[top],
                "flagged": flagged[top],
            }
        ),
        hide_index=True,
        width="content",
        column_config={"reconstruction error": st.column_config.NumberColumn(format="%.5f")},
    )


def _previous_metrics(trainer: Trainer, threshold: float):
    """Metrics at the threshold shown before this one (for the tiles' deltas)."""
    model = (trainer.token, trainer.epochs_done)
    saved = st.session_state.get(TILES_KEY)
    if saved is None or saved[0] != model:
        saved = (model, None, threshold)
    _, previous, shown = saved
    if threshold != shown:
        previous, shown = shown, threshold
    st.session_state[TILES_KEY] = (model, previous, shown)
    if previous is None:
        return None
    errors = trainer.last_report.test_errors
    return metrics.metrics_at(trainer.prepared.test_is_abnormal, errors, previous)
