"""Running (or continuing) a sweep, with a progress bar, a Cancel button and a live chart."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from anomagram import charts
from anomagram.budget import check_sweep, duration
from anomagram.scheduler import place_text
from anomagram.sweep import SWEEP_PARAMS, run_sweep, summary_table
from anomagram.ui.common import resources
from anomagram.ui.common.datasets import dataset_for
from anomagram.ui.experiments import logic, summary
from anomagram.ui.experiments import state as exp_state
from anomagram.ui.experiments.job import SweepJob

# Streamlit counts a chart's title and legend inside its height: leave room for the plot.
CHART_HEIGHT = 400


def run(job: SweepJob, slot) -> None:
    """Run the job's remaining runs in ``slot``; every finished run is saved at once."""
    # One script run at a time trains on the session's compiled models: a superseded one stops
    # after its current epoch (see run_sweep's ``stop``), and this one waits for that.
    lock = exp_state.lock()
    acquired = lock.acquire(blocking=False)
    try:
        if not acquired:
            with slot.container(), st.spinner("Waiting for the interrupted run to stop…"):
                acquired = lock.acquire()
        _run(job, slot)
    finally:
        if acquired:
            lock.release()


def _run(job: SweepJob, slot) -> None:
    records = exp_state.records()
    param, values, total = job.param, job.values, job.total
    with slot.container(border=True):
        c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
        bar = c1.progress(
            len(records) / total, text=f"Starting: {len(records)} of {total} runs done…"
        )
        # A click anywhere interrupts this script run; this button only makes it deliberate.
        c2.button("⏹️ Cancel", key=exp_state.CANCEL, width="stretch")
        live = st.empty()
    attempt = job.start()
    # Checked again here, not only by the form: a sweep is never started over the budget.
    over_budget = check_sweep(job.base, param, values, job.seeds, limits=resources.limits())
    if over_budget is not None:
        job.fail(attempt, over_budget.message)
        slot.empty()
        return
    start = last = time.perf_counter()
    durations: list[float] = []

    def on_run(i: int, total: int, record) -> bool | None:
        nonlocal last
        if not job.record(records, record, attempt):
            return False  # this script run was superseded: its results no longer count
        now = time.perf_counter()
        durations.append(now - last)
        last = now
        # The first run of a sweep pays for compilation; the later ones predict the rest.
        typical = np.mean(durations[1:]) if len(durations) > 1 else durations[0]
        what = f"{SWEEP_PARAMS[param]} = {logic.display(param, record.value)}, seed {record.seed}"
        bar.progress(
            i / total,
            text=f"Run {i} of {total} done ({what}) · {duration(typical * (total - i))} left",
        )
        live.altair_chart(
            charts.sweep_chart(
                summary.chart_frame(param, summary_table(records, values), values),
                param_title=SWEEP_PARAMS[param],
                baseline_col="baseline_auc_mean",
            ),
            width="stretch",
            height=CHART_HEIGHT,
        )
        return None

    def on_wait(ahead: int | None) -> None:
        # Called every fraction of a second while all the server's trainers are busy; being a
        # Streamlit call, it also ends the wait when a click has superseded this script run.
        done = len(records)
        where = f"{done} of {total} runs done"
        bar.progress(
            done / total, text=where if ahead is None else f"⏳ {place_text(ahead)} · {where}"
        )

    def stop() -> bool:
        return not job.is_current(attempt)

    try:
        # The data the job's spec names (a csv: one is the session's upload): a SourceError
        # (a ValueError) fails the job with its sentence, like any other problem below.
        data = dataset_for(job.base)
        run_sweep(
            job.base,
            param,
            values,
            job.seeds,
            ecg=data,
            on_run=on_run,
            done=list(records),
            models=exp_state.models(),
            stop=stop,
            slot=resources.trainers().ticket(on_wait=on_wait, stop=stop),
        )
    except ValueError as exc:  # e.g. a setting the data cannot satisfy (DataError, SpecError)
        job.fail(attempt, str(exc))
        slot.empty()
        return
    job.finish(attempt, time.perf_counter() - start)
    slot.empty()
