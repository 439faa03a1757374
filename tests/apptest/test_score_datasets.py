"""AppTest of the Score page with models of other datasets and lengths (issue 15)."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from anomagram import sources
from anomagram.spec import Spec
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
    table = at.dataframe[-1].value
    assert set(table["Label"]) == {"Normal", "Abnormal (class not given)", "Class 2"}
    per_class = at.dataframe[0].value  # the per-class table, beside the histogram
    assert list(per_class["Class"]) == ["Normal", "Class 2"]
    assert "R-on-T PVC" not in _text(at) and "R-on-T PVC" not in per_class.to_string()
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
    assert "5 normal and 7 abnormal ECG200 beats of 96 samples" in text
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
