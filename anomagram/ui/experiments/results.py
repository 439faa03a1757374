"""The results of the sweep shown: where it stands, the chart, its reading, tables, downloads."""

from __future__ import annotations

import streamlit as st

from anomagram import charts
from anomagram.sweep import SWEEP_PARAMS, summary_table
from anomagram.ui.experiments import state as exp_state
from anomagram.ui.experiments import summary
from anomagram.ui.experiments.job import SweepJob
from anomagram.ui.experiments.run import CHART_HEIGHT


def placeholder() -> None:
    st.info(
        "Press **Run** to start. The default experiment asks Anomagram's question: what "
        "happens to anomaly detection when abnormal beats leak into the training data? "
        "It takes under a minute.",
        icon="👆",
    )


def _status(job: SweepJob, done: int) -> None:
    if job.status == "failed":
        st.error(f"The experiment stopped after {done} of {job.total} runs: {job.error}", icon="🚫")
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
    st.caption(
        f"{len(records)} of {job.total} runs · {seeds} seed{'s' if seeds > 1 else ''} per value "
        f"· base setup `{job.base.describe()}`, {job.base.epochs} epochs"
    )
    _status(job, len(records))
    if not records:
        return
    df = summary_table(records, values)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.altair_chart(
            charts.sweep_chart(
                summary.chart_frame(param, df, values),
                param_title=label,
                baseline_col="baseline_auc_mean",
            ),
            width="stretch",
            height=CHART_HEIGHT,
            key="exp_chart",
        )
    with right:
        st.markdown("**What it shows**")
        st.markdown(summary.explain(param, df, values))
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
