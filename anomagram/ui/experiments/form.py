"""The experiment form: which setting to vary, its values and seeds, filled from a link if the
user followed one, and the Run button."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from anomagram import sources
from anomagram.budget import check_sweep, duration
from anomagram.data import Dataset
from anomagram.presets import PRESETS
from anomagram.spec import Spec
from anomagram.sweep import SWEEP_PARAMS
from anomagram.ui.common import resources
from anomagram.ui.common.datasets import dataset_for
from anomagram.ui.common.navigation import page_link
from anomagram.ui.common.state import get_spec, set_spec
from anomagram.ui.common.text import escape_markdown, user_text
from anomagram.ui.experiments import logic
from anomagram.ui.experiments import state as exp_state


@dataclass(frozen=True)
class Plan:
    """The experiment as the form stands, and whether Run was clicked on this script run.

    ``base`` is the session's spec fitted to its data (its length is the data's)."""

    param: str
    values: list
    seeds: int
    base: Spec
    run_clicked: bool


def _values_key(param: str) -> str:
    return f"exp_values_{param}"


def _link_signature(params: dict) -> tuple:
    return tuple(sorted(params.items()))


def apply_link() -> None:
    """Pre-fill the form from ?param=..&values=..&seeds=.. once per distinct link, and take
    the data it names (``dataset``, ``normal_class``...; ECG5000 when it names none) into the
    session's spec, which the Train page shares."""
    params = {k: st.query_params[k] for k in logic.LINK_KEYS if k in st.query_params}
    signature = _link_signature(params)
    if not params or st.session_state.get("exp_link_applied") == signature:
        return
    st.session_state["exp_link_applied"] = signature
    with_data, problems = logic.data_from_query(params, get_spec())
    if with_data is not None and with_data != get_spec():
        set_spec(with_data)
    with_preset, preset_problems = logic.preset_from_query(params, get_spec())
    problems += preset_problems
    if with_preset is not None and with_preset != get_spec():
        set_spec(with_preset)
    linked, link_problems = logic.from_query(params)
    problems += link_problems
    if problems:
        st.session_state["exp_link_note"] = (
            "warning",
            # The problems quote what the link sent: escaped, so it cannot become markup.
            "Part of the link could not be used: "
            + "; ".join(escape_markdown(p) for p in problems)
            + (". The defaults fill in for it." if link_problems else "."),
        )
    else:
        over = linked is not None and check_sweep(
            get_spec(), linked.param, linked.values, linked.seeds, limits=resources.limits()
        )
        what = ", but it is too big for this server: see below." if over else ": press **Run**."
        on = user_text(logic.dataset_label(get_spec()))
        st.session_state["exp_link_note"] = (
            "info",
            f"The experiment below (on {on}) was filled in from the link you followed" + what,
        )
    if linked is None:
        return
    extra = st.session_state["exp_extra"].setdefault(linked.param, [])
    extra.extend(v for v in linked.values if v not in logic.CHOICES[linked.param] + tuple(extra))
    st.session_state["exp_param"] = linked.param
    st.session_state[_values_key(linked.param)] = list(linked.values)
    st.session_state["exp_seeds"] = linked.seeds


def show_link_note() -> None:
    note = st.session_state.pop("exp_link_note", None)
    if note is not None:
        (st.warning if note[0] == "warning" else st.info)(note[1])


def write_link(param: str, values, seeds: int) -> None:
    """Put the experiment and its data in the address bar, so the link reproduces it."""
    text = logic.query_text(param, values)
    data = {**logic.data_query(get_spec()), **logic.preset_query(get_spec())}
    for key in (*logic.DATA_FIELDS, logic.PRESET_KEY):
        if key not in data and key in st.query_params:
            del st.query_params[key]  # back to the default: a link leaves it out
    st.query_params.update(param=param, values=text, seeds=str(seeds), **data)
    # Our own link must not count as a new one to apply on the next run.
    st.session_state["exp_link_applied"] = _link_signature(
        {"param": param, "values": text, "seeds": str(seeds), **data}
    )


def _choices() -> tuple[str, list, int]:
    """(param, values, seeds) as chosen now."""
    c1, c2, c3 = st.columns([2.6, 4, 1.4], gap="medium")
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


def _base_summary(spec: Spec, data: Dataset | None) -> None:
    if data is None:
        on = f"**{user_text(logic.dataset_label(spec))}**"
    else:
        on = f"**{user_text(data.name)}** ({len(data.y):,} {data.unit} of {data.length} samples)"
    preset = logic.preset_query(spec).get(logic.PRESET_KEY)
    if preset:
        on += f" · the **{PRESETS[preset].label}** preset"
    st.markdown(
        f"**Everything else** comes from your setup on the Train page: {on} · "
        f"`{spec.describe()}` · {spec.epochs} epochs · batch {spec.batch_size} · "
        f"{spec.train_size:,} training and {spec.test_size:,} test beats · "
        f"{spec.abnormal_pct:g} % abnormal in training · regularizer {spec.regularizer}. "
        "The setting you vary replaces its value there."
    )
    page_link("pages/train.py", "Change the setup on the Train page", "🏋️")


def _data(spec: Spec) -> tuple[Dataset | None, str]:
    """The data the spec names, or None and why not (one sentence from ``sources``)."""
    try:
        return dataset_for(spec), ""
    except ValueError as exc:  # SourceError, DataError: the data cannot be had or used
        return None, str(exc)


def form(spec: Spec) -> Plan:
    """The bordered form with its Run button; sweeps run on the data ``spec`` names."""
    data, data_problem = _data(spec)
    base = spec if data is None else sources.for_data(spec, data)
    with st.container(border=True):
        param, values, seeds = _choices()
        _base_summary(base, data)
        if data is None:
            st.error(
                "Nothing can run on this data: " + escape_markdown(data_problem),
                icon="🚫",
            )
        else:
            notes = logic.split_notes(base, param, values, data)
            if notes:
                st.info(
                    "\n".join(f"- {escape_markdown(n)}" for n in notes),
                    icon="📏",
                )
        problems = logic.plan_problems(base, param, values)
        n_runs = len(values) * seeds
        known = set(exp_state.models())
        # Refused before anything runs: a link may ask for thousands of runs.
        over_budget = check_sweep(
            base, param, values, seeds, limits=resources.limits(), known=known
        )
        if problems:
            st.error(
                "Some values cannot be combined with your setup: "
                + " ".join(escape_markdown(p) for p in problems)
            )
        if over_budget is not None:
            st.error(over_budget.message, icon="⏱️")
        estimate = logic.estimate_seconds(base, param, values, seeds, known=known)
        run_label = f"▶️ Run {n_runs:,} training run{'s' if n_runs != 1 else ''}"
        clicked = st.button(
            f"{run_label} ({duration(estimate)})" if values else "▶️ Run",
            key="exp_run",
            type="primary",
            disabled=not values or bool(problems) or over_budget is not None or data is None,
            help="Pick at least one value first." if not values else None,
        )
    return Plan(param, values, seeds, base, clicked and data is not None)
