"""Models in and out, as the Score page does it (bytes in, bytes out), verdicts, and the CLI
agreeing with the page.

tests/test_model.py covers save_detector / load_detector on paths; tests/test_model_file.py the
broken and hostile files a user can upload.
"""

import io
import json
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
from anomagram.spec import Spec
from anomagram.ui.score import logic, trained_on
from anomagram.upload import parse_beats, scores_csv
from anomagram.upload.labels import LabelClasses

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


# --- models of other datasets and lengths ---------------------------------------------------------


@pytest.fixture(scope="module")
def ecg200_detector(ecg200_trainer):
    """An ECG200 model (96 samples per beat) trained a few epochs, recording its dataset."""
    trainer = ecg200_trainer
    # Trainer.detector records the data it trained on: what --save and the page's export write.
    detector = trainer.detector(trainer.threshold("best_accuracy"), {"source": "test"})
    return detector, trainer.prepared.dataset


def test_ecg200_model_round_trip_keeps_its_length_and_dataset(ecg200_detector):
    detector, data = ecg200_detector
    assert detector.spec.length == 96 and detector.spec.dataset == "ucr:ECG200"
    loaded = logic.load_uploaded_model("ecg200.keras", logic.detector_bytes(detector))
    assert loaded.spec == detector.spec and loaded.threshold == detector.threshold
    np.testing.assert_array_equal(detector.score(data.x)[0], loaded.score(data.x)[0])
    assert loaded.dataset == {
        "name": "ECG200",
        "key": "ucr:ECG200",
        "length": 96,
        "native_length": 96,
        "rows": 200,
        "labelled": True,
        "normal_class": "1",
        "counts": {"-1": 67, "1": 133},
        "origin": data.origin,
        "class_names": {"-1": "Myocardial infarction", "1": "Normal"},
    }
    trained = trained_on.trained_on(loaded)
    assert (trained.name, trained.length, trained.normal_class) == ("ECG200", 96, "1")
    assert trained.class_name("-1") == "Myocardial infarction"


def test_ecg200_model_scores_csv_rows_of_its_own_length(ecg200_detector):
    detector, data = ecg200_detector
    rows = [f"normal,{','.join(f'{v:.5f}' for v in data.x[i])}" for i in range(4)]
    parsed = parse_beats("\n".join(rows), n=detector.spec.length)
    assert parsed.beats.shape == (4, 96) and not parsed.warnings
    scored = logic.score(detector, parsed)
    assert scored.scaled.shape == scored.recon.shape == (4, 96)
    # Classes are named in ECG200's words, never ECG5000's.
    assert scored.class_names[1] == "Normal" and scored.class_names[2] == "Class 2"
    assert "R-on-T" not in logic.scores_csv_text(scored, scored.model_threshold)


def test_ecg200_example_is_drawn_from_its_test_set(ecg200_detector):
    detector, data = ecg200_detector
    example = logic.dataset_example(data, detector.spec)
    assert (example.normal, example.abnormal, example.labelled) == (5, 7, True)
    classes = LabelClasses.of_model(detector.dataset)
    parsed = parse_beats(example.text, n=96, classes=classes)
    assert parsed.beats.shape == (12, 96) and [r.line for r in parsed.rejected] == [5]
    # Labelled with ECG200's own labels, read back as its two classes (normal is code 1).
    assert example.text.splitlines()[1].split(",")[0] in {"-1", "1"}
    assert sorted(set(parsed.labels)) == sorted(classes.codes)
    scores = scores_csv(
        parsed.lines,
        np.zeros(12),
        ["normal"] * 12,
        parsed.labels,
        label_texts=classes.texts_by_code(),
    )
    assert set(pd.read_csv(io.StringIO(scores))["label"]) == {-1, 1}  # the file's words


def test_a_length_500_model_round_trips(tmp_path):
    from anomagram.data import MinMaxScaler
    from anomagram.model import build_autoencoder, load_detector

    spec = Spec(dataset="ucr:FordA", length=500, hidden=(16, 4))
    detector = Detector(build_autoencoder(spec), MinMaxScaler(-3.0, 4.0), 0.02, spec, {})
    loaded = load_detector(save_detector(detector, tmp_path / "long.keras"))
    beats = np.random.default_rng(0).normal(size=(3, 500)).astype(np.float32)
    np.testing.assert_array_equal(detector.score(beats)[0], loaded.score(beats)[0])
    assert loaded.spec.length == 500 and loaded.dataset is None
    trained = trained_on.trained_on(loaded)
    assert (trained.name, trained.length, trained.known) == ("FordA", 500, False)


def test_an_old_file_without_dataset_fields_loads_as_an_ecg5000_model(pretrained_bytes):
    with zipfile.ZipFile(io.BytesIO(pretrained_bytes)) as zf:
        meta = json.loads(zf.read("anomagram.json"))
    new_fields = ("dataset", "normal_class", "window", "stride", "normalise", "length")
    meta["spec"] = {k: v for k, v in meta["spec"].items() if k not in new_fields}
    meta.pop("dataset", None)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(pretrained_bytes)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            entry = json.dumps(meta) if name == "anomagram.json" else src.read(name)
            dst.writestr(name, entry)
    loaded = logic.load_uploaded_model("old.keras", out.getvalue())
    assert loaded.spec.dataset == "ecg5000" and loaded.spec.length == 140
    assert loaded.dataset is None
    trained = trained_on.trained_on(loaded)
    assert trained.name == "ECG5000" and trained.is_ecg5000 and trained.class_name("2")
    assert trained_on.label_names(trained) == trained_on.LABEL_NAMES


@pytest.mark.parametrize("length", [140, 1024])
def test_the_largest_network_a_user_can_train_can_be_uploaded_again(length):
    """Every model the app can write is under the upload limit: a 5 MB cap once refused the
    exported files of allowed networks (256 units x 6 layers saved 9.3 MB)."""
    from anomagram.data import MinMaxScaler
    from anomagram.model import build_autoencoder
    from anomagram.spec import MAX_LATENT, MAX_LAYERS, MAX_UNITS

    spec = Spec(hidden=(MAX_UNITS,) * MAX_LAYERS, latent=MAX_LATENT, length=length)
    model = build_autoencoder(spec)
    model.optimizer.build(model.trainable_variables)  # its slots are saved, as after training
    detector = Detector(model, MinMaxScaler(0.0, 1.0), 0.1, spec)
    data = logic.detector_bytes(detector)
    assert len(data) > 4 * 3 * spec.weight_count  # the optimizer's two slots are in it
    assert len(data) < MAX_MODEL_BYTES
    loaded = logic.load_uploaded_model("big.keras", data)
    assert loaded.spec == spec


def test_the_servers_upload_cap_admits_every_file_the_pages_accept():
    """``server.maxUploadSize`` (MiB) is only the ceiling: no page limit may sit above it, and
    it is no larger than needed (every upload up to it is held in memory)."""
    import tomllib
    from pathlib import Path

    from anomagram import sources, upload

    config = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"
    cap = tomllib.loads(config.read_text())["server"]["maxUploadSize"] * 2**20
    largest = max(MAX_MODEL_BYTES, sources.MAX_BYTES, upload.MAX_BYTES)
    assert largest <= cap < largest + 2**20
