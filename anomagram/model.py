"""The autoencoder: built from a Spec, saved and loaded as one .keras file with what scoring needs.

Keras 3 runs on JAX here, imported on first use through ``keras_module`` (see
``anomagram.backend``), so pages that only show text and charts paint before it is loaded.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from anomagram.backend import keras_module
from anomagram.data import SEQ_LEN, MinMaxScaler
from anomagram.inference import DECODER, ENCODER, decoder_of, encoder_of, probe
from anomagram.spec import Spec

if TYPE_CHECKING:
    import keras

METADATA_ENTRY = "anomagram.json"
FORMAT_VERSION = 1
MAX_MODEL_BYTES = 5_000_000
MAX_UNPACKED_BYTES = 50_000_000


class ModelFileError(ValueError):
    """A model file cannot be used; the message says why in plain words."""


def make_optimizer(spec: Spec):
    keras = keras_module()
    opt, lr = spec.optimizer, spec.learning_rate
    if opt == "adam":
        # beta_1 = 0.5, not Keras's 0.9: the original Anomagram's Adam used 0.5, and keeping it
        # makes the same settings learn as they did there (its insights, e.g. "Adam converges
        # in fewer steps", are about this optimizer). 0.5 averages the gradient over about
        # two batches instead of ten, which suits the 1-5 batches an epoch has here.
        return keras.optimizers.Adam(learning_rate=lr, beta_1=0.5)
    if opt == "adamax":
        return keras.optimizers.Adamax(learning_rate=lr)
    if opt == "adadelta":
        return keras.optimizers.Adadelta(learning_rate=lr)
    if opt == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr)
    if opt == "momentum":
        return keras.optimizers.SGD(learning_rate=lr, momentum=0.9)
    if opt == "sgd":
        return keras.optimizers.SGD(learning_rate=lr)
    raise ValueError(f"Unknown optimizer {opt!r}.")


def _regularizer(spec: Spec):
    keras = keras_module()
    rate = spec.regularizer_rate
    return {
        "none": None,
        "l1": keras.regularizers.L1(rate),
        "l2": keras.regularizers.L2(rate),
        "l1l2": keras.regularizers.L1L2(l1=rate, l2=rate),
    }[spec.regularizer]


def glorot_uniform(shape: tuple[int, int], seed: int) -> np.ndarray:
    """Glorot/Xavier uniform weights, drawn with numpy from ``seed``.

    Keras's own ``GlorotUniform`` runs a jitted JAX random program that XLA compiles once per
    weight shape, up to a second each, before a new architecture can start training. numpy
    draws them in microseconds, identically on every platform.
    """
    fan_in, fan_out = shape
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return np.random.default_rng(seed).uniform(-limit, limit, size=shape).astype(np.float32)


def _dense(units: int, activation: str, name: str, regularizer=None):
    keras = keras_module()
    # The kernel starts at zeros and gets its seeded Glorot values from _draw_weights, so the
    # saved model stays plain Keras (no custom initialiser class to register when loading).
    return keras.layers.Dense(
        units,
        activation=activation,
        name=name,
        kernel_initializer="zeros",
        kernel_regularizer=regularizer,
    )


def build_autoencoder(spec: Spec) -> keras.Model:
    """A compiled autoencoder: sub-models ``encoder`` (SEQ_LEN -> hidden -> z) and ``decoder``."""
    keras = keras_module()
    reg = _regularizer(spec)
    enc_in = keras.Input((SEQ_LEN,), name="beat")
    x = enc_in
    for i, units in enumerate(spec.hidden, start=1):
        x = _dense(units, spec.activation, f"encoder_{i}", reg)(x)
    # A linear bottleneck, as in Anomagram: the latent coordinates are free to take any sign.
    z = _dense(spec.latent, None, "z")(x)
    encoder = keras.Model(enc_in, z, name=ENCODER)

    dec_in = keras.Input((spec.latent,), name="z_in")
    y = dec_in
    for i, units in enumerate(spec.hidden[::-1], start=1):
        y = _dense(units, spec.activation, f"decoder_{i}", reg)(y)
    out = _dense(SEQ_LEN, spec.output_activation, "reconstruction")(y)
    decoder = keras.Model(dec_in, out, name=DECODER)

    beats = keras.Input((SEQ_LEN,), name="input")
    model = keras.Model(beats, decoder(encoder(beats)), name="autoencoder")
    _draw_weights(model, spec.seed)
    model.compile(optimizer=make_optimizer(spec), loss="mean_squared_error")
    return model


def _draw_weights(model: keras.Model, seed: int) -> None:
    """Seeded Glorot kernels and zero biases for every Dense layer, in place."""
    # In build order (encoder input to bottleneck, then decoder to output; layers[0] is the
    # Input), so a layer's seed depends only on its position in the architecture.
    dense = [*encoder_of(model).layers[1:], *decoder_of(model).layers[1:]]
    # Seeds from the spec, one per layer, instead of keras.utils.set_random_seed: no global
    # state, so two sessions building models at once cannot disturb each other's runs.
    for i, d in enumerate(dense):
        d.kernel.assign(glorot_uniform(tuple(d.kernel.shape), seed * 100 + i))
        d.bias.assign(np.zeros(d.bias.shape, dtype=np.float32))


def reinitialize(model: keras.Model, spec: Spec) -> None:
    """Give a built model fresh seeded weights and optimizer state, in place.

    Sweeps run many seeds of one architecture; building a new model would pay XLA compilation
    (about a second) every run, while assigning new values keeps the compiled train step.
    """
    _draw_weights(model, spec.seed)
    # Every optimizer slot (moments, accumulators) and the iteration counter start at zero.
    for variable in model.optimizer.variables:
        variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
    model.optimizer.learning_rate.assign(spec.learning_rate)


# --- a model ready to score raw beats ----------------------------------------------------------


@dataclass
class Detector:
    """A trained autoencoder plus what turns raw beats into verdicts."""

    model: Any
    scaler: MinMaxScaler
    threshold: float
    spec: Spec
    info: dict = field(default_factory=dict)  # e.g. threshold strategy, AUC, epochs trained

    def reconstruct(self, raw_beats: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scaled input, scaled reconstruction and per-beat MSE for raw beats (n, SEQ_LEN)."""
        scaled = self.scaler.transform(np.atleast_2d(raw_beats))
        latent, recon, errors = probe(self.model, scaled)
        return scaled, recon, errors

    def score(self, raw_beats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-beat error and verdict (True = abnormal)."""
        _, _, errors = self.reconstruct(raw_beats)
        return errors, errors > self.threshold


# --- saving and loading ------------------------------------------------------------------------


def save_detector(detector: Detector, path: str | Path) -> Path:
    """Write one .keras file: the Keras model plus an ``anomagram.json`` entry in the zip."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError("Model files must end in .keras.")
    detector.model.save(path)
    meta = {
        "format": "anomagram",
        "format_version": FORMAT_VERSION,
        "scaler": detector.scaler.to_dict(),
        "threshold": float(detector.threshold),
        "spec": detector.spec.to_dict(),
        "info": detector.info,
    }
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(METADATA_ENTRY, json.dumps(meta, indent=1))
    return path


def read_metadata(path: str | Path) -> dict:
    """The anomagram metadata of a model file, validated, without loading Keras."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise ModelFileError(f"{path.name}: no such file.") from None
    if size > MAX_MODEL_BYTES:
        raise ModelFileError(
            f"{path.name} is {size / 1e6:.1f} MB; model files up to "
            f"{MAX_MODEL_BYTES / 1e6:.0f} MB are accepted."
        )
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path.name} is not a .keras model file (not a zip archive).")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if not {"config.json", "model.weights.h5"} <= names:
                raise ModelFileError(f"{path.name} is a zip archive but not a Keras model.")
            if METADATA_ENTRY not in names:
                raise ModelFileError(
                    f"{path.name} is a Keras model but was not saved by Anomagram "
                    "(it carries no scaler and threshold)."
                )
            # A small zip can unpack to gigabytes: refuse before Keras or json reads it.
            unpacked = sum(info.file_size for info in zf.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise ModelFileError(
                    f"{path.name} would unpack to {unpacked / 1e6:.0f} MB; "
                    f"model files up to {MAX_UNPACKED_BYTES / 1e6:.0f} MB unpacked are accepted."
                )
            if zf.getinfo(METADATA_ENTRY).file_size > 1_000_000:
                raise ModelFileError(f"{path.name}: its Anomagram metadata is too large.")
            meta = json.loads(zf.read(METADATA_ENTRY))
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError):
        raise ModelFileError(f"{path.name} is damaged and cannot be read.") from None
    try:
        if meta.get("format") != "anomagram" or meta.get("format_version") != FORMAT_VERSION:
            raise ValueError("unknown format version")
        meta["scaler"] = MinMaxScaler.from_dict(meta["scaler"])
        meta["spec"] = Spec.from_dict(meta["spec"])
        meta["threshold"] = float(meta["threshold"])
        if not np.isfinite(meta["threshold"]):
            raise ValueError("threshold is not finite")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ModelFileError(f"{path.name}: its Anomagram metadata is invalid ({exc}).") from None
    return meta


def load_detector(path: str | Path) -> Detector:
    """Load a model file safely: metadata checked first, Keras ``safe_mode``, shapes checked."""
    meta = read_metadata(path)
    keras = keras_module()
    name = Path(path).name
    try:
        model = keras.saving.load_model(path, safe_mode=True, compile=True)
    except Exception as exc:  # Keras raises many types for hostile or broken files
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ModelFileError(f"{name} could not be loaded safely: {reason}") from None
    try:
        encoder_of(model), decoder_of(model)
    except ValueError:
        raise ModelFileError(f"{name} has no encoder/decoder sub-models.") from None
    in_shape, out_shape = tuple(model.input_shape), tuple(model.output_shape)
    if in_shape[-1:] != (SEQ_LEN,) or out_shape[-1:] != (SEQ_LEN,):
        raise ModelFileError(
            f"{name} maps {in_shape[1:]} to {out_shape[1:]}; a heartbeat model maps "
            f"{SEQ_LEN} to {SEQ_LEN}."
        )
    return Detector(model, meta["scaler"], meta["threshold"], meta["spec"], meta.get("info", {}))
