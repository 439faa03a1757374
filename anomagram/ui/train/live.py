"""Live training: train more epochs, paced so people can watch it learn, or as fast as it goes.

*Watch* draws every epoch as its own frame and then sleeps the rest of that frame
(``FRAME_SECONDS``) inside the epoch callback: training and drawing interleave, so nothing is
recorded (memory stays flat), no frame is dropped or reordered, and Pause stops training after
the epoch on screen. *Fast* draws nothing until the run ends.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np
import streamlit as st

from anomagram import metrics
from anomagram.training import Trainer
from anomagram.ui.common import resources
from anomagram.ui.common.tiles import metric_tiles
from anomagram.ui.train import thresholds
from anomagram.ui.train.chart_grid import draw_charts
from anomagram.ui.train.run_state import RUN_ERROR_KEY, RUNNING_KEY, training_lock
from anomagram.ui.train.status import show_waiting

SPEED_KEY = "train_speed"
SPEEDS = {"watch": "👀 Watch", "fast": "⚡ Fast"}
DEFAULT_SPEED = "watch"
FRAME_SECONDS = 0.1  # about 10 frames per second: each epoch stays long enough to be seen
PROGRESS_SECONDS = 0.05
# Set by the benchmark: one JSON line per frame with the drawing cost of each chart, in ms.
TIMINGS_ENV = "ANOMAGRAM_FRAME_TIMINGS"


def speed() -> str:
    return st.session_state.get(SPEED_KEY, DEFAULT_SPEED)


def _live_tiles(slot, trainer: Trainer, errors, threshold: float, strategy: str) -> None:
    p = trainer.prepared
    with slot.container():
        st.caption(
            f"Live, at the {thresholds.STRATEGY_LABELS[strategy].split(' (')[0].lower()} "
            "threshold. The threshold slider appears when training stops."
        )
        if not p.labelled:  # nothing to score the flags against: how many, no more
            flagged = int(np.sum(np.asarray(errors) > threshold))
            st.caption(f"**{flagged} of {len(errors)}** test {p.dataset.unit} flagged.")
            return
        y = p.test_is_abnormal
        metric_tiles(metrics.metrics_at(y, errors, threshold), metrics.auc(y, errors))


def _log_frame(epoch: int, timings: dict) -> None:
    if os.environ.get(TIMINGS_ENV):
        ms = {k: round(v * 1000, 1) for k, v in timings.items()}
        print(f"FRAME {json.dumps({'epoch': epoch, **ms})}", file=sys.stderr, flush=True)


def run_live(
    trainer: Trainer, epochs: int, status, slots: dict, tiles_slot, pca: bool, watch: bool
) -> None:
    """Train ``epochs`` more epochs; with ``watch``, every epoch is drawn as one paced frame."""
    strategy = thresholds.automatic_strategy(trainer)
    start = time.perf_counter()
    last_progress = 0.0
    frame_end = start  # when the frame on screen has been shown long enough
    x_max = None  # the histogram's error axis for this run, from its first frame
    status.progress(
        trainer.epochs_done / (trainer.epochs_done + epochs),
        text=f"Starting · epoch {trainer.epochs_done} of {trainer.epochs_done + epochs}",
    )

    def on_epoch(report) -> None:
        nonlocal last_progress, frame_end, x_max
        now = time.perf_counter()
        last = report.epoch == report.target_epoch
        # In Fast mode at most one progress message per PROGRESS_SECONDS: epochs end every
        # 10 ms there, and each message costs the browser a repaint.
        if watch or last or now - last_progress >= PROGRESS_SECONDS:
            last_progress = now
            status.progress(
                report.epoch / report.target_epoch,
                text=(
                    f"Training · epoch {report.epoch} of {report.target_epoch} · "
                    f"{report.seconds:.1f} s"
                ),
            )
        # The last epoch is drawn right after the run, with the evaluation.
        if not watch or last:
            return
        # Sleep the rest of the previous frame before replacing it, so every epoch is shown
        # for FRAME_SECONDS; the training of this epoch already used part of that time.
        wait = frame_end - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        frame_start = time.perf_counter()
        timings: dict = {}
        if x_max is None:
            # Errors mostly shrink as training goes on: the first frame's largest one (with a
            # margin) keeps every later frame on the same axis; a larger error lands in the
            # last bin, which says so in its tooltip.
            x_max = 1.1 * float(np.nanmax(report.test_errors))
        threshold = thresholds.strategy_threshold(trainer, strategy)
        draw_charts(slots, trainer, threshold, report.target_epoch, pca, timings, x_max)
        if tiles_slot is not None:
            tick = time.perf_counter()
            _live_tiles(tiles_slot, trainer, report.test_errors, threshold, strategy)
            timings["tiles"] = time.perf_counter() - tick
        timings["frame"] = time.perf_counter() - frame_start
        _log_frame(report.epoch, timings)
        frame_end = frame_start + FRAME_SECONDS

    # While every trainer of the server is busy, the progress line shows the place in line;
    # its updates are Streamlit calls, so a click that supersedes this run ends the wait too.
    target = trainer.epochs_done + epochs
    slot = resources.trainers().ticket(
        on_wait=lambda ahead: show_waiting(status, trainer.epochs_done, target, ahead),
        pauses=watch,  # Watch sleeps out each frame: no trainer is held meanwhile
    )

    st.session_state.pop(RUN_ERROR_KEY, None)
    # Stays set if a click stops the run: the speed control then switches pace, not stops.
    st.session_state[RUNNING_KEY] = True
    try:
        with training_lock():
            # The last epoch is not held: drawing the final charts and the evaluation takes
            # about a frame anyway.
            trainer.train(epochs, on_epoch=on_epoch, slot=slot)
    except Exception as exc:  # noqa: BLE001 - interrupts are BaseException and pass through
        # Kept in the session: the page reruns right after a live run.
        st.session_state[RUN_ERROR_KEY] = f"Training stopped with an unexpected error: {exc}"
    st.session_state.pop(RUNNING_KEY, None)
