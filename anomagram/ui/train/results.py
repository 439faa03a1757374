"""The results panel: status, chart grid, evaluation, comparison and export, as one fragment.

A threshold move reruns only this fragment: the histogram's threshold line, the ROC marker,
the tiles and the evaluation charts follow without retraining or redrawing the composer.
When the page asked for a live run, the training happens here too, so its charts update in
place.
"""

from __future__ import annotations

import streamlit as st

from anomagram.training import DIVERGED
from anomagram.ui.common.state import get_spec, get_trainer
from anomagram.ui.train import run_state
from anomagram.ui.train.chart_grid import chart_grid, draw_charts, panel_toggles, threshold_guide
from anomagram.ui.train.comparison import comparison, overlay_choice
from anomagram.ui.train.evaluation import evaluation, threshold_slider
from anomagram.ui.train.export import export
from anomagram.ui.train.live import run_live, speed
from anomagram.ui.train.status import show_status
from anomagram.ui.train.thresholds import current_threshold

NO_MODEL_YET = (
    "No trained model yet. Press **▶ Train**: the loss, the error histogram, the ROC curve and "
    "the bottleneck fill in live, epoch by epoch."
)


@st.fragment
def results_panel() -> None:
    """Status, toggles, the 2x2 chart grid and the evaluation; trains here when asked to."""
    run_state.wait_for_training_to_stop()
    # A click that stopped a live run has been handled by now (a fragment's own widgets may
    # have stopped it without the page script running).
    st.session_state.pop(run_state.RUNNING_KEY, None)
    spec = get_spec()
    trainer = get_trainer()
    live_epochs = run_state.take_live_epochs()
    # The progress and the threshold slider share one row, right above the histogram and
    # the ROC curve the slider moves: the live area stays short enough for a laptop window.
    status_col, threshold_col = st.columns([1, 1.25], vertical_alignment="center")
    status = status_col.empty()
    has_results = trainer is not None and trainer.last_report is not None
    if not live_epochs and not has_results:
        show_status(status, trainer, spec)
        if trainer is None or trainer.status != DIVERGED:
            st.info(NO_MODEL_YET, icon="👆")
        return

    slider_slot = threshold_col.empty()
    grid = st.container()
    shown = panel_toggles(labelled=trainer is None or trainer.prepared.labelled)
    with grid:
        slots = chart_grid(shown)
    overlay = overlay_choice()
    # Two slots: the evaluation (with widgets) is emptied while training, so no stale slider
    # or download button stays clickable mid-run; live tiles go in the second one.
    evaluation_slot, live_slot = st.empty(), st.empty()
    if live_epochs and trainer is not None:
        evaluation_slot.empty()
        tiles_slot = live_slot if "metrics" in shown else None
        threshold_guide(slider_slot)
        watch = speed() == "watch" and not run_state.take_skip()
        run_live(trainer, int(live_epochs), status, slots, tiles_slot, overlay, watch)
        live_slot.empty()
        trainer = get_trainer()

    if trainer.last_report is not None:
        threshold = current_threshold(trainer)
        total = max(run_state.target() or 0, trainer.epochs_done)
        draw_charts(slots, trainer, threshold, total, overlay)
        threshold_slider(slider_slot, trainer.last_report.test_errors, threshold)
        with evaluation_slot.container():
            if "metrics" in shown:
                evaluation(trainer, threshold)
            comparison(trainer)
            export(trainer, threshold)
    # Filled last, so "Trained N epochs" appears once everything below is drawn.
    show_status(status, trainer, spec)
