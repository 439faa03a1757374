"""Live training: train more epochs, with the progress every epoch and the charts every so often."""

from __future__ import annotations

import math
import time

import streamlit as st

from anomagram import metrics
from anomagram.training import Trainer
from anomagram.ui.common.tiles import metric_tiles
from anomagram.ui.train import thresholds
from anomagram.ui.train.chart_grid import draw_charts
from anomagram.ui.train.run_state import RUN_ERROR_KEY, training_lock

REDRAW_SECONDS = 0.2
PROGRESS_SECONDS = 0.05


def _live_tiles(slot, y, errors, threshold: float, strategy: str) -> None:
    m = metrics.metrics_at(y, errors, threshold)
    with slot.container():
        st.subheader("④ Evaluate: where to draw the line")
        st.caption(
            f"Live, at the {thresholds.STRATEGY_LABELS[strategy].split(' (')[0].lower()} "
            "threshold. The threshold slider appears when training stops."
        )
        metric_tiles(m, metrics.auc(y, errors))


def run_live(trainer: Trainer, epochs: int, status, slots: dict, tiles_slot, pca: bool):
    """Train ``epochs`` more epochs, updating the progress every epoch and charts every so often."""
    y = trainer.prepared.test_is_abnormal
    strategy = thresholds.automatic_strategy()
    start = time.perf_counter()
    next_draw = start + REDRAW_SECONDS
    epoch_seconds = None  # a running average of one epoch, not counting the drawing
    last_epoch_end = start
    last_progress = -math.inf
    status.progress(
        trainer.epochs_done / (trainer.epochs_done + epochs),
        text=f"Starting · epoch {trainer.epochs_done} of {trainer.epochs_done + epochs}",
    )

    def on_epoch(report) -> None:
        nonlocal next_draw, epoch_seconds, last_epoch_end, last_progress
        now = time.perf_counter()
        took = now - last_epoch_end
        epoch_seconds = took if epoch_seconds is None else 0.5 * (epoch_seconds + took)
        remaining = (report.target_epoch - report.epoch) * epoch_seconds
        # Every epoch, but at most one progress message per PROGRESS_SECONDS: on a fast model
        # epochs end every 15 ms, and each message costs the browser a repaint.
        if report.epoch == report.target_epoch or now - last_progress >= PROGRESS_SECONDS:
            last_progress = now
            status.progress(
                report.epoch / report.target_epoch,
                text=(
                    f"Training · epoch {report.epoch} of {report.target_epoch} · "
                    f"{report.seconds:.1f} s"
                ),
            )
        last_epoch_end = time.perf_counter()
        # Redraw at most every REDRAW_SECONDS, and not when the run ends within two of them
        # anyway: the last epoch is drawn right after the run, with the evaluation, and a
        # redraw costs about as long as the rest of a short run.
        if now < next_draw or remaining < 2 * REDRAW_SECONDS:
            return
        started = time.perf_counter()
        threshold = thresholds.strategy_threshold(trainer, strategy)
        draw_charts(slots, trainer, threshold, report.target_epoch, pca)
        if tiles_slot is not None:
            _live_tiles(tiles_slot, y, report.test_errors, threshold, strategy)
        # On a busy host a redraw can cost more than the interval: then training gets at least
        # as much time as drawing.
        done = time.perf_counter()
        next_draw = done + max(REDRAW_SECONDS, done - started)
        last_epoch_end = done

    st.session_state.pop(RUN_ERROR_KEY, None)
    try:
        with training_lock():
            trainer.train(epochs, on_epoch=on_epoch)
    except Exception as exc:  # noqa: BLE001 - interrupts are BaseException and pass through
        # Kept in the session: the page reruns right after a live run.
        st.session_state[RUN_ERROR_KEY] = f"Training stopped with an unexpected error: {exc}"
