"""AppTest of the "Score your data" page (pages/score.py), run on its own."""

import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from anomagram.model import MAX_MODEL_BYTES
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


def _shown(markdown: str) -> str:
    """Markdown as the reader sees it: user text on the page is backslash-escaped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(markdown))


def _text(at) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error")
        for e in at.get(kind)
    ]
    return "\n".join(_shown(p) for p in parts)


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
    assert any("cannot be used" in e.value and "evil.keras" in _shown(e.value) for e in at.error)
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


# --- files over the size limit, and user text shown as text ----------------------------------


def _over_limit(limit: int) -> bytes:
    line = ",".join(["0.123"] * 140) + "\n"
    return line.encode() * (limit // len(line) + 100)


def test_oversized_csv_gets_a_message_and_earlier_results_stay_labelled(beats):
    from anomagram.upload import MAX_BYTES

    at = _app()
    uploader = at.file_uploader(key="score_file")
    # The widget states our limit (the browser refuses a larger file itself, see
    # tests/e2e); a request that skips the browser meets our own check, below.
    assert uploader.proto.max_upload_size_mb * 1_000_000 == MAX_BYTES
    uploader.set_value(("mine.csv", "\n".join(beats).encode(), "text/csv"))
    at.run()
    assert _metric(at, "Beats scored") == "6"

    big = _over_limit(MAX_BYTES)
    at.file_uploader(key="score_file").set_value(("big.csv", big, "text/csv"))
    at.run()
    assert not at.exception
    [error] = at.error
    mb = f"{len(big) / 1e6:.1f}"
    assert _shown(error.value) == (
        f"big.csv is {mb} MB, over the 5 MB limit; split it into smaller files and score them "
        "one at a time. The results below are still those of mine.csv."
    )
    # The earlier results, named as such, and the page below them still works.
    assert "Using **mine.csv**, uploaded earlier." in _text(at)
    assert "Read **6** beats from mine.csv" in _text(at)
    assert at.session_state["score_upload"]["name"] == "mine.csv"  # big.csv was never copied
    at.slider(key="score_threshold").set_value(0.0).run()
    assert not at.exception and _metric(at, "Flagged abnormal") == "6"

    # Taking the big file out of the uploader takes its message away, not the earlier file.
    at.file_uploader(key="score_file").set_value(None)
    at.run()
    assert not at.error and _metric(at, "Beats scored") == "6"
    assert "Using **mine.csv**, uploaded earlier." in _text(at)


def test_oversized_csv_as_first_upload_leaves_the_page_usable():
    from anomagram.upload import MAX_BYTES

    at = _app()
    at.file_uploader(key="score_file").set_value(("huge.csv", _over_limit(MAX_BYTES), "text/csv"))
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "over the 5 MB limit" in at.error[0].value
    assert "still those of" not in at.error[0].value
    assert "score_upload" not in at.session_state
    assert any("the scores appear here" in i.value for i in at.info)
    at.button(key="score_try_example").click().run()
    assert not at.exception
    assert _metric(at, "Beats scored") == str(sum(logic.EXAMPLE_CLASSES.values()))


def test_oversized_model_upload_gets_a_message():
    at = _app()
    at.segmented_control(key="score_source").set_value(EXAMPLE).run()
    at.radio(key="score_model_choice").set_value("upload").run()
    uploader = at.file_uploader(key="score_model_file")
    huge = b"PK\x03\x04" + bytes(MAX_MODEL_BYTES + 400_000)
    # The widget states our limit; a request that skips the browser meets our own check.
    assert uploader.proto.max_upload_size_mb * 1_000_000 == MAX_MODEL_BYTES
    uploader.set_value(("huge.keras", huge, "application/zip"))
    at.run()
    assert not at.exception
    assert [_shown(e.value) for e in at.error] == [
        f"huge.keras is {len(huge) / 1e6:.1f} MB; model files up to 16 MB are accepted."
    ]
    assert "score_model_upload" not in at.session_state
    assert any("Choose a model" in i.value for i in at.info)


# An unescaped "](" would make a link or, after "!", an image the browser fetches.
_LINK = re.compile(r"(?<!\\)\]\(")
EVIL = "[x](http://127.0.0.1:1/login) ![t](http://127.0.0.1:1/t.png)"


def _markdown_sources(at) -> list[str]:
    kinds = ("markdown", "caption", "info", "warning", "error", "success")
    sources = [str(e.value) for kind in kinds for e in at.get(kind)]
    return sources + [m.proto.help for m in at.metric]


def test_file_names_and_cells_are_shown_as_text(beats, tmp_path):
    at = _app()
    # A label cell that is a link, under a "label" header: quoted in the "label outside 1-5" note.
    header = "label," + ",".join(f"t{i}" for i in range(140))
    rows = [header, *beats, beats[0].replace("1,", EVIL.replace(",", " ") + ",", 1)]
    at.file_uploader(key="score_file").set_value(
        (f"{EVIL}.csv", "\n".join(rows).encode(), "text/csv")
    )
    at.run()
    assert not at.exception and _metric(at, "Beats scored") == "7"
    sources = _markdown_sources(at)
    assert any(EVIL in _shown(s) for s in sources)  # the name is there, as text
    assert not [s for s in sources if _LINK.search(s)]

    # A model file whose name and info are links.
    from anomagram.pretrained import load_pretrained

    detector = load_pretrained()
    detector.info = {**detector.info, "threshold_strategy": EVIL, "epochs": EVIL}
    data = logic.detector_bytes(detector)
    at.radio(key="score_model_choice").set_value("upload").run()
    at.file_uploader(key="score_model_file").set_value((f"{EVIL}.keras", data, "application/zip"))
    at.run()
    assert not at.exception
    sources = _markdown_sources(at)
    assert any(f"**{EVIL}.keras**" in _shown(s) for s in sources)
    assert not [s for s in sources if _LINK.search(s)]

    # A file that cannot be read at all quotes the cell in its error.
    bad = f"{EVIL},0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0\n".encode() * 2
    at.file_uploader(key="score_file").set_value(("bad.csv", bad, "text/csv"))
    at.run()
    assert len(at.error) == 1 and "is not a number" in at.error[0].value
    assert not _LINK.search(at.error[0].value)


def test_beats_the_model_cannot_score_are_listed_not_called_normal(beats):
    """A beat whose reconstruction error overflows to infinity has no verdict: it is listed as
    "could not be scored" and left out of the counts, the table and the accuracy."""
    overflow = "1," + ",".join(["1e25"] * 140)  # squared, its scaled error overflows float32
    at = _app()
    at.toggle(key="score_znorm").set_value(False)
    content = "\n".join([*beats, overflow]).encode()
    at.file_uploader(key="score_file").set_value(("overflow.csv", content, "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert any(
        "1 beat could not be scored (line 7)" in w.value and "accuracy" in w.value
        for w in at.warning
    )
    assert _metric(at, "Beats scored") == "6" and _metric(at, "Rows not scored") == "1"
    table = at.dataframe[-1].value
    assert 7 not in list(table["Line"]) and len(table) == 6
    assert "(6 labelled beats)" in _text(at)
    assert at.session_state["score_scored"]["unscored"] == (7,)

    # Only beats it cannot score: an error, and the page below stays usable.
    at.file_uploader(key="score_file").set_value(("all.csv", overflow.encode(), "text/csv"))
    at.run()
    assert not at.exception
    assert any("None of the beats could be scored" in e.value for e in at.error)
    assert any("1 beat could not be scored (line 1)" in w.value for w in at.warning)
