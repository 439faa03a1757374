"""AppTest of the Experiments page on other datasets (issue 15): the data a link names, the
data a session uploaded, data that cannot be had, and small datasets' split notes."""

import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from anomagram import baselines, sources
from anomagram.spec import Spec
from anomagram.training import prepare
from anomagram.ui.experiments import logic

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "experiments.py")
TINY = Spec(train_size=100, test_size=50, epochs=5, batch_size=32)


def _app(spec: Spec | None = TINY, session: dict | None = None, **query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if spec is not None:
        at.session_state["spec"] = spec
    for key, value in (session or {}).items():
        at.session_state[key] = value
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def _texts(at, kind: str) -> str:
    """The elements' text as the reader sees it: user text on the page is backslash-escaped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", "\n".join(str(e.value) for e in at.get(kind)))


def _query(at, key: str):
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def test_a_link_to_ecg200_runs_a_tiny_sweep_on_it_with_reference_lines():
    at = _app(dataset="ucr:ECG200", param="abnormal_pct", values="0,50", seeds="1")
    assert at.session_state["spec"].dataset == "ucr:ECG200"
    markdown = _texts(at, "markdown")
    assert "**ECG200** (200 beats of 96 samples)" in markdown
    assert "`96 → 7 → 3 → 2 → 3 → 7 → 96, adam lr=0.01`" in markdown
    assert "on ECG200" in _texts(at, "info")
    at.button(key="exp_run").click().run()
    assert not at.exception and not at.error
    job = at.session_state["exp_job"]
    assert job.status == "done" and job.base.length == 96 and job.base.dataset == "ucr:ECG200"
    records = at.session_state["exp_records"]
    assert [(r.value, r.seed) for r in records] == [(0.0, 0), (50.0, 0)]
    assert all(0 <= r.auc <= 1 for r in records)
    assert len(at.dataframe[0].value) == 2 and len(at.get("vega_lite_chart")) == 1
    assert "on ECG200" in _texts(at, "caption")
    # The link reproduces the experiment on the same data; the length is never in it.
    assert _query(at, "dataset") == "ucr:ECG200" and "length" not in at.query_params

    at.multiselect(key="exp_references").set_value(["knn"]).run()
    assert not at.exception and not at.warning
    assert "The best classic detector here, k-nearest" in _texts(at, "markdown")


def _knn_auc(spec: Spec) -> float:
    split = prepare(spec, sources.load(spec))
    return baselines.fit_score(
        "knn",
        split.train_scaled,
        split.test_scaled,
        split.test_is_abnormal,
        components=spec.latent,
        seed=spec.seed,
    ).auc


def test_reference_lines_are_fitted_on_the_sweeps_own_data():
    from anomagram.ui.common import detector_fits

    spec = sources.for_data(TINY.replace(dataset="ucr:ECG200", seed=3), sources.load_ucr("ECG200"))
    # The same split sizes on ECG5000, fitted first: its result must not stand in for ECG200's.
    detector_fits.wait(detector_fits.fits(TINY.replace(seed=3), ["knn"]).values())
    at = _app(dataset="ucr:ECG200", param="latent", values="2", seeds="1")
    at.session_state["spec"] = TINY.replace(dataset="ucr:ECG200", seed=3)
    at.button(key="exp_run").click().run()
    at.multiselect(key="exp_references").set_value(["knn"]).run()
    assert not at.exception
    fit = detector_fits.fits(spec, ["knn"])["knn"]
    assert np.isclose(fit.result().auc, _knn_auc(spec))


def test_an_unknown_ucr_name_shows_the_sources_message_and_runs_nothing():
    at = _app(dataset="ucr:Nope")
    errors = _texts(at, "error")
    assert "Nothing can run on this data" in errors
    assert "There is no UCR dataset called 'Nope'" in errors
    assert at.button(key="exp_run").disabled
    # A job on that data that reaches the runner anyway (continued after the link changed)
    # fails with the same sentence, nothing trained.
    from anomagram.ui.experiments.job import SweepJob

    job = SweepJob("latent", [1, 2], 1, TINY.replace(dataset="ucr:Nope"))
    job.start()
    at.session_state["exp_job"] = job
    at.run()
    at.button(key="exp_continue").click().run()
    assert not at.exception
    assert at.session_state["exp_job"].status == "failed"
    assert "There is no UCR dataset called 'Nope'" in _texts(at, "error")
    assert not at.session_state["exp_records"]


def test_a_csv_dataset_not_uploaded_in_this_session_runs_nothing():
    at = _app(dataset="csv:mine.csv")
    errors = _texts(at, "error")
    assert "mine.csv is a file of yours" in errors and "Upload it again" in errors
    assert at.button(key="exp_run").disabled


def test_a_csv_uploaded_in_this_session_is_swept(tmp_path):
    from anomagram.ui.common.datasets import UPLOAD_KEY, Upload

    data = sources.load(Spec(dataset="ucr:ECG200"))
    rows = [f"{y}," + ",".join(f"{v:.4f}" for v in x) for x, y in zip(data.x, data.y, strict=True)]
    raw = ("\n".join(rows) + "\n").encode()
    upload = Upload("beats.csv", sources.csv_key("beats.csv"), raw, sources.fingerprint(raw))
    at = _app(
        spec=TINY.replace(dataset="csv:beats.csv"),
        session={UPLOAD_KEY: upload},
        param="latent",
        values="1,2",
        seeds="1",
        dataset="csv:beats.csv",
    )
    assert "**beats.csv** (200 windows of 96 samples)" in _texts(at, "markdown")
    at.button(key="exp_run").click().run()
    assert not at.exception and not at.error
    assert [r.value for r in at.session_state["exp_records"]] == [1, 2]
    at.multiselect(key="exp_references").set_value(["iforest"]).run()
    assert not at.exception and not at.warning


def test_training_sizes_past_a_small_dataset_say_so():
    at = _app(dataset="ucr:ECG200", param="train_size", values="500,1000", seeds="1")
    notes = _texts(at, "info")
    assert "not the 500 asked for" in notes and "not the 1,000 asked for" in notes
    assert "all train on" in notes and "runs are identical" in notes
    at.button(key="exp_run").click().run()
    assert not at.exception and not at.error
    records = at.session_state["exp_records"]
    assert records[0].auc == records[1].auc  # the same split and seed: the same run
    assert "runs are identical" in _texts(at, "info")  # said with the results too


def test_a_bad_dataset_in_a_link_keeps_the_data_and_says_why():
    at = _app(dataset="ucr:ECG200<script>", param="latent", values="1,2")
    warning = _texts(at, "warning")
    assert "its data settings could not be used" in warning
    assert "so the data stays ECG5000" in warning
    assert at.session_state["spec"].dataset == "ecg5000"
    assert not at.button(key="exp_run").disabled


def test_an_experiment_link_without_a_dataset_is_about_ecg5000():
    at = _app(spec=TINY.replace(dataset="ucr:ECG200"), param="latent", values="1,2")
    assert at.session_state["spec"].dataset == "ecg5000"
    # Without a link the session's data stays.
    at = _app(spec=TINY.replace(dataset="ucr:ECG200"))
    assert at.session_state["spec"].dataset == "ucr:ECG200"
    assert "**ECG200**" in _texts(at, "markdown")


# --- the helpers ---------------------------------------------------------------------------------


def test_data_links_round_trip_and_leave_the_length_out():
    spec = Spec(dataset="ucr:ECG200", normal_class="-1", length=96)
    query = logic.data_query(spec)
    assert query == {"dataset": "ucr:ECG200", "normal_class": "-1"}
    linked, problems = logic.data_from_query(query, Spec())
    assert not problems and linked.data_key == spec.data_key
    assert logic.data_from_query({}, spec) == (None, [])
    assert logic.data_from_query({"param": "latent"}, spec)[0].dataset == "ecg5000"
    kept, problems = logic.data_from_query({"dataset": "nope"}, spec)
    assert kept is None and "so the data stays ECG200" in problems[0]


def test_split_notes_only_for_data_that_changes_the_split():
    ecg200 = sources.load(Spec(dataset="ucr:ECG200"))
    base = sources.for_data(TINY, ecg200)
    assert logic.split_notes(base, "abnormal_pct", [0.0, 50.0], ecg200) == []
    notes = logic.split_notes(base, "train_size", [100, 500, 1000], ecg200)
    assert notes[0] == (
        "Training set size 500: Training on 100 beats (100 normal), all that ECG200 has "
        "beside the test set, not the 500 asked for."
    )
    assert notes[1].startswith("Training set size 1000: Training on 100 beats")
    assert notes[2].startswith("The values 100, 500, 1000 all train on 100 and test on 50 beats")
    from anomagram.data import load_ecg5000

    assert logic.split_notes(TINY, "train_size", [100, 500], load_ecg5000()) == []


def test_hostile_data_in_a_link_is_explained_not_rendered():
    from hostile.corpus import MARKUP, ODD, is_marked, unsafe_markdown

    cases = [
        *[{"dataset": v} for v in (*MARKUP[:4], *ODD[:4], "ucr:" + "A" * 64, "csv:" + "x" * 80)],
        *[{"dataset": "ucr:ECG200", "normal_class": v} for v in (*MARKUP[:2], "7", "-1")],
        {"dataset": "ucr:ECG200", "window": "100", "stride": "50"},
        {"dataset": "csv:a.csv", "window": "1e400", "stride": "0"},
    ]
    for query in cases:
        at = _app(**query)
        texts = [str(e.value) for k in ("error", "warning", "info", "markdown") for e in at.get(k)]
        for text in texts:
            if is_marked(text):
                assert not unsafe_markdown(text), (query, text[:300])
        assert all(len(t) <= 2000 for t in texts), query
        assert at.button(key="exp_run") is not None
        assert isinstance(at.session_state["spec"], Spec)
