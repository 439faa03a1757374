"""AppTest of the Score page with models of other datasets and lengths (issue 15)."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from anomagram import metrics, sources
from anomagram.spec import Spec
from anomagram.ui.common.tiles import tile_value
from anomagram.ui.score import logic

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "score.py")
EXAMPLE = "🧪 Example file"


@pytest.fixture(scope="module")
def ecg200(ecg200_trainer):
    """(trainer, the model as a file's bytes, the data) of a few epochs on ECG200."""
    trainer = ecg200_trainer
    detector = trainer.detector(trainer.threshold("best_accuracy"))
    return trainer, logic.detector_bytes(detector), trainer.prepared.dataset


def _text(at) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error")
        for e in at.get(kind)
    ]
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", "\n".join(str(p) for p in parts))


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _per_class_rows(at) -> list[str]:
    """The rows of the per-class chart, top to bottom (its y axis' order)."""
    charts = [c for c in at.get("vega_lite_chart") if "get flagged, by class" in c.proto.spec]
    assert len(charts) == 1, "one per-class chart"
    spec = json.loads(charts[0].proto.spec)
    return spec["layer"][0]["encoding"]["y"]["sort"]


def _csv(rows) -> bytes:
    """A CSV of (label, beat) rows: the label first, no header."""
    return "\n".join(f"{label}," + ",".join(f"{v:.4f}" for v in x) for label, x in rows).encode()


def _with_model(data: bytes) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    at.radio(key="score_model_choice").set_value("upload").run()
    at.file_uploader(key="score_model_file").set_value(("ecg200.keras", data, "application/zip"))
    at.run()
    assert not at.exception and not at.error
    return at


def test_a_96_sample_model_scores_96_sample_rows_and_says_ecg200(ecg200):
    trainer, data, ds = ecg200
    at = _with_model(data)
    text = _text(at)
    assert "**ecg200.keras**: 96 → 7 → 3 → 2 → 3 → 7 → 96" in text
    assert "Trained on **ECG200**: 96 samples per beat · 200 rows" in text
    # The rows it learnt from (what the split gave), not the spec's train_size.
    rows = len(trainer.prepared.split.train_y)
    assert f"trained 5 epochs on {rows:,} beats" in text
    assert "Normal (1), normal: 133" in text and "Myocardial infarction (-1): 67" in text

    rows = [
        ("normal" if ds.y[i] == ds.normal else "abnormal")
        + ","
        + ",".join(f"{v:.4f}" for v in ds.x[i])
        for i in range(8)
    ]
    rows.append("2," + ",".join(f"{v:.4f}" for v in ds.x[8]))  # an ECG5000 class id
    at.file_uploader(key="score_file").set_value(("mine.csv", "\n".join(rows).encode(), "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert _metric(at, "Beats scored") == "9"
    assert "Beats were resampled" not in _text(at)  # 96 values: what this model reads
    scored = at.session_state["score_scored"]["scored"]
    assert scored.scaled.shape == (9, 96)
    # The words work for every model; 2 is none of ECG200's labels: unknown, still scored.
    table = at.dataframe[-1].value
    assert set(table["Label"]) == {"Normal", "Abnormal (class not given)", "unknown"}
    assert "1 row has a label that is none of ECG200's classes" in _text(at)
    assert _per_class_rows(at) == ["Normal", "Myocardial infarction"]
    assert "R-on-T PVC" not in _text(at)
    # The beat chart draws the model's 96 samples.
    beat = at.get("vega_lite_chart")[-1]
    assert "Sample (of 96)" in beat.proto.spec


def test_rows_of_another_length_are_resampled_to_the_models(ecg200, ecg):
    _, data, _ = ecg200
    at = _with_model(data)
    rows = ["1," + ",".join(f"{v:.4f}" for v in ecg.test_pool_x[i]) for i in range(3)]
    at.file_uploader(key="score_file").set_value(("ecg.csv", "\n".join(rows).encode(), "text/csv"))
    at.run()
    assert not at.exception
    assert "Beats were resampled from 140 to 96 values" in _text(at)
    assert at.session_state["score_scored"]["scored"].scaled.shape == (3, 96)


def test_the_example_file_is_ecg200s_for_an_ecg200_model(ecg200):
    _, data, _ = ecg200
    at = _with_model(data)
    at.segmented_control(key="score_source").set_value(EXAMPLE).run()
    assert not at.exception and not at.error
    text = _text(at)
    assert "5 normal and 7 abnormal ECG200 beats of 96 samples, labelled as ECG200" in text
    assert "labels them (-1, 1) in the first column" in text
    assert "ECG5000 test beats" not in text
    assert _metric(at, "Beats scored") == "12" and _metric(at, "Rows not scored") == "1"
    assert at.session_state["score_scored"]["scored"].scaled.shape == (12, 96)


def test_the_znorm_switch_follows_the_model_and_then_the_user(ecg200):
    from anomagram.data import MinMaxScaler
    from anomagram.model import Detector, build_autoencoder

    # A model of a CSV of windows taken as they were: beats to score are not z-normalised.
    spec = Spec(dataset="csv:raw.csv", length=96)
    raw = Detector(build_autoencoder(spec), MinMaxScaler(-3.0, 4.0), 0.02, spec, {})
    at = _with_model(logic.detector_bytes(raw))
    assert at.toggle(key="score_znorm").value is False
    at.toggle(key="score_znorm").set_value(True).run()  # the user's choice stays...
    at.run()
    assert at.toggle(key="score_znorm").value is True
    at.toggle(key="score_znorm").set_value(False).run()
    at.radio(key="score_model_choice").set_value("pretrained").run()  # ...until the model changes
    assert at.toggle(key="score_znorm").value is True  # ECG5000 beats were z-normalised
    at.radio(key="score_model_choice").set_value("upload").run()
    assert at.toggle(key="score_znorm").value is False
    assert not at.exception


def test_no_ecg5000_example_for_a_model_whose_data_is_not_here(ecg200, tmp_path):
    # A model of a user's CSV that is not in this session: no example, and a sentence why.
    from anomagram.data import MinMaxScaler
    from anomagram.model import Detector, build_autoencoder

    spec = Spec(dataset="csv:mine.csv", length=96)
    detector = Detector(build_autoencoder(spec), MinMaxScaler(-3.0, 4.0), 0.02, spec, {})
    at = _with_model(logic.detector_bytes(detector))
    at.segmented_control(key="score_source").set_value(EXAMPLE).run()
    assert not at.exception and not at.error
    text = _text(at)
    assert "No example file for this model: it was trained on mine.csv" in text
    assert "not in this session" in text
    assert not [m for m in at.metric if m.label == "Beats scored"]


def test_the_sessions_ecg200_model_says_ecg200_and_scores_its_example(ecg200):
    trainer, _, _ = ecg200
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["trainer"] = trainer
    at.run()
    at.radio(key="score_model_choice").set_value("session").run()
    at.segmented_control(key="score_source").set_value(EXAMPLE).run()
    assert not at.exception and not at.error
    text = _text(at)
    assert "Trained on **ECG200**: 96 samples per beat" in text
    assert "ECG200 beats of 96 samples" in text
    assert at.session_state["score_scored"]["scored"].scaled.shape == (12, 96)


def test_a_hostile_dataset_block_is_shown_as_text(ecg200):
    from hostile.corpus import MARKUP, is_marked, unsafe_markdown

    from anomagram.data import MinMaxScaler
    from anomagram.model import Detector, build_autoencoder

    _, _, ds = ecg200
    spec = Spec(dataset="ucr:ECG200", length=96)
    block = {
        **sources.describe(ds),
        "name": MARKUP[0],
        "class_names": {"1": MARKUP[1], "-1": MARKUP[2]},
        "counts": {"1": 133, MARKUP[3][:60]: 67},
    }
    detector = Detector(build_autoencoder(spec), MinMaxScaler(-3.0, 4.0), 0.02, spec, {}, block)
    at = _with_model(logic.detector_bytes(detector))
    rows = ["normal," + ",".join(f"{v:.4f}" for v in ds.x[i]) for i in range(3)]
    at.file_uploader(key="score_file").set_value(("b.csv", "\n".join(rows).encode(), "text/csv"))
    at.run()
    assert not at.exception and not at.error
    texts = [str(e.value) for k in ("markdown", "caption", "info") for e in at.get(k)]
    assert is_marked(_text(at))  # the names are on the page, as the reader sees them...
    for text in texts:
        if is_marked(text):  # an address left unescaped must not be a link, image or HTML
            assert not unsafe_markdown(text), text[:300]
    table = at.dataframe[-1].value
    assert set(table["Label"]) == {MARKUP[1]}  # a cell is never markdown


def test_an_ecg200_file_labelled_minus_one_and_one_gets_accuracy_and_ecg200s_classes(ecg200):
    trainer, data, ds = ecg200
    split = trainer.prepared.split  # held-out test rows, as the data writes their labels
    rows = [(ds.label_text[int(y)], x) for x, y in zip(split.test_x, split.test_y, strict=True)]
    at = _with_model(data)
    # Step 2 says how labels are read for this model: ECG200's labels or class names.
    assert (
        "Labels in your file are read as ECG200's classes: 1 = Normal (the normal class), "
        "-1 = Myocardial infarction." in _text(at)
    )
    at.file_uploader(key="score_file").set_value(("ecg200.csv", _csv(rows), "text/csv"))
    at.run()
    assert not at.exception and not at.error and not at.warning
    assert "labels from column 1" in _text(at)  # found on its own, beside 96 values
    assert "a label that is none of" not in _text(at)  # every label was read
    n = len(rows)
    assert _metric(at, "Beats scored") == str(n)
    assert f"({n:,} labelled beats)" in _text(at)
    # Accuracy against the true labels: abnormal = every class but the model's normal one.
    scored = at.session_state["score_scored"]["scored"]
    truth = ds.is_abnormal(split.test_y)
    expected = metrics.metrics_at(truth, scored.errors, scored.model_threshold)
    assert _metric(at, "Accuracy") == tile_value("accuracy", expected.accuracy)
    assert _metric(at, "Recall") == tile_value("recall", expected.recall)
    assert _metric(at, "AUC") == tile_value("auc", metrics.auc(truth, scored.errors))
    # The shared per-class chart in ECG200's words, not ECG5000's and not a table.
    assert _per_class_rows(at) == ["Normal", "Myocardial infarction"]
    assert not [d for d in at.dataframe if "Flagged abnormal" in d.value.columns]
    table = at.dataframe[-1].value
    names = np.where(truth, "Myocardial infarction", "Normal")
    assert list(table["Label"]) == list(names)
    download = logic.scores_csv_text(scored, scored.model_threshold).splitlines()
    assert download[0] == "line,error,verdict,label,class"
    assert {line.rsplit(",", 1)[1] for line in download[1:]} == {"Normal", "Myocardial infarction"}
    assert "R-on-T PVC" not in _text(at)


def test_ecg200_labels_as_class_names_and_numbers_and_an_unknown_one(ecg200):
    _, data, ds = ecg200
    labels = ["1.0", "-1", "MYOCARDIAL INFARCTION", "normal", "abnormal", "2", "MI"]
    at = _with_model(data)
    rows = list(zip(labels, ds.x[: len(labels)], strict=True))
    # A header names the label column: a text that is no label ("MI") does not look like one.
    header = ("label," + ",".join(f"t{i}" for i in range(1, 97)) + "\n").encode()
    at.file_uploader(key="score_file").set_value(("mixed.csv", header + _csv(rows), "text/csv"))
    at.run()
    assert not at.exception and not at.error
    # Unknown labels are scored, without a label, and said so.
    assert _metric(at, "Beats scored") == "7"
    assert "2 rows have a label that is none of ECG200's classes" in _text(at)
    assert "('2', 'MI'); they are scored without a label" in _text(at)
    assert "(5 labelled beats)" in _text(at)
    assert "2 beats without a readable label are left out" in _text(at)
    table = at.dataframe[-1].value
    assert list(table["Label"]) == [
        "Normal",
        "Myocardial infarction",
        "Myocardial infarction",
        "Normal",
        "Abnormal (class not given)",
        "unknown",
        "unknown",
    ]
    assert list(table["Matches label"])[-2:] == ["", ""]
    assert _per_class_rows(at) == ["Normal", "Myocardial infarction"]


def test_an_ecg5000_model_reads_the_same_file_as_before(ecg200):
    # The pretrained model (ECG5000) keeps ECG5000's reading: -1 is no label, so the first
    # column of this file is a beat value, and no accuracy is shown.
    _, _, ds = ecg200
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    rows = [(ds.label_text[int(y)], x) for x, y in zip(ds.x[:6], ds.y[:6], strict=True)]
    at.file_uploader(key="score_file").set_value(("ecg200.csv", _csv(rows), "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert "no label column" in _text(at)
    assert "Accuracy" not in {m.label for m in at.metric}
    assert "Add a label column (1 = normal, 2-5 = abnormal classes" in _text(at)


def test_hostile_label_texts_and_class_names_are_read_and_shown_as_text(ecg200):
    from hostile.corpus import MARKUP, is_marked, unsafe_markdown

    from anomagram.data import MinMaxScaler
    from anomagram.model import Detector, build_autoencoder

    _, _, ds = ecg200
    spec = Spec(dataset="ucr:ECG200", length=96)
    normal, other, unknown = MARKUP[0], MARKUP[3], MARKUP[5]
    block = {
        **sources.describe(ds),
        "normal_class": normal,
        "counts": {normal: 133, other: 67},
        "class_names": {normal: MARKUP[1], other: MARKUP[4]},
    }
    detector = Detector(build_autoencoder(spec), MinMaxScaler(-3.0, 4.0), 0.02, spec, {}, block)
    at = _with_model(logic.detector_bytes(detector))
    labels = [normal, other, MARKUP[4], unknown]  # a label, a label, a class name, neither
    rows = list(zip(labels, ds.x[:4], strict=True))
    header = ("label," + ",".join(f"t{i}" for i in range(1, 97)) + "\n").encode()
    at.file_uploader(key="score_file").set_value(("h.csv", header + _csv(rows), "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert _metric(at, "Beats scored") == "4"
    texts = [str(e.value) for k in ("markdown", "caption", "info", "warning") for e in at.get(k)]
    assert is_marked(_text(at))  # the step-2 note and the unknown-label note quote them...
    for text in texts:
        if is_marked(text):  # ...never as a link, image or HTML
            assert not unsafe_markdown(text), text[:300]
    # Tables and charts show text as it is: the names, read from the labels and a name.
    table = at.dataframe[-1].value
    assert list(table["Label"]) == [MARKUP[1], MARKUP[4], MARKUP[4], "unknown"]
    assert _per_class_rows(at) == [MARKUP[1], MARKUP[4]]


def test_a_model_of_data_without_labels_reads_only_the_words(ecg200):
    from anomagram.data import MinMaxScaler
    from anomagram.model import Detector, build_autoencoder

    _, _, ds = ecg200
    spec = Spec(dataset="csv:rec.csv", length=96, window=96, stride=96)
    block = {
        "name": "rec.csv",
        "key": "csv:rec.csv",
        "length": 96,
        "labelled": False,
        "normal_class": "unlabelled",
        "counts": {"unlabelled": 300},
        "class_names": {"unlabelled": "Unlabelled"},
    }
    detector = Detector(build_autoencoder(spec), MinMaxScaler(-3.0, 4.0), 0.02, spec, {}, block)
    at = _with_model(logic.detector_bytes(detector))
    assert "rec.csv has no labels, so only the words *normal* and *abnormal*" in _text(at)
    # 0 / 1 is not read as ECG5000's 1 = normal, 0 = abnormal: this model knows no classes.
    labels = ["normal", "abnormal", "normal", "0", "1"]
    rows = list(zip(labels, ds.x[:5], strict=True))
    at.file_uploader(key="score_file").set_value(("w.csv", _csv(rows), "text/csv"))
    at.run()
    assert not at.exception and not at.error
    table = at.dataframe[-1].value
    assert (
        list(table["Label"]) == ["Normal", "Abnormal (class not given)", "Normal"] + ["unknown"] * 2
    )
    assert _per_class_rows(at) == ["Normal"]
