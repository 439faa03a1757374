"""The results of the sweep shown: where it stands, the chart, its reading, tables, downloads.

The chart can draw classic detectors as reference lines, fitted on the very splits of the
sweep's runs; they are fitted only when asked for (``REFERENCES``), and once per split.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from anomagram import charts
from anomagram.baselines import DETECTORS
from anomagram.spec import value_text
from anomagram.sweep import SWEEP_PARAMS, summary_table
from anomagram.ui.common import detector_fits
from anomagram.ui.common.text import escape_markdown, user_text
from anomagram.ui.experiments import logic, summary
from anomagram.ui.experiments import state as exp_state
from anomagram.ui.experiments.job import SweepJob
from anomagram.ui.experiments.run import CHART_HEIGHT

REFERENCES = "exp_references"  # the classic detectors drawn as reference lines
# PCA is already on every sweep's chart as its grey baseline.
REFERENCE_CHOICES = [k for k in DETECTORS if k != "pca"]
FIT_TIMEOUT = 300.0


def placeholder() -> None:
    st.info(
        "Press **Run** to start. The default experiment asks Anomagram's question: what "
        "happens to anomaly detection when abnormal beats leak into the training data? "
        "It takes under a minute.",
        icon="👆",
    )


def _status(job: SweepJob, done: int) -> None:
    if job.status == "failed":
        st.error(
            f"The experiment stopped after {done} of {job.total} runs: "
            + escape_markdown(job.error),
            icon="🚫",
        )
    if job.status == "interrupted":
        why = "You cancelled the experiment" if job.cancelled else "The experiment stopped"
        st.warning(
            f"{why} after {done} of {job.total} runs. The finished runs are kept: continue "
            "to run the rest, or start over with the Run button.",
            icon="⏸️",
        )
        st.button(
            f"▶️ Continue ({job.total - done} runs left)",
            key=exp_state.CONTINUE,
            type="primary",
        )


def results(job: SweepJob) -> None:
    records = exp_state.records()
    param, values, seeds = job.param, job.values, job.seeds
    label = SWEEP_PARAMS[param]
    st.subheader(f"Results: AUC by {label.lower()}")
    on = user_text(logic.dataset_label(job.base))
    st.caption(
        f"{len(records)} of {job.total} runs · {seeds} seed{'s' if seeds > 1 else ''} per value "
        f"· on {on} · base setup `{job.base.describe()}`, {job.base.epochs} epochs"
    )
    if job.notes:
        st.info(
            f"The data changed the runs' splits ({on} is small):\n"
            + "\n".join(f"- {escape_markdown(note)}" for note in job.notes),
            icon="📏",
        )
    _status(job, len(records))
    if not records:
        return
    df = summary_table(records, values)
    left, right = st.columns([3, 2], gap="large")
    with left:
        refs = _references(job, records)
        st.altair_chart(
            charts.sweep_chart(
                summary.chart_frame(param, df, values),
                param_title=label,
                baseline_col="baseline_auc_mean",
                references=refs,
            ),
            width="stretch",
            height=CHART_HEIGHT,
            key="exp_chart",
        )
    with right:
        st.markdown("**What it shows**")
        st.markdown(summary.explain(param, df, values))
        if refs is not None:
            per_value = param in detector_fits.SPLIT_FIELDS
            st.markdown(summary.reference_sentence(param, df, refs, per_value))
        st.caption(
            "AUC measures how well the reconstruction error separates abnormal from normal test "
            "beats, without picking a threshold: 1 is perfect, 0.5 is a coin toss."
        )
        if df["diverged"].any():
            st.warning(
                f"{int(df['diverged'].sum())} runs diverged (the loss blew up); their metrics "
                "come from the last good epoch.",
                icon="💥",
            )
    st.dataframe(summary.display_table(param, df, values), hide_index=True, width="stretch")
    runs = summary.runs_frame(param, records)
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        "⬇️ Summary (CSV)",
        data=df.to_csv(index=False),
        file_name=f"anomagram-sweep-{param}-summary.csv",
        mime="text/csv",
        key="exp_download_summary",
        on_click="ignore",
        width="stretch",
    )
    c2.download_button(
        "⬇️ Every run (CSV)",
        data=runs.to_csv(index=False),
        file_name=f"anomagram-sweep-{param}-runs.csv",
        mime="text/csv",
        key="exp_download_runs",
        on_click="ignore",
        width="stretch",
    )
    with st.expander(f"Every run ({len(records)})"):
        st.dataframe(summary.runs_display(runs), hide_index=True, width="stretch")


def _references(job: SweepJob, records: list) -> pd.DataFrame | None:
    """The chosen detectors' mean AUC per value, on the splits of the runs shown, or None."""
    chosen = st.multiselect(
        "Classic detectors on the same splits",
        REFERENCE_CHOICES,
        format_func=DETECTORS.get,
        key=REFERENCES,
        placeholder="Add reference lines",
        help=(
            "Fit classic detectors from scikit-learn on the same training beats as each run "
            "and draw their AUC as dotted lines. Each is fitted once per split: only the abnormal "
            "share and the number of training beats change the split, so for any other setting "
            "its line is flat."
        ),
    )
    if not chosen:
        return None
    jobs = {}
    for record in records:
        spec = job.base.replace(**{job.param: record.value, "seed": record.seed})
        # Fitted on the run's own data: the registry keys fits by it (datasets.data_id).
        for detector, fit in detector_fits.fits(spec, chosen).items():
            jobs[(value_text(record.value), record.seed, detector)] = fit
    if detector_fits.pending(jobs):
        splits = len({key[:2] for key in jobs})
        with st.spinner(f"Fitting {len(chosen)} classic detectors on {splits} splits…"):
            detector_fits.wait(jobs.values(), timeout=FIT_TIMEOUT)
    failed = detector_fits.failed(jobs)
    if failed:
        st.warning(
            f"{len(failed)} detector fits failed and are left out of the chart "
            f"({escape_markdown(next(iter(failed.values())))}).",
            icon="⚠️",
        )
    aucs = {key: result.auc for key, result in detector_fits.finished(jobs).items()}
    return summary.reference_frame(job.param, job.values, aucs)
