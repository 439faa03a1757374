"""AppTest of the Train page on other data: a UCR dataset by name, a CSV of windows (labelled or
not), a long recording, links that name data, and data that cannot be used."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from common import recording_csv
from streamlit.testing.v1 import AppTest
from train_page import PAGE, click_train, go_button, no_exception

from anomagram import budget, sources
from anomagram.spec import Spec
from anomagram.ui.common import datasets, detector_fits
from anomagram.ui.train import data_panel, data_state, model_pool
from anomagram.ui.train.chart_grid import NO_ROC

SMALL = Spec(train_size=500, test_size=100, batch_size=128, epochs=10)
ECG200_NAMES = ["Normal", "Myocardial infarction"]


# --- data ---------------------------------------------------------------------------------------


def windows_csv(labels: bool = True, seed: int = 0, rare: int = 0) -> bytes:
    """200 sine windows of 64 samples, every fourth with a spike: "spiky" (or none without
    labels). ``rare`` more rows get a third label, "rare"."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, 64)
    lines = ["label," + ",".join(f"v{i}" for i in range(64))] if labels else []
    for i in range(200 + rare):
        x = np.sin(t + rng.normal(0, 0.1)) + rng.normal(0, 0.05, 64)
        label = "rare" if i >= 200 else "spiky" if i % 4 == 0 else "normal"
        if label != "normal":
            x[rng.integers(5, 59)] += 3
        values = ",".join(f"{v:.4f}" for v in x)
        lines.append(f"{label},{values}" if labels else values)
    return ("\n".join(lines) + "\n").encode()


# --- page helpers -------------------------------------------------------------------------------


def new_app(spec: Spec | None = SMALL, **query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if spec is not None:
        at.session_state["spec"] = spec
    at.session_state["train_speed"] = "fast"
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    no_exception(at)
    return at


def url(at: AppTest) -> dict:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def spec_of(at: AppTest) -> Spec:
    return at.session_state["spec"]


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key=data_panel.FILE_W).set_value((name, data, "text/csv")).run()
    no_exception(at)
    return at


def charts(at: AppTest) -> dict[str, tuple[dict, list]]:
    """Every chart on the page by its title (or description): its spec and data tables."""
    import pyarrow as pa

    out = {}
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        title = spec.get("title", {})
        text = title.get("text", "") if isinstance(title, dict) else str(title)
        text = " ".join(text) if isinstance(text, list) else text
        tables = [
            pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in element.proto.datasets
        ]
        out[text or spec.get("description", "")] = (spec, tables)
    return out


def chart(at: AppTest, start: str) -> tuple[dict, list]:
    found = [v for k, v in charts(at).items() if k.startswith(start)]
    assert found, (start, list(charts(at)))
    return found[0]


def status(at: AppTest) -> str:
    return " ".join(p.proto.text for p in at.get("progress"))


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def network_path(at: AppTest) -> str:
    (diagram,) = [
        json.loads(c.proto.spec)
        for c in at.get("vega_lite_chart")
        if str(json.loads(c.proto.spec).get("description", "")).startswith("Autoencoder")
    ]
    return diagram["description"]


@pytest.fixture(scope="module", autouse=True)
def warm_up_done():
    yield
    # Every new length is a new architecture, compiled in the background while the page is
    # idle: let the last one finish before the interpreter exits (XLA would abort it).
    assert model_pool.pool().wait_idle(180)


@pytest.fixture(scope="module")
def ecg200():
    """A page session that picked ECG200 in the data panel and trained on it (shared)."""
    at = new_app()
    at.segmented_control(key=data_panel.SOURCE_W).set_value("ucr").run()
    no_exception(at)
    return click_train(at)


# --- a UCR dataset by name ----------------------------------------------------------------------


def test_picking_ecg200_fits_the_spec_the_url_and_the_network_to_it(ecg200):
    # What picking it did, before training (the fixture trained afterwards).
    at = new_app()
    at.segmented_control(key=data_panel.SOURCE_W).set_value("ucr").run()
    no_exception(at)
    spec = spec_of(at)
    assert spec == SMALL.replace(dataset="ucr:ECG200", length=96)
    assert url(at) == {**SMALL.to_query_params(), "dataset": "ucr:ECG200"}
    assert at.selectbox(key=data_panel.UCR_W).value == "ECG200"
    normal = at.selectbox(key=data_panel.NORMAL_W)
    assert normal.value == 1 and normal.options == [
        "Normal (1) · 133",
        "Myocardial infarction (-1) · 67",
    ]
    assert network_path(at) == "Autoencoder architecture: 96 → 7 → 3 → 2 → 3 → 7 → 96"
    text = captions(at)
    assert "**ECG200**: 200 beats · 96 samples per row · 2 classes" in text
    # The split is smaller than asked: the page says so, and the preview shows both classes.
    assert "small data: testing on 50 (not 100) and training on 100 (not 500)" in text
    _, (preview,) = chart(at, "3 beats of each class of ECG200")
    assert sorted(set(preview["class"])) == sorted(ECG200_NAMES)
    assert preview.groupby("class")["row"].nunique().to_dict() == {n: 3 for n in ECG200_NAMES}


def test_ecg200_trains_and_is_evaluated_with_its_class_names(ecg200):
    at = ecg200
    trainer = at.session_state["trainer"]
    assert trainer.prepared.dataset.name == "ECG200" and trainer.spec.length == 96
    assert trainer.epochs_done == SMALL.epochs
    auc = {m.label: m.value for m in at.metric}["AUC"]
    assert 0.5 < float(auc) <= 1.0
    assert f"AUC {auc}" in status(at)
    _, (rates,) = chart(at, "Which beats get flagged, by class")
    assert list(rates["class"]) == ECG200_NAMES
    # ECG200's own mix in a test set of 50: 17 of its 67 abnormal beats, 33 normal ones.
    assert re.fullmatch(r"\d+\.\d % false alarms \(of 33\)", rates["label"].iloc[0])
    assert re.fullmatch(r"\d+\.\d % caught \(of 17\)", rates["label"].iloc[1])
    spec, (points,) = chart(at, "Bottleneck (latent) space")
    assert set(points["class"]) == set(ECG200_NAMES)
    assert spec["encoding"]["color"]["scale"]["domain"] == ECG200_NAMES
    # The leaderboard fits its detectors on the same ECG200 split.
    assert any(t.startswith("Leaderboard") for t in charts(at))
    assert url(at)["dataset"] == "ucr:ECG200" and "length" not in url(at)


def test_a_link_opens_with_the_dataset_it_names_and_never_takes_a_length():
    at = new_app(None, dataset="ucr:ECG200", length="50")
    assert spec_of(at) == Spec(dataset="ucr:ECG200", length=96)
    assert at.segmented_control(key=data_panel.SOURCE_W).value == "ucr"
    assert at.selectbox(key=data_panel.UCR_W).value == "ECG200"
    assert url(at) == {"dataset": "ucr:ECG200"}  # the length is dropped from the link
    assert not errors(at)


def test_another_normal_class_goes_to_the_spec_and_the_link():
    at = new_app(None, dataset="ucr:ECG200")
    at.selectbox(key=data_panel.NORMAL_W).select(-1).run()
    no_exception(at)
    assert spec_of(at).normal_class == "-1"
    assert url(at) == {"dataset": "ucr:ECG200", "normal_class": "-1"}
    assert "Myocardial infarction (normal)" not in captions(at)  # (the popover says it)
    # Back to its own normal class: the default, so the link drops it again.
    at.selectbox(key=data_panel.NORMAL_W).select(1).run()
    assert spec_of(at).normal_class == "" and url(at) == {"dataset": "ucr:ECG200"}


def test_an_unknown_dataset_in_a_link_is_reported_and_ecg5000_stays():
    at = new_app(None, dataset="ucr:NoSuchSet")
    (error,) = errors(at)
    assert "keeps training on **ECG5000**" in error and "no UCR dataset called" in error
    assert "NoSuchSet" in error
    assert spec_of(at) == Spec() and url(at) == {}
    at.session_state["spec"] = SMALL  # (faster: the page works on ECG5000 as before)
    at.run()
    click_train(at)
    assert at.session_state["trainer"].prepared.dataset.name == "ECG5000"
    assert "AUC" in {m.label for m in at.metric}


def test_a_bad_link_keeps_the_data_and_the_model_in_use(ecg200):
    at = ecg200
    trainer = at.session_state["trainer"]
    at.query_params["dataset"] = "ucr:NoSuchSet"
    at.run()
    no_exception(at)
    assert any("keeps training on **ECG200**" in e for e in errors(at))
    assert spec_of(at).dataset == "ucr:ECG200" and url(at)["dataset"] == "ucr:ECG200"
    assert at.session_state["trainer"] is trainer
    assert go_button(at).label == f"▶ Train {SMALL.epochs} more epochs"  # not stale
    # A normal class the data lacks is refused the same way.
    at.query_params["normal_class"] = "7"
    at.run()
    assert any("has no class \\'7\\'" in e for e in errors(at)), errors(at)
    assert spec_of(at).normal_class == ""


# --- links to a file ----------------------------------------------------------------------------


def test_a_link_to_a_csv_asks_for_the_file_and_reads_it_with_the_links_settings():
    at = new_app(None, dataset="csv:rec.csv", window="100", stride="50")
    (note,) = [i.value for i in at.info if "never a file's data" in i.value]
    assert "**rec\\.csv**" in note and "Until then the page uses **ECG5000**" in note
    assert spec_of(at) == Spec() and url(at) == {}
    assert at.segmented_control(key=data_panel.SOURCE_W).value == "csv"
    assert at.radio(key=data_panel.LAYOUT_W).value == "recording"
    assert at.number_input(key=data_panel.WINDOW_W).value == 100
    upload(at, "rec.csv", recording_csv())
    spec = spec_of(at)
    assert (spec.dataset, spec.window, spec.stride, spec.length) == ("csv:rec.csv", 100, 50, 100)
    assert url(at) == {"dataset": "csv:rec.csv", "window": "100", "stride": "50"}
    assert not [i for i in at.info if "never a file's data" in i.value]
    assert "rec\\.csv**: 119 windows · 100 samples per row · 2 classes" in captions(at)


def test_a_link_with_stride_0_is_refused_as_a_whole():
    at = new_app(None, dataset="csv:rec.csv", window="100", stride="0")
    assert any("stride must be at least 1" in w.value for w in at.warning)
    assert spec_of(at) == Spec()


# --- uploads ------------------------------------------------------------------------------------


def test_a_csv_of_windows_trains_with_its_own_labels():
    at = new_app()
    at.segmented_control(key=data_panel.SOURCE_W).set_value("csv").run()
    assert spec_of(at).dataset == "ecg5000"  # nothing uploaded yet: nothing changes
    assert "Upload a CSV to train on it" in captions(at)
    # The uploader's own limit is ours: the browser refuses a larger file in the same words.
    uploader = at.file_uploader(key=data_panel.FILE_W)
    assert uploader.proto.max_upload_size_mb * 1_000_000 == sources.MAX_BYTES
    upload(at, "windows.csv", windows_csv())
    spec = spec_of(at)
    assert (spec.dataset, spec.length, spec.window) == ("csv:windows.csv", 64, 0)
    assert at.selectbox(key=data_panel.NORMAL_W).options == ["normal · 150", "spiky · 50"]
    click_train(at)
    trainer = at.session_state["trainer"]
    assert trainer.prepared.dataset.key == "csv:windows.csv"
    assert "AUC" in {m.label for m in at.metric}
    _, (rates,) = chart(at, "Which windows get flagged, by class")
    assert list(rates["class"]) == ["normal", "spiky"]
    assert at.session_state[datasets.UPLOAD_KEY].file_name == "windows.csv"


def test_an_unlabelled_csv_has_no_auc_and_says_why():
    at = new_app(SMALL.replace(epochs=5))
    at.segmented_control(key=data_panel.SOURCE_W).set_value("csv").run()
    upload(at, "plain.csv", windows_csv(labels=False))
    assert at.selectbox(key=data_panel.NORMAL_W).disabled
    click_train(at)
    trainer = at.session_state["trainer"]
    assert not trainer.prepared.labelled
    assert not {m.label for m in at.metric} & {"AUC", "Accuracy"}
    assert "AUC" not in status(at)
    text = captions(at)
    assert "No row of plain\\.csv is labelled abnormal, so there is no AUC or ROC curve" in text
    assert "neither the autoencoder nor the classic detectors have an AUC" in text
    assert any(i.value == NO_ROC for i in at.info)
    titles = list(charts(at))
    assert not [
        t for t in titles if t.startswith(("ROC curve", "Leaderboard", "Which", "Confusion"))
    ]
    # The threshold comes from the training errors, and the flags are listed.
    strategy = at.selectbox(key="train_strategy_w")
    assert strategy.options == [
        "Mean + k·std of training errors (no labels)",
        "Percentile of training errors (no labels)",
        "Manual (slider)",
    ]
    assert strategy.value == "percentile"
    assert at.session_state["threshold"] == pytest.approx(trainer.threshold("percentile"))
    flagged = int(np.sum(trainer.last_report.test_errors > at.session_state["threshold"]))
    assert f"**{flagged} of 50** test windows flagged" in text
    (table,) = at.dataframe
    assert list(table.value.columns) == ["test row", "reconstruction error", "flagged"]


def test_a_bad_csv_keeps_the_earlier_data_and_model_and_shows_its_text_as_text(ecg200):
    at = ecg200
    trainer = at.session_state["trainer"]
    at.segmented_control(key=data_panel.SOURCE_W).set_value("csv").run()
    assert spec_of(at).dataset == "ucr:ECG200"  # until a file is uploaded
    bad = b"1,2,3,4,5\n1,2,![t](http://evil/t.png),4,5\n"
    upload(at, "bad.csv", bad)
    (error,) = errors(at)
    assert "keeps training on **ECG200**" in error
    assert "\\!\\[t\\]\\(http\\:\\/\\/evil\\/t\\.png\\)" in error and "![t](" not in error
    assert spec_of(at).dataset == "ucr:ECG200" and url(at)["dataset"] == "ucr:ECG200"
    assert datasets.UPLOAD_KEY not in at.session_state  # a file that cannot be used is not kept
    assert at.session_state["trainer"] is trainer
    assert go_button(at).label == f"▶ Train {SMALL.epochs} more epochs"


def test_refused_settings_keep_the_data_in_use():
    at = new_app()
    at.segmented_control(key=data_panel.SOURCE_W).set_value("csv").run()
    # A normal class with fewer than 20 rows.
    upload(at, "three.csv", windows_csv(rare=12))
    before = spec_of(at)
    normal = at.selectbox(key=data_panel.NORMAL_W)
    assert normal.options == ["normal · 150", "spiky · 50", "rare · 12"]
    normal.set_value(1).run()  # "rare": text labels are numbered in sorted order
    assert any("at least 20 are needed" in e for e in errors(at)), errors(at)
    assert spec_of(at) == before
    # A recording with a window longer than itself, then one that fits.
    at.radio(key=data_panel.LAYOUT_W).set_value("recording").run()
    assert any("header names no value column" in e for e in errors(at))  # not a recording
    assert spec_of(at) == before
    upload(at, "rec.csv", recording_csv())
    assert spec_of(at).window == data_panel.DEFAULT_WINDOW and not errors(at)
    recording = spec_of(at)
    at.number_input(key=data_panel.WINDOW_W).set_value(7000).run()
    assert any("fewer than one window of 7000" in e for e in errors(at))
    assert spec_of(at) == recording
    # The refused value stays in its box, beside the message, until it is changed.
    assert at.number_input(key=data_panel.WINDOW_W).value == 7000
    at.number_input(key=data_panel.WINDOW_W).set_value(200).run()
    assert spec_of(at) == recording.replace(window=200, length=200) and not errors(at)
    at.number_input(key=data_panel.STRIDE_W).set_value(25).run()
    assert spec_of(at).stride == 25 and not errors(at)
    at.toggle(key=data_panel.NORMALISE_W).set_value(True).run()
    assert spec_of(at).normalise == "window"
    assert url(at)["normalise"] == "window" and url(at)["stride"] == "25"


def test_the_same_file_name_with_other_contents_is_other_data():
    at = new_app(SMALL.replace(epochs=3))
    at.segmented_control(key=data_panel.SOURCE_W).set_value("csv").run()
    upload(at, "w.csv", windows_csv(seed=0))
    click_train(at)
    trainer = at.session_state["trainer"]
    token, trained_on = at.session_state[data_state.TRAINER_DATA_KEY]
    assert token == trainer.token
    assert trained_on == (*spec_of(at).data_key, at.session_state[datasets.UPLOAD_KEY].fingerprint)
    upload(at, "w.csv", windows_csv(seed=1))
    shown = (*spec_of(at).data_key, at.session_state[datasets.UPLOAD_KEY].fingerprint)
    assert shown[:-1] == trained_on[:-1] and shown[-1] != trained_on[-1]  # same name, other bytes
    assert any("Settings changed since this model was trained" in m.value for m in at.markdown)
    assert detector_fits.fit_key(spec_of(at), "pca", shown) != detector_fits.fit_key(
        spec_of(at), "pca", trained_on
    )
    click_train(at)  # Train rebuilds on the file shown
    assert at.session_state["trainer"] is not trainer
    assert at.session_state["trainer"].epochs_done == 3
    assert at.session_state[data_state.TRAINER_DATA_KEY][1] == shown


def test_switching_data_marks_the_model_stale_and_train_uses_the_data_shown(ecg200):
    at = ecg200
    at.segmented_control(key=data_panel.SOURCE_W).set_value("ecg5000").run()
    no_exception(at)
    assert spec_of(at) == SMALL
    assert any("Settings changed since this model was trained" in m.value for m in at.markdown)
    assert at.session_state["trainer"].prepared.dataset.name == "ECG200"  # kept until Train
    click_train(at)
    assert at.session_state["trainer"].prepared.dataset.name == "ECG5000"


# --- the work budget ----------------------------------------------------------------------------


def test_the_budget_counts_the_rows_a_small_dataset_really_gives():
    costly = Spec(hidden=(64, 32), latent=8, batch_size=1, epochs=300, train_size=2500)
    ecg200 = sources.load(Spec(dataset="ucr:ECG200"))
    sized = sources.sized_for(sources.for_data(costly, ecg200), ecg200)
    assert (sized.train_size, sized.test_size) == (100, 50)
    assert budget.check_run(costly) is not None and budget.check_run(sized) is None
    assert go_button(new_app(costly)).disabled  # ECG5000 has the rows: over the limit
    at = new_app(costly, dataset="ucr:ECG200", **costly.to_query_params())
    assert spec_of(at).dataset == "ucr:ECG200"
    assert not go_button(at).disabled


def test_a_preset_keeps_the_data_picked():
    at = new_app(None, dataset="ucr:ECG200")
    at.segmented_control(key="train_preset_w").set_value("strong").run()
    no_exception(at)
    spec = spec_of(at)
    assert (spec.dataset, spec.length) == ("ucr:ECG200", 96)
    assert at.segmented_control(key="train_preset_w").value == "strong"
    assert url(at)["dataset"] == "ucr:ECG200"
