"""Models in and out, as the Score page does it (bytes in, bytes out), and the CLI agreeing.

tests/test_model.py covers save_detector / load_detector on paths; these tests go through the
page's helpers and add the hostile or broken files a user can upload.
"""

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from anomagram.backend import keras_module
from anomagram.cli import main
from anomagram.data import MinMaxScaler
from anomagram.model import MAX_MODEL_BYTES, ModelFileError, save_detector
from anomagram.pretrained import load_pretrained
from anomagram.spec import Spec
from anomagram.ui.score import logic
from anomagram.upload import parse_beats


@pytest.fixture(scope="module")
def pretrained():
    return load_pretrained()


@pytest.fixture(scope="module")
def pretrained_bytes(pretrained):
    return logic.detector_bytes(pretrained)


def _metadata(**changes) -> dict:
    meta = {
        "format": "anomagram",
        "format_version": 1,
        "scaler": MinMaxScaler(-5.0, 2.0).to_dict(),
        "threshold": 0.01,
        "spec": Spec().to_dict(),
    }
    meta.update(changes)
    return meta


def _with_metadata(model, meta: dict, tmp_path) -> bytes:
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("anomagram.json", json.dumps(meta))
    return path.read_bytes()


def _rewrite(data: bytes, replace: dict[str, bytes] | None = None, add=None) -> bytes:
    """A copy of a zip with some entries replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, (replace or {}).get(name, src.read(name)))
        for name, content, compress in add or ():
            dst.writestr(name, content, compress_type=compress)
    return out.getvalue()


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


# --- refused files -------------------------------------------------------------------------------


def test_refuses_lambda_layer_upload(tmp_path):
    keras = keras_module()
    inp = keras.Input((140,))
    model = keras.Model(inp, keras.layers.Lambda(lambda x: x * 2)(inp))
    data = _with_metadata(model, _metadata(), tmp_path)
    with pytest.raises(ModelFileError, match="could not be loaded safely"):
        logic.load_uploaded_model("lambda.keras", data)


def test_refuses_renamed_zip_that_is_not_a_model():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("beats.csv", "1,2,3\n")
    with pytest.raises(ModelFileError, match="zip archive but not a Keras model"):
        logic.load_uploaded_model("beats.keras", out.getvalue())


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"definitely not a model", "not a zip archive"),
        (bytes(range(256)) * 40, "not a zip archive"),
    ],
)
def test_refuses_junk(data, message):
    with pytest.raises(ModelFileError, match=message):
        logic.load_uploaded_model("junk.keras", data)


def test_refuses_truncated_file(pretrained_bytes):
    for cut in (len(pretrained_bytes) // 2, len(pretrained_bytes) - 10):
        with pytest.raises(ModelFileError, match="junk.keras"):
            logic.load_uploaded_model("junk.keras", pretrained_bytes[:cut])


def test_refuses_oversize_before_loading_it(pretrained_bytes):
    padding = np.random.default_rng(0).bytes(MAX_MODEL_BYTES)  # incompressible
    big = _rewrite(pretrained_bytes, add=[("padding.bin", padding, zipfile.ZIP_STORED)])
    assert len(big) > MAX_MODEL_BYTES
    with pytest.raises(ModelFileError, match="MB"):
        logic.load_uploaded_model("big.keras", big)


def test_refuses_decompression_bomb(pretrained_bytes):
    """Under the 5 MB upload limit, but it would unpack to 200 MB."""
    bomb = _rewrite(
        pretrained_bytes, add=[("padding.bin", b" " * 200_000_000, zipfile.ZIP_DEFLATED)]
    )
    assert len(bomb) < MAX_MODEL_BYTES
    with pytest.raises(ModelFileError, match="would unpack to 200 MB"):
        logic.load_uploaded_model("bomb.keras", bomb)


def test_refuses_unreadable_metadata(pretrained_bytes):
    bogus = b"{" + b" " * 1000 + b"not json"
    data = _rewrite(pretrained_bytes, replace={"anomagram.json": bogus})
    with pytest.raises(ModelFileError, match="damaged"):
        logic.load_uploaded_model("bad.keras", data)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"spec": {**Spec().to_dict(), "hidden": [0]}}, "metadata is invalid"),
        ({"threshold": "NaN"}, "metadata is invalid"),
        ({"format_version": 99}, "metadata is invalid"),
        ({"scaler": {"minimum": 1.0}}, "metadata is invalid"),
    ],
)
def test_refuses_bad_metadata(pretrained_bytes, changes, message):
    meta = _metadata(**changes)
    data = _rewrite(pretrained_bytes, replace={"anomagram.json": json.dumps(meta).encode()})
    with pytest.raises(ModelFileError, match=message):
        logic.load_uploaded_model("meta.keras", data)


def test_refuses_plain_keras_model(tmp_path):
    keras = keras_module()
    inp = keras.Input((140,))
    path = tmp_path / "plain.keras"
    keras.Model(inp, keras.layers.Dense(140)(inp)).save(path)
    with pytest.raises(ModelFileError, match="not saved by Anomagram"):
        logic.load_uploaded_model("plain.keras", path.read_bytes())


def test_refuses_wrong_input_shape_with_valid_metadata(tmp_path):
    """A 100 -> 100 autoencoder with encoder/decoder sub-models and valid metadata."""
    keras = keras_module()
    enc_in = keras.Input((100,))
    encoder = keras.Model(enc_in, keras.layers.Dense(2)(enc_in), name="encoder")
    dec_in = keras.Input((2,))
    decoder = keras.Model(dec_in, keras.layers.Dense(100)(dec_in), name="decoder")
    beats = keras.Input((100,))
    model = keras.Model(beats, decoder(encoder(beats)))
    data = _with_metadata(model, _metadata(), tmp_path)
    with pytest.raises(ModelFileError, match="a heartbeat model maps 140 to 140"):
        logic.load_uploaded_model("short.keras", data)


def test_refuses_model_without_submodels(tmp_path):
    keras = keras_module()
    inp = keras.Input((140,))
    model = keras.Model(inp, keras.layers.Dense(140)(keras.layers.Dense(2)(inp)))
    data = _with_metadata(model, _metadata(), tmp_path)
    with pytest.raises(ModelFileError, match="no encoder/decoder"):
        logic.load_uploaded_model("flat.keras", data)


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
    assert f"line {logic.EXAMPLE_BAD_LINE} not scored" in capsys.readouterr().err  # ...and said

    threshold = float(np.median(page["error"]))
    page_at = _page_scores(uploaded, text, threshold)
    cli_at = _cli_scores(csv_path, model_path, tmp_path / "cli2.csv", "--threshold", str(threshold))
    _assert_same(page_at, cli_at)
    assert (page_at["verdict"] == "abnormal").sum() == (page_at["error"] > threshold).sum()
