"""Experiments: sweep one training setting over several seeds and plot AUC against it."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from anomagram import charts
from anomagram.sweep import SWEEP_PARAMS, run_sweep
from anomagram.ui import exp_logic as logic
from anomagram.ui.common import resources, state
from anomagram.ui.common.navigation import page_link
from anomagram.ui.streamlit_patches import require_app_shell

# Streamlit counts a chart's title and legend inside its height: leave room for the plot.
CHART_HEIGHT = 400

require_app_shell()
st.session_state.setdefault("exp_param", logic.DEFAULT_PARAM)
st.session_state.setdefault("exp_seeds", logic.DEFAULT_SEEDS)
st.session_state.setdefault("exp_extra", {})
st.session_state.setdefault("exp_records", [])
st.session_state.setdefault("exp_models", {})


def _values_key(param: str) -> str:
    return f"exp_values_{param}"


def apply_link() -> None:
    """Pre-fill the form from ?param=..&values=..&seeds=.. once per distinct link."""
    params = {k: st.query_params[k] for k in ("param", "values", "seeds") if k in st.query_params}
    signature = tuple(sorted(params.items()))
    if not params or st.session_state.get("exp_link_applied") == signature:
        return
    st.session_state["exp_link_applied"] = signature
    linked, problems = logic.from_query(params)
    if problems:
        st.session_state["exp_link_note"] = (
            "warning",
            "Part of the link could not be used: " + "; ".join(problems) + ". The defaults "
            "fill in for it.",
        )
    else:
        st.session_state["exp_link_note"] = (
            "info",
            "The experiment below was filled in from the link you followed: press **Run** to "
            "run it.",
        )
    if linked is None:
        return
    extra = st.session_state["exp_extra"].setdefault(linked.param, [])
    extra.extend(v for v in linked.values if v not in logic.CHOICES[linked.param] + tuple(extra))
    st.session_state["exp_param"] = linked.param
    st.session_state[_values_key(linked.param)] = list(linked.values)
    st.session_state["exp_seeds"] = linked.seeds


def _write_link(param: str, values, seeds: int) -> None:
    text = logic.query_text(param, values)
    st.query_params.update(param=param, values=text, seeds=str(seeds))
    # Our own link must not count as a new one to apply on the next run.
    st.session_state["exp_link_applied"] = tuple(
        sorted({"param": param, "values": text, "seeds": str(seeds)}.items())
    )


# --- the form -----------------------------------------------------------------------------------


def form():
    """(param, values, seeds) as chosen now."""
    c1, c2, c3 = st.columns([2, 4, 1.4], gap="medium")
    with c1:
        param = st.selectbox(
            "Setting to vary",
            list(SWEEP_PARAMS),
            format_func=SWEEP_PARAMS.get,
            key="exp_param",
            persist_state="session",
        )
    extra = st.session_state["exp_extra"].get(param, [])
    key = _values_key(param)
    st.session_state.setdefault(key, list(logic.DEFAULTS[param]))
    with c2:
        chosen = st.multiselect(
            "Values to try",
            logic.options(param, extra),
            format_func=lambda v: logic.display(param, v),
            key=key,
            persist_state="session",
            placeholder="Pick at least one value",
        )
    with c3:
        seeds = st.number_input(
            "Seeds per value",
            min_value=1,
            max_value=logic.MAX_SEEDS,
            step=1,
            key="exp_seeds",
            persist_state="session",
            help=(
                "Each value is trained this many times from different random starts (and "
                "different random training sets). The spread between them shows how much of "
                "a difference is luck."
            ),
        )
    st.caption(f"❓ {logic.QUESTIONS[param]}")
    return param, logic.in_order(param, chosen, extra), int(seeds)


def base_summary(spec) -> None:
    st.markdown(
        "**Everything else** comes from your setup on the Train page: "
        f"`{spec.describe()}` · {spec.epochs} epochs · batch {spec.batch_size} · "
        f"{spec.train_size:,} training and {spec.test_size:,} test beats · "
        f"{spec.abnormal_pct:g} % abnormal in training · regularizer {spec.regularizer}. "
        "The setting you vary replaces its value there."
    )
    page_link("pages/train.py", "Change the setup on the Train page", "🏋️")


# --- running ------------------------------------------------------------------------------------


def run(job: dict, slot) -> None:
    """Run (or continue) the job; every finished run is saved before anything can interrupt."""
    records = st.session_state["exp_records"]
    param, values, seeds = job["param"], job["values"], job["seeds"]
    total = len(values) * seeds
    job["status"] = "running"
    with slot.container(border=True):
        c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
        bar = c1.progress(
            len(records) / total, text=f"Starting: {len(records)} of {total} runs done…"
        )
        # A click anywhere interrupts this script run; this button only makes it deliberate.
        c2.button("⏹️ Cancel", key="exp_cancel", width="stretch")
        live = st.empty()
    start = last = time.perf_counter()
    durations: list[float] = []

    def on_run(i: int, total: int, record) -> None:
        nonlocal last
        records.append(record)
        now = time.perf_counter()
        durations.append(now - last)
        last = now
        # The first run of a sweep pays for compilation; the later ones predict the rest.
        typical = np.mean(durations[1:]) if len(durations) > 1 else durations[0]
        what = f"{SWEEP_PARAMS[param]} = {logic.display(param, record.value)}, seed {record.seed}"
        bar.progress(
            i / total,
            text=f"Run {i} of {total} done ({what}) · {logic.duration(typical * (total - i))} left",
        )
        df = logic.summary_frame(records, values)
        live.altair_chart(
            charts.sweep_chart(df, param_title=SWEEP_PARAMS[param]),
            width="stretch",
            height=CHART_HEIGHT,
        )

    try:
        run_sweep(
            job["base"],
            param,
            values,
            seeds,
            ecg=resources.ecg(),
            on_run=on_run,
            done=list(records),
            models=st.session_state["exp_models"],
        )
    except ValueError as exc:  # e.g. a setting the data cannot satisfy (DataError, SpecError)
        job["status"] = "failed"
        job["error"] = str(exc)
        slot.empty()
        return
    job["status"] = "done"
    job["seconds"] = job.get("seconds", 0.0) + time.perf_counter() - start
    slot.empty()


def start_new(param, values, seeds, base) -> None:
    st.session_state["exp_records"] = []
    st.session_state["exp_job"] = {
        "param": param,
        "values": list(values),
        "seeds": seeds,
        "base": base,
        "status": "new",
    }
    _write_link(param, values, seeds)


# --- results ------------------------------------------------------------------------------------


def results(job: dict) -> None:
    records = st.session_state["exp_records"]
    param, values, seeds = job["param"], job["values"], job["seeds"]
    total = len(values) * seeds
    label = SWEEP_PARAMS[param]
    st.subheader(f"Results: AUC by {label.lower()}")
    st.caption(
        f"{len(records)} of {total} runs · {seeds} seed{'s' if seeds > 1 else ''} per value · "
        f"base setup `{job['base'].describe()}`, {job['base'].epochs} epochs"
    )
    if job["status"] == "failed":
        st.error(
            f"The experiment stopped after {len(records)} of {total} runs: {job['error']}",
            icon="🚫",
        )
    if job["status"] == "interrupted":
        why = "You cancelled the experiment" if job.get("cancelled") else "The experiment stopped"
        st.warning(
            f"{why} after {len(records)} of {total} runs. The finished runs are kept: continue "
            "to run the rest, or start over with the Run button.",
            icon="⏸️",
        )
        st.button(
            f"▶️ Continue ({total - len(records)} runs left)",
            key="exp_continue",
            type="primary",
        )
    if not records:
        return
    df = logic.summary_frame(records, values)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.altair_chart(
            charts.sweep_chart(df, param_title=label),
            width="stretch",
            height=CHART_HEIGHT,
            key="exp_chart",
        )
    with right:
        st.markdown("**What it shows**")
        st.markdown(logic.explain(param, df, values))
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
    st.dataframe(logic.display_table(param, df, values), hide_index=True, width="stretch")
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        "⬇️ Summary (CSV)",
        data=df.drop(columns=["baseline_auc"]).to_csv(index=False),
        file_name=f"anomagram-sweep-{param}-summary.csv",
        mime="text/csv",
        key="exp_download_summary",
        on_click="ignore",
        width="stretch",
    )
    c2.download_button(
        "⬇️ Every run (CSV)",
        data=logic.runs_frame(param, records).to_csv(index=False),
        file_name=f"anomagram-sweep-{param}-runs.csv",
        mime="text/csv",
        key="exp_download_runs",
        on_click="ignore",
        width="stretch",
    )
    with st.expander(f"Every run ({len(records)})"):
        st.dataframe(logic.runs_frame(param, records), hide_index=True, width="stretch")


# --- page ---------------------------------------------------------------------------------------

job = st.session_state.get("exp_job")
if job is not None and job["status"] == "running":
    # A new script run while the sweep was running means it was interrupted: a click on Cancel,
    # on another widget, or on another page.
    job["status"] = "interrupted"
    job["cancelled"] = bool(st.session_state.get("exp_cancel"))

st.title("🧪 Experiments")
st.markdown(
    "Training involves chance: the random starting weights and which beats land in the "
    "training set. One run can mislead, so here the app trains many models for you: it varies "
    "one setting, repeats each value with several seeds, and plots the mean AUC with its "
    "spread next to a simple PCA baseline."
)
apply_link()
note = st.session_state.pop("exp_link_note", None)
if note is not None:
    (st.warning if note[0] == "warning" else st.info)(note[1])

base = state.get_spec()
with st.container(border=True):
    param, values, seeds = form()
    base_summary(base)
    problems = logic.plan_problems(base, param, values)
    n_runs = len(values) * seeds
    estimate = logic.estimate_seconds(
        base, param, values, seeds, known=set(st.session_state["exp_models"])
    )
    if problems:
        st.error("Some values cannot be combined with your setup: " + " ".join(problems))
    run_label = f"▶️ Run {n_runs} training run{'s' if n_runs != 1 else ''}"
    clicked = st.button(
        f"{run_label} ({logic.duration(estimate)})" if values else "▶️ Run",
        key="exp_run",
        type="primary",
        disabled=not values or bool(problems),
        help="Pick at least one value first." if not values else None,
    )

# Fixed slots: while a sweep runs, the previous results must not linger below it.
run_slot, results_slot = st.empty(), st.empty()
if clicked:
    start_new(param, values, seeds, base)
    job = st.session_state["exp_job"]
    run(job, run_slot)
elif job is not None and job["status"] == "interrupted" and st.session_state.get("exp_continue"):
    run(job, run_slot)

with results_slot.container():
    if job is None:
        st.info(
            "Press **Run** to start. The default experiment asks Anomagram's question: what "
            "happens to anomaly detection when abnormal beats leak into the training data? "
            "It takes under a minute.",
            icon="👆",
        )
    else:
        results(job)
