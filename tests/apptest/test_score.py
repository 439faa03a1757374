"""AppTest of the "Score your data" page (pages/score.py), run on its own."""

import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from anomagram.ui.common.tiles import (
    DEFAULT_TILES,
    SHARE_TILES,
    TILE_LABELS,
    tile_delta,
    tile_value,
)
from anomagram.ui.score import logic

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "score.py")
UPLOAD, PASTE, EXAMPLE = "📤 Upload a CSV", "📋 Paste values", "🧪 Example file"


@pytest.fixture(scope="module")
def beats(ecg):
    """Six labelled ECG5000 test beats, label first, as a user's CSV."""
    rows = []
    for c in (1, 1, 1, 2, 3, 4):
        i = int(np.flatnonzero(ecg.test_pool_y == c)[len(rows)])
        rows.append(f"{c}," + ",".join(f"{v:.4f}" for v in ecg.test_pool_x[i]))
    return rows


def _app() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception
    return at


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _text(at) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error")
        for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_first_visit_explains_what_to_do():
    at = _app()
    assert any("the scores appear here" in i.value for i in at.info)
    assert at.file_uploader(key="score_file") is not None
    assert not at.error


def test_example_file_is_scored_with_labels_and_its_bad_row_listed():
    at = _app()
    at.segmented_control(key="score_source").set_value(EXAMPLE).run()
    assert not at.exception and not at.error
    n = sum(logic.EXAMPLE_CLASSES.values())
    assert _metric(at, "Beats scored") == str(n)
    assert _metric(at, "Rows not scored") == "1"
    assert any("1 row was not scored" in w.value for w in at.warning)
    rejected = at.dataframe[0].value
    assert list(rejected["Line"]) == [logic.EXAMPLE_BAD_LINE]
    assert "not a number" in rejected.iloc[0, 1]
    # Labels were found, so the label metrics are shown.
    assert {"Accuracy", "Precision", "Recall", "AUC"} <= {m.label for m in at.metric}
    table = at.dataframe[1].value
    assert len(table) == n and {"Line", "Error", "Verdict", "Label"} <= set(table.columns)
    assert len(at.get("vega_lite_chart")) == 3  # histogram, per class, beat


def test_good_csv_upload_gives_scores_table_and_summary(beats):
    at = _app()
    content = ("\n".join(beats) + "\n").encode()
    at.file_uploader(key="score_file").set_value(("mine.csv", content, "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert "Read **6** beats from mine.csv" in _text(at)
    assert _metric(at, "Beats scored") == "6" and _metric(at, "Rows not scored") == "0"
    table = at.dataframe[0].value
    assert list(table["Line"]) == [1, 2, 3, 4, 5, 6]
    assert list(table["Label"]) == ["Normal"] * 3 + ["R-on-T PVC", "PVC", "SVPB / ectopic"]
    flagged = int(_metric(at, "Flagged abnormal"))
    assert flagged == int((table["Verdict"] == "🔴 abnormal").sum())
    # The upload survives later reruns.
    at.run()
    assert _metric(at, "Beats scored") == "6"


def test_bad_rows_are_listed_and_good_rows_still_scored(beats):
    at = _app()
    bad = [
        beats[0],
        "1," + ",".join(["0.5"] * 70) + ",oops," + ",".join(["0.5"] * 69),  # line 2: text
        beats[1],
        "1,0.1,0.2,0.3",  # line 4: too short
        beats[2],
    ]
    at.file_uploader(key="score_file").set_value(("bad.csv", "\n".join(bad).encode(), "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert _metric(at, "Beats scored") == "3" and _metric(at, "Rows not scored") == "2"
    assert any("2 rows were not scored" in w.value for w in at.warning)
    rejected = at.dataframe[0].value
    assert list(rejected["Line"]) == [2, 4]
    assert all(isinstance(r, str) and r for r in rejected.iloc[:, 1])


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG image"),
        (b"a,b,c\n", "header"),
        (b"x,y\nhello,world\nfoo,bar\n", "separate"),
        (b"0,1,2,a,4,5,6,7,8,9,10,11\n0,1,2,b,4,5,6,7,8,9,10,11\n", "None of the 2 rows"),
    ],
)
def test_unusable_file_gives_a_clear_error(content, message):
    at = _app()
    at.file_uploader(key="score_file").set_value(("bad.csv", content, "text/csv"))
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    assert not [m for m in at.metric if m.label == "Beats scored"]


def test_pasted_values_without_labels(ecg):
    at = _app()
    at.segmented_control(key="score_source").set_value(PASTE).run()
    text = "\n".join(" ".join(f"{v:.3f}" for v in beat) for beat in ecg.test_pool_x[:4])
    at.text_area(key="score_paste").input(text).run()
    assert not at.exception and not at.error
    assert _metric(at, "Beats scored") == "4"
    assert "no label column" in _text(at)
    assert "Accuracy" not in {m.label for m in at.metric}
    assert "Label" not in at.dataframe[0].value.columns


def test_threshold_slider_relabels_without_rescoring():
    at = _app()
    at.segmented_control(key="score_source").set_value(EXAMPLE).run()
    scored = at.session_state["score_scored"]["scored"]
    before = int(_metric(at, "Flagged abnormal"))
    at.slider(key="score_threshold").set_value(0.0).run()
    assert int(_metric(at, "Flagged abnormal")) == scored.n > before
    assert at.session_state["score_scored"]["scored"] is scored  # not scored again
    at.button(key="score_reset_threshold").click().run()
    assert at.slider(key="score_threshold").value == pytest.approx(scored.model_threshold)
    assert int(_metric(at, "Flagged abnormal")) == before


def test_tiles_use_the_apps_one_order_and_format():
    """Shares read "96.6 %" (deltas in points), AUC "0.978", in the order of every page."""
    at = _app()
    at.segmented_control(key="score_source").set_value(EXAMPLE).run()
    tiles = [m for m in at.metric if m.label in set(TILE_LABELS.values()) | {"F1"}]
    assert [m.label for m in tiles] == [
        TILE_LABELS[k] if k != "fbeta" else "F1" for k in DEFAULT_TILES
    ]
    for m in tiles:
        if m.label == "AUC":
            assert re.fullmatch(r"[01]\.\d{3}", m.value), m.value
        else:
            assert re.fullmatch(r"\d{1,3}\.\d %", m.value), (m.label, m.value)
    # Flagging every beat: recall goes up, and the deltas say by how many points.
    at.slider(key="score_threshold").set_value(0.0).run()
    deltas = {m.label: m.proto.delta for m in at.metric if m.label in {"Recall", "Accuracy"}}
    assert all(re.fullmatch(r"[+-]\d+\.\d pts", d) for d in deltas.values() if d), deltas
    assert any(deltas.values())
    flagged = next(m for m in at.metric if m.label == "Flagged abnormal")
    assert flagged.proto.delta == "100.0 % of the beats"


def test_tile_formats():
    assert tile_value("recall", 0.9662) == "96.6 %" and tile_value("auc", 0.97812) == "0.978"
    assert tile_value("fpr", None) == "n/a"
    assert tile_delta("accuracy", 0.0123) == "+1.2 pts"
    assert tile_delta("fnr", -0.004) == "-0.4 pts"
    assert tile_delta("precision", 0.0004) is None  # rounds to "+0.0 pts": not shown
    assert tile_delta("auc", 0.0123) == "+0.012" and tile_delta("auc", 0.0001) is None
    assert set(DEFAULT_TILES) - {"auc"} | {"f1"} == SHARE_TILES


def test_label_column_choice_and_znorm_switch(beats):
    at = _app()
    at.file_uploader(key="score_file").set_value(("m.csv", "\n".join(beats).encode(), "text/csv"))
    at.run()
    at.selectbox(key="score_label_choice").set_value(logic.LABEL_NONE).run()
    assert "Accuracy" not in {m.label for m in at.metric}
    assert _metric(at, "Beats scored") == "6"
    at.selectbox(key="score_label_choice").set_value(logic.LABEL_NUMBER).run()
    at.number_input(key="score_label_number").set_value(1).run()
    assert "labels from column 1" in _text(at) and "Accuracy" in {m.label for m in at.metric}
    # Raw millivolts 100x too big without z-normalisation: the page says so.
    big = "\n".join(",".join(f"{float(v) * 100:.2f}" for v in row.split(",")[1:]) for row in beats)
    at.file_uploader(key="score_file").set_value(("big.csv", big.encode(), "text/csv"))
    at.selectbox(key="score_label_choice").set_value(logic.LABEL_NONE)
    at.toggle(key="score_znorm").set_value(False).run()
    assert any("far outside the range" in w.value for w in at.warning)


def test_bad_model_upload_is_refused_and_good_one_used(tmp_path):
    at = _app()
    at.segmented_control(key="score_source").set_value(EXAMPLE).run()
    at.radio(key="score_model_choice").set_value("upload").run()
    assert any("Upload a model exported" in i.value for i in at.info)
    at.file_uploader(key="score_model_file").set_value(
        ("evil.keras", b"PK\x03\x04 not really a zip", "application/octet-stream")
    )
    at.run()
    assert not at.exception
    assert any("cannot be used" in e.value and "evil.keras" in e.value for e in at.error)
    assert any("Choose a model" in i.value for i in at.info)

    from anomagram.pretrained import load_pretrained

    data = logic.detector_bytes(load_pretrained())
    at.file_uploader(key="score_model_file").set_value(("mine.keras", data, "application/zip"))
    at.run()
    assert not at.exception and not at.error
    assert "**mine.keras**: 140 → 7 → 3 → 2" in _text(at)
    assert _metric(at, "Beats scored") == str(sum(logic.EXAMPLE_CLASSES.values()))


def test_session_model_is_offered_only_after_training(small_trainer):
    at = _app()
    at.segmented_control(key="score_source").set_value(EXAMPLE).run()
    at.radio(key="score_model_choice").set_value("session").run()
    assert any("No model has been trained" in i.value for i in at.info)
    assert not [m for m in at.metric if m.label == "Beats scored"]

    at.session_state["trainer"] = small_trainer
    at.run()
    assert not at.exception and not at.error
    assert "**Model trained in this session**" in _text(at)
    assert "trained 3 epochs" in _text(at)
