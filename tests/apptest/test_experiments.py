"""AppTest of the Experiments page (pages/experiments.py), run on its own."""

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from anomagram import compiled
from anomagram.spec import Spec, value_text
from anomagram.sweep import RunRecord, run_sweep
from anomagram.ui.experiments import logic, summary
from anomagram.ui.experiments.job import SweepJob

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "experiments.py")
TINY = Spec(train_size=500, test_size=100, epochs=30)


def _app(spec: Spec | None = TINY, **query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if spec is not None:
        at.session_state["spec"] = spec
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def _texts(at, kind: str) -> str:
    return "\n".join(str(e.value) for e in at.get(kind))


def test_default_experiment_is_abnormal_leak_15_runs():
    at = _app(spec=None)
    assert at.selectbox(key="exp_param").value == "abnormal_pct"
    assert at.multiselect(key="exp_values_abnormal_pct").value == [0.0, 10.0, 30.0, 50.0, 70.0]
    assert at.number_input(key="exp_seeds").value == 3
    run = at.button(key="exp_run")
    assert run.label.startswith("▶️ Run 15 training runs") and not run.disabled
    assert "leak into the training data" in _texts(at, "info")
    assert "`140 → 7 → 3 → 2 → 3 → 7 → 140, adam lr=0.01`" in _texts(at, "markdown")


def test_no_values_disables_run():
    at = _app()
    at.multiselect(key="exp_values_abnormal_pct").set_value([]).run()
    assert at.button(key="exp_run").disabled


def test_tiny_sweep_gives_table_chart_and_explanation():
    at = _app()
    at.multiselect(key="exp_values_abnormal_pct").set_value([50.0, 0.0])
    at.number_input(key="exp_seeds").set_value(1)
    at.run()
    at.button(key="exp_run").click().run()
    assert not at.exception and not at.error
    records = at.session_state["exp_records"]
    assert [(r.value, r.seed) for r in records] == [(0.0, 0), (50.0, 0)]  # offered order
    table = at.dataframe[0].value
    assert list(table["Abnormal share of training data"]) == ["0 %", "50 %"]
    assert {"AUC", "PCA baseline AUC", "Accuracy", "Seconds per run"} <= set(table.columns)
    # The app's one format: shares "96.6 ± 0.0 %", AUC a 0.xxx number.
    # One seed: means alone, as there is no spread.
    assert all(re.fullmatch(r"\d{1,3}\.\d %", v) for v in table["Accuracy"])
    assert all(re.fullmatch(r"[01]\.\d{3}", v) for v in table["AUC"])
    every_run = at.dataframe[1].value
    assert all(re.fullmatch(r"\d{1,3}\.\d %", v) for v in every_run["recall"])
    assert all(re.fullmatch(r"[01]\.\d{3}", v) for v in every_run["auc"])
    assert len(at.get("vega_lite_chart")) == 1
    assert "With 0 % abnormal beats in the training data the AUC is" in _texts(at, "markdown")
    assert not at.warning  # finished, not interrupted
    # The link now reproduces the experiment.
    assert (
        at.query_params["param"] == ["abnormal_pct"] or at.query_params["param"] == "abnormal_pct"
    )
    # Results survive a rerun.
    at.run()
    assert len(at.get("vega_lite_chart")) == 1 and len(at.session_state["exp_records"]) == 2


def test_interrupted_sweep_keeps_its_runs_and_continues(ecg):
    values = [0.0, 50.0]
    models = compiled.pool()  # the page's: process-wide
    partial = run_sweep(
        TINY, "abnormal_pct", values, 1, ecg=ecg, models=models, on_run=lambda *a: False
    )
    assert len(partial) == 1
    key = TINY.architecture_key
    model = models.take(key)
    models.put(key, model)
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["spec"] = TINY
    at.session_state["exp_records"] = list(partial)
    # What a click during the sweep leaves behind: a job still marked running.
    job = SweepJob("abnormal_pct", values, 1, TINY)
    job.start()
    at.session_state["exp_job"] = job
    at.run()
    assert not at.exception
    assert "after 1 of 2 runs" in _texts(at, "warning")
    assert len(at.get("vega_lite_chart")) == 1  # partial results are shown
    at.button(key="exp_continue").click().run()
    assert not at.exception and not at.warning
    records = at.session_state["exp_records"]
    assert [r.value for r in records] == values and records[0] is partial[0]
    assert models.take(key) is model  # the compiled model was reused, not rebuilt
    models.put(key, model)
    assert at.session_state["exp_job"].status == "done"


def test_link_prefills_the_experiment():
    at = _app(param="hidden", values="7,3;32,16,8", seeds="2")
    assert at.selectbox(key="exp_param").value == "hidden"
    ms = at.multiselect(key="exp_values_hidden")
    assert ms.value == [(7, 3), (32, 16, 8)]
    assert "layers 32,16,8" in ms.options
    assert at.number_input(key="exp_seeds").value == 2
    assert "filled in from the link" in _texts(at, "info")
    assert at.button(key="exp_run").label.startswith("▶️ Run 4 training runs")
    # A later change by the user is not overwritten by the link on the next rerun.
    at.number_input(key="exp_seeds").set_value(1).run()
    assert at.number_input(key="exp_seeds").value == 1


@pytest.mark.parametrize(
    "query, problem",
    [
        ({"param": "colour", "values": "red"}, "not one of"),
        ({"param": "optimizer", "values": "adam,warp"}, "could not be read"),
        ({"param": "latent", "seeds": "99"}, "seeds must be"),
    ],
)
def test_bad_link_warns_and_falls_back(query, problem):
    at = _app(**query)
    assert problem in _texts(at, "warning")
    assert not at.button(key="exp_run").disabled


def test_a_run_the_data_cannot_satisfy_is_an_error_not_a_traceback():
    # 4500 training beats with 0 % abnormal needs more normal beats than ECG5000 has.
    at = _app(param="train_size", values="4500", seeds="1")
    at.button(key="exp_run").click().run()
    assert not at.exception
    assert "stopped after 0 of 1 runs" in _texts(at, "error")
    assert "normal" in _texts(at, "error")


# --- the page's pure helpers ---------------------------------------------------------------------


def _summary(values, aucs, stds, baselines):
    return pd.DataFrame(
        {
            "value": [value_text(v) for v in values],
            "runs": [3] * len(values),
            "auc_mean": aucs,
            "auc_std": stds,
            "baseline_auc_mean": baselines,
        }
    )


def test_explanations_read_off_the_numbers():
    values = [0.0, 30.0, 70.0]
    text = summary.explain(
        "abnormal_pct", _summary(values, [0.98, 0.85, 0.3], [0.01] * 3, [0.99, 0.7, 0.45]), values
    )
    # AUC to three decimals, as in the table and the chart's tooltip.
    assert "is 0.980" in text and "falls to 0.300" in text and "backwards" in text
    assert "matches or beats the autoencoder for 2 of 3" in text

    values = ["adam", "sgd"]
    same = summary.explain(
        "optimizer", _summary(values, [0.95, 0.94], [0.02, 0.02], [0.5, 0.5]), values
    )
    assert "about the same AUC" in same and "beats the simpler PCA baseline" in same

    lucky = summary.explain(
        "optimizer", _summary(values, [0.95, 0.90], [0.08, 0.08], [0.5, 0.5]), values
    )
    assert "best optimizer here is Adam" in lucky and "may be luck" in lucky


def test_display_table_formats_shares_and_auc():
    df = _summary([0.0, 30.0], [0.9, 0.8], [0.01, float("nan")], [0.8, 0.7]).assign(
        baseline_auc_std=[0.0, 0.0],
        accuracy_mean=[0.966, 0.9],
        accuracy_std=[0.012, float("nan")],
        precision_mean=[0.5, 0.5],
        precision_std=[0.0, 0.0],
        recall_mean=[float("nan"), 1.0],
        recall_std=[0.0, 0.0],
        seconds_mean=[1.0, 2.0],
        diverged=[0, 0],
    )
    table = summary.display_table("abnormal_pct", df, [0.0, 30.0])
    assert list(table["Accuracy"]) == ["96.6 ± 1.2 %", "90.0 %"]
    one_run = summary.display_table("abnormal_pct", df.assign(runs=1), [0.0, 30.0])
    assert list(one_run["Accuracy"]) == ["96.6 %", "90.0 %"]  # one run has no spread
    assert list(one_run["AUC"]) == ["0.900", "0.800"]
    shown = summary.chart_frame("abnormal_pct", df, [0.0, 30.0])
    assert list(shown["value"]) == list(table["Abnormal share of training data"]) == ["0 %", "30 %"]
    assert list(table["Recall"]) == ["n/a", "100.0 ± 0.0 %"]
    assert list(table["AUC"]) == ["0.900 ± 0.010", "0.800"]


def test_link_parsing_and_estimates():
    assert logic.from_query({}) == (None, [])
    linked, problems = logic.from_query({"param": "learning_rate", "values": "0.1, 0.001"})
    assert not problems and linked.values == (0.1, 0.001) and linked.seeds == 3
    assert logic.in_order("learning_rate", linked.values) == [0.001, 0.1]
    assert logic.query_text("hidden", [(7, 3), (16,)]) == "7,3;16"
    quick = logic.estimate_seconds(Spec(), "abnormal_pct", [0.0, 10.0], 1)
    slow = logic.estimate_seconds(Spec(batch_size=64), "abnormal_pct", [0.0, 10.0], 3)
    assert 0 < quick < slow
    known = {Spec().architecture_key}
    assert logic.estimate_seconds(Spec(), "abnormal_pct", [0.0], 1, known=known) < quick


def _record(value, seed: int) -> RunRecord:
    return RunRecord(value, seed, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 1.0, "completed")


def test_a_run_finishing_in_a_superseded_script_run_is_not_counted_twice():
    # Cancel, then Continue: with fastReruns the cancelled script run finishes its current run
    # while the continued one reruns it. Only one of them may count.
    job = SweepJob("abnormal_pct", [0.0, 50.0], 1, TINY)
    records: list = []
    first = job.start()
    assert job.record(records, _record(0.0, 0), first)
    job.interrupt(cancelled=True)
    assert job.status == "interrupted" and job.cancelled
    second = job.start()
    assert job.record(records, _record(50.0, 0), second)
    assert not job.record(records, _record(50.0, 0), first)  # the old script run, too late
    assert not job.record(records, _record(50.0, 0), second)  # no run beyond the plan
    assert len(records) == job.total == 2
    job.finish(first, 5.0)  # the old script run cannot end the job either
    assert job.status == "running"
    job.finish(second, 5.0)
    assert job.status == "done" and job.seconds == 5.0


def test_a_record_must_be_the_next_run_of_the_sweep():
    job = SweepJob("hidden", [(7, 3), (16,)], 2, TINY.replace(seed=4))
    records: list = []
    attempt = job.start()
    assert job.next_run(0) == ((7, 3), 4) and job.next_run(3) == ((16,), 5)
    assert not job.record(records, _record((16,), 4), attempt)
    assert job.record(records, _record((7, 3), 4), attempt)
    assert not job.record(records, _record((7, 3), 4), attempt)  # the same run again
    job.fail(attempt, "boom")
    assert job.status == "failed" and job.error == "boom"
    assert not job.record(records, _record((7, 3), 5), attempt)


# --- the work budget ----------------------------------------------------------------------------


def test_the_issues_link_of_3505_runs_is_shown_and_refused_before_anything_runs():
    values = ",".join(f"{i / 10:g}" for i in range(701))  # 0 to 70 % in steps of 0.1
    at = _app(param="abnormal_pct", values=values, seeds="5")
    assert len(at.multiselect(key="exp_values_abnormal_pct").value) == 701
    errors = _texts(at, "error")
    assert "3,505 training runs" in errors and "limit of 200" in errors
    assert "too big for this server" in _texts(at, "info")
    run = at.button(key="exp_run")
    assert run.disabled and run.label.startswith("▶️ Run 3,505 training runs")
    at.run()
    assert at.session_state.get("exp_job") is None and not at.session_state["exp_records"]


@pytest.fixture
def limits_from_env(monkeypatch):
    """Sets budget variables for one test: the page reads them once per process."""
    from anomagram.ui.common import resources

    def set_env(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        resources.limits.clear()

    yield set_env
    monkeypatch.undo()
    resources.limits.clear()


def test_a_sweep_over_the_time_limit_is_refused_with_its_estimate(limits_from_env):
    limits_from_env(ANOMAGRAM_MAX_SWEEP_SECONDS="1")
    at = _app()  # the default experiment: 15 runs, a few seconds
    errors = _texts(at, "error")
    assert "15 runs would take" in errors and "limit of 1 s" in errors
    assert at.button(key="exp_run").disabled
    # A job over the limit that reaches the runner (say, continued after the limit was
    # lowered) fails at once with the same message, nothing trained.
    job = SweepJob("abnormal_pct", [0.0, 10.0], 3, TINY)
    job.start()
    at.session_state["exp_job"] = job
    at.run()
    at.button(key="exp_continue").click().run()
    assert not at.exception
    assert at.session_state["exp_job"].status == "failed"
    assert "limit of 1 s" in _texts(at, "error") and not at.session_state["exp_records"]


def test_a_link_with_a_preset_sweeps_on_that_preset_and_writes_it_back():
    """The regularisation insight's link: compare regularisers on the Overfits preset, not on
    whatever the visitor's Train settings happen to be."""
    from anomagram.presets import matching_preset

    at = _app(
        Spec(latent=5, seed=2),
        param="regularizer",
        values="none,l1,l2",
        seeds="1",
        preset="overfits",
    )
    spec = at.session_state["spec"]
    assert matching_preset(spec) == "overfits" and spec.seed == 2
    assert "the **Overfits** preset" in _texts(at, "markdown")
    assert at.multiselect(key="exp_values_regularizer").value == ["none", "l1", "l2"]
    # Our own link names the preset its base is, so copying the address reproduces it.
    assert logic.preset_query(spec) == {"preset": "overfits"}
    assert logic.preset_query(Spec()) == {} and logic.preset_query(Spec(latent=5)) == {}


def test_an_unknown_preset_in_a_link_keeps_the_setup():
    at = _app(Spec(latent=5), param="latent", values="2,3", preset="<b>warp</b>")
    assert "unknown preset" in _texts(at, "warning") and "<b>" not in _texts(at, "warning")
    assert at.session_state["spec"] == Spec(latent=5)
