import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from anomagram.backend import keras_module
from anomagram.data import MinMaxScaler
from anomagram.model import (
    MAX_MODEL_BYTES,
    ModelFileError,
    build_autoencoder,
    glorot_uniform,
    load_detector,
    read_metadata,
    save_detector,
)
from anomagram.spec import OPTIMIZERS, REGULARIZERS, Spec
from anomagram.training import Trainer


@pytest.mark.parametrize(
    "hidden, latent", [((7, 3), 2), ((16,), 1), ((32, 16, 8), 5), ((4, 4, 4, 4, 4, 4), 3)]
)
def test_shapes_and_submodels(hidden, latent):
    model = build_autoencoder(Spec(hidden=hidden, latent=latent))
    enc, dec = model.get_layer("encoder"), model.get_layer("decoder")
    assert enc.output_shape == (None, latent) and dec.input_shape == (None, latent)
    assert model.output_shape == (None, 140)
    enc_units = [layer.units for layer in enc.layers[1:]]
    dec_units = [layer.units for layer in dec.layers[1:]]
    assert enc_units == [*hidden, latent]
    assert dec_units == [*hidden[::-1], 140]  # mirrored
    assert enc.layers[-1].activation.__name__ == "linear"
    assert dec.layers[-1].activation.__name__ == "sigmoid"


def test_same_seed_same_weights_other_seed_differs():
    a = build_autoencoder(Spec(seed=1)).get_weights()
    b = build_autoencoder(Spec(seed=1)).get_weights()
    c = build_autoencoder(Spec(seed=2)).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_kernels_are_seeded_glorot_uniform_and_biases_zero():
    spec = Spec(hidden=(16, 8), latent=3, seed=5)
    model = build_autoencoder(spec)
    dense = [w for w in model.weights if w.path.endswith("kernel")]
    assert len(dense) == 6  # 140->16->8->3 and back
    for i, kernel in enumerate(dense):
        shape = tuple(kernel.shape)
        expected = glorot_uniform(shape, spec.seed * 100 + i)
        assert np.array_equal(np.asarray(kernel.value), expected)
        limit = np.sqrt(6.0 / sum(shape))
        assert np.abs(expected).max() <= limit and np.abs(expected).max() > 0.8 * limit
    biases = [w for w in model.weights if w.path.endswith("bias")]
    assert all(not np.asarray(b.value).any() for b in biases)
    # The saved configuration stays plain Keras: no custom initialiser to register on load.
    assert "anomagram" not in json.dumps(model.get_config())


def test_regularizer_on_hidden_layers_only():
    model = build_autoencoder(Spec(regularizer="l2", regularizer_rate=0.01))
    enc = model.get_layer("encoder")
    assert enc.get_layer("encoder_1").kernel_regularizer is not None
    assert enc.get_layer("z").kernel_regularizer is None


def test_backend_is_jax():
    assert keras_module().backend.backend() == "jax"


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_trains_an_epoch(ecg, optimizer):
    t = Trainer.create(Spec(optimizer=optimizer, train_size=200, test_size=50, epochs=1), ecg)
    assert t.train().status == "completed" and np.isfinite(t.loss[0])


@pytest.mark.parametrize("regularizer", REGULARIZERS)
def test_every_regularizer_trains_an_epoch(ecg, regularizer):
    spec = Spec(regularizer=regularizer, train_size=200, test_size=50, epochs=1)
    t = Trainer.create(spec, ecg)
    assert t.train().status == "completed" and np.isfinite(t.loss[0])


def test_save_load_round_trip_reproduces_scores(small_trainer, tmp_path):
    det = small_trainer.detector(0.0123, {"threshold_strategy": "best_accuracy"})
    path = save_detector(det, tmp_path / "m.keras")
    loaded = load_detector(path)
    raw = small_trainer.prepared.split.test_x
    np.testing.assert_array_equal(det.score(raw)[0], loaded.score(raw)[0])
    assert loaded.threshold == 0.0123 and loaded.spec == small_trainer.spec
    assert loaded.scaler == small_trainer.prepared.scaler
    assert loaded.info["threshold_strategy"] == "best_accuracy"
    assert path.stat().st_size < 200_000


def test_refuses_non_zip_and_foreign_zip(tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(ModelFileError, match="not a .keras model file"):
        load_detector(junk)
    other = tmp_path / "other.keras"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ModelFileError, match="not a Keras model"):
        load_detector(other)


def test_refuses_plain_keras_model_without_metadata(tmp_path):
    path = tmp_path / "plain.keras"
    build_autoencoder(Spec()).save(path)
    with pytest.raises(ModelFileError, match="not saved by Anomagram"):
        load_detector(path)


def test_refuses_lambda_layer(tmp_path):
    keras = keras_module()
    inp = keras.Input((140,))
    out = keras.layers.Lambda(lambda x: x * 2)(inp)
    model = keras.Model(inp, out)
    path = tmp_path / "lambda.keras"
    model.save(path)
    meta = {
        "format": "anomagram",
        "format_version": 1,
        "scaler": MinMaxScaler(0, 1).to_dict(),
        "threshold": 0.1,
        "spec": Spec().to_dict(),
    }
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("anomagram.json", json.dumps(meta))
    with pytest.raises(ModelFileError, match="could not be loaded safely"):
        load_detector(path)


def test_refuses_bad_metadata_and_oversize(small_trainer, tmp_path):
    path = save_detector(small_trainer.detector(0.1), tmp_path / "m.keras")
    bad = tmp_path / "bad.keras"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bad, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "anomagram.json":
                meta = json.loads(data)
                meta["threshold"] = "NaN"
                data = json.dumps(meta)
            dst.writestr(name, data)
    with pytest.raises(ModelFileError, match="metadata is invalid"):
        read_metadata(bad)
    big = tmp_path / "big.keras"
    big.write_bytes(b"0" * (MAX_MODEL_BYTES + 1))
    with pytest.raises(ModelFileError, match="MB"):
        read_metadata(big)


def test_another_backend_fails_loudly(monkeypatch):
    keras = keras_module()
    monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    with pytest.raises(RuntimeError, match="JAX backend"):
        keras_module()


def test_refuses_zip_bombs(small_trainer, tmp_path):
    path = save_detector(small_trainer.detector(0.1), tmp_path / "m.keras")
    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("padding.bin", b"\0" * 60_000_000)  # compresses to a few dozen kB
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(ModelFileError, match="unpack to"):
        read_metadata(bomb)


@pytest.mark.parametrize(
    "module", ["anomagram.model", "anomagram.inference", "anomagram.training", "anomagram.upload"]
)
def test_core_modules_import_alone_without_keras(module):
    """Each imports first in a fresh interpreter (no import cycle) and leaves Keras unloaded."""
    code = (
        f"import sys, {module}; "
        "bad = [m for m in ('keras', 'jax', 'sklearn', 'streamlit') if m in sys.modules]; "
        "sys.exit('imported: ' + ', '.join(bad) if bad else 0)"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, result.stderr


def test_inference_does_not_depend_on_the_model_module():
    import anomagram.inference

    tree = ast.parse(Path(anomagram.inference.__file__).read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    imported |= {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not imported & {"anomagram.model", "anomagram.training"}
