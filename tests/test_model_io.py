"""Models in and out, as the Score page does it (bytes in, bytes out), verdicts, and the CLI
agreeing with the page.

tests/test_model.py covers save_detector / load_detector on paths; tests/test_model_file.py the
broken and hostile files a user can upload.
"""

import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from anomagram.cli import main
from anomagram.model import (
    ABNORMAL,
    MAX_MODEL_BYTES,
    NORMAL,
    UNSCORED,
    Detector,
    save_detector,
    verdicts,
)
from anomagram.numbers import NumberError
from anomagram.ui.score import logic
from anomagram.upload import parse_beats, scores_csv

# --- round trips -------------------------------------------------------------------------------


def test_pretrained_export_import_gives_identical_scores(ecg, pretrained, pretrained_bytes):
    loaded = logic.load_uploaded_model("pretrained.keras", pretrained_bytes)
    beats = ecg.test_pool_x
    np.testing.assert_array_equal(pretrained.score(beats)[0], loaded.score(beats)[0])
    assert loaded.threshold == pretrained.threshold
    assert loaded.spec == pretrained.spec and loaded.scaler == pretrained.scaler
    assert loaded.info == pretrained.info
    assert len(pretrained_bytes) < MAX_MODEL_BYTES


def test_trained_model_export_import_gives_identical_scores(small_trainer):
    detector = small_trainer.detector(0.0123, {"threshold_strategy": "chosen on the Train page"})
    loaded = logic.load_uploaded_model("my model.keras", logic.detector_bytes(detector))
    raw = small_trainer.prepared.split.test_x
    errors, verdicts = detector.score(raw)
    loaded_errors, loaded_verdicts = loaded.score(raw)
    np.testing.assert_array_equal(errors, loaded_errors)
    np.testing.assert_array_equal(verdicts, loaded_verdicts)
    assert loaded.spec == small_trainer.spec and loaded.info["epochs"] == 3


def test_exported_file_can_be_exported_again(pretrained_bytes):
    again = logic.detector_bytes(logic.load_uploaded_model("a.keras", pretrained_bytes))
    with zipfile.ZipFile(io.BytesIO(again)) as zf:
        assert {"config.json", "model.weights.h5", "anomagram.json"} <= set(zf.namelist())


@pytest.mark.parametrize(
    "name, expected",
    [
        ("model.keras", "model.keras"),
        ("../../etc/passwd", "passwd.keras"),
        ("my model (1).keras", "my_model_1_.keras"),
        ("", "model.keras"),
        ("...", "model.keras"),
    ],
)
def test_upload_names_are_made_safe(name, expected):
    assert logic.safe_file_name(name) == expected


# --- verdicts: a beat that cannot be scored is never "normal" -------------------------------------


def test_non_finite_errors_are_unscored_not_normal():
    errors = np.array([0.01, 0.5, np.nan, np.inf, 0.2])
    assert list(verdicts(errors, 0.1)) == [NORMAL, ABNORMAL, UNSCORED, UNSCORED, ABNORMAL]


@pytest.mark.parametrize(
    "threshold, message",
    [
        (float("nan"), "must be a finite number"),
        ("inf", "must be a finite number"),
        (-1, "must be 0 or more"),
    ],
)
def test_non_finite_or_negative_threshold_is_refused(pretrained, threshold, message):
    beats = np.zeros((2, 140), np.float32)
    with pytest.raises(NumberError, match=message):
        pretrained.score(beats, threshold)
    with pytest.raises(NumberError, match=message):
        Detector(pretrained.model, pretrained.scaler, threshold, pretrained.spec)


def test_beats_that_overflow_are_unscored_in_the_score_and_the_csv(pretrained):
    beats = np.zeros((3, 140), np.float32)
    beats[1] = 1e25  # scaled fine, but its squared error overflows float32 to inf
    errors, said = pretrained.score(beats)
    assert not np.isfinite(errors[1]) and np.isfinite(errors[[0, 2]]).all()
    assert said[1] == UNSCORED and set(said[[0, 2]]) <= {NORMAL, ABNORMAL}
    csv = scores_csv([1, 2, 3], errors, errors > pretrained.threshold)  # a bool says "normal"...
    rows = list(pd.read_csv(io.StringIO(csv), keep_default_na=False).itertuples(index=False))
    assert rows[1].verdict == UNSCORED and rows[1].error == ""  # ...the CSV does not


def test_no_beats_score_to_nothing(pretrained):
    errors, said = pretrained.score(np.zeros((0, 140), np.float32))
    assert errors.shape == (0,) and said.shape == (0,)


# --- the CLI and the page agree -------------------------------------------------------------------


def _page_scores(detector, text: str, threshold: float | None = None) -> pd.DataFrame:
    """What the Score page offers for download, computed with the page's own helpers."""
    parsed = parse_beats(text, label_column="auto", z_normalise=True)
    scored = logic.score(detector, parsed)
    csv = logic.scores_csv_text(scored, scored.model_threshold if threshold is None else threshold)
    return pd.read_csv(io.StringIO(csv))


def _cli_scores(csv_path, model_path, out, *extra) -> pd.DataFrame:
    assert (
        main(["score", str(csv_path), "--model", str(model_path), "--out", str(out), *extra]) == 0
    )
    return pd.read_csv(out)


def _assert_same(page: pd.DataFrame, cli: pd.DataFrame) -> None:
    assert list(page["line"]) == list(cli["line"])
    np.testing.assert_array_equal(page["error"].to_numpy(), cli["error"].to_numpy())
    assert list(page["verdict"]) == list(cli["verdict"])
    assert list(page["label"].fillna(0)) == list(cli["label"].fillna(0))


@pytest.mark.parametrize("which", ["pretrained", "trained"])
def test_cli_score_agrees_with_the_page(ecg, pretrained, small_trainer, tmp_path, which, capsys):
    text = logic.example_csv(ecg)
    csv_path = tmp_path / "beats.csv"
    csv_path.write_text(text)
    if which == "pretrained":
        detector = pretrained
    else:
        detector = small_trainer.detector(small_trainer.threshold("best_accuracy"))
    model_path = save_detector(detector, tmp_path / "model.keras")
    # The page scores with the model it loaded from the same file a user would upload.
    uploaded = logic.load_uploaded_model("model.keras", model_path.read_bytes())

    page = _page_scores(uploaded, text)
    cli = _cli_scores(csv_path, model_path, tmp_path / "cli.csv")
    _assert_same(page, cli)
    assert len(page) == sum(logic.EXAMPLE_CLASSES.values())  # the broken row is left out...
    assert f"line {logic.EXAMPLE_BAD_LINE} could not be read" in capsys.readouterr().err  # ...said

    threshold = float(np.median(page["error"]))
    page_at = _page_scores(uploaded, text, threshold)
    cli_at = _cli_scores(csv_path, model_path, tmp_path / "cli2.csv", "--threshold", str(threshold))
    _assert_same(page_at, cli_at)
    assert (page_at["verdict"] == "abnormal").sum() == (page_at["error"] > threshold).sum()
