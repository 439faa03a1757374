"""The autoencoder: built from a Spec, saved and loaded as one .keras file with what scoring needs.

Keras 3 runs on JAX here, imported on first use through ``keras_module`` (see
``anomagram.backend``), so pages that only show text and charts paint before it is loaded.

A model file is anyone's upload, so loading trusts nothing in it: the network is rebuilt from
the Spec in its metadata (``expected_layers``), the file's ``config.json`` must describe exactly
that network and is never handed to Keras, and the weights file must be the size that network
implies before Keras reads a byte of it (see ``anomagram.model_file``).

The metadata also records what the model was trained on (``Detector.dataset``: the dict
``anomagram.sources.describe`` gives), so the Score page can say which data, length and classes
a file's model knows. Files saved before datasets existed have none, and load as ECG5000 models.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from anomagram import model_file
from anomagram.backend import keras_module
from anomagram.data import MinMaxScaler
from anomagram.inference import DECODER, ENCODER, decoder_of, encoder_of, probe
from anomagram.numbers import (
    JsonError,
    NumberError,
    finite_array,
    parse_float,
    parse_int,
    safe_json_loads,
    shown,
)
from anomagram.spec import MAX_LATENT, MAX_LAYERS, MAX_LENGTH, MAX_UNITS, Spec

if TYPE_CHECKING:
    import keras

METADATA_ENTRY = "anomagram.json"
CONFIG_ENTRY = "config.json"  # Keras's names for the network and its weights in a .keras zip
WEIGHTS_ENTRY = "model.weights.h5"
FORMAT_VERSION = 1
MAX_UNPACKED_BYTES = 50_000_000
MAX_JSON_BYTES = 1_000_000  # the metadata: a scaler, a threshold, a Spec and a few notes


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


# --- the network a Spec describes ----------------------------------------------------------------

INPUT_NAME = "input"  # the whole autoencoder's input layer; its two halves follow it


@dataclass(frozen=True)
class DenseLayer:
    name: str
    units: int
    activation: str  # Keras's name: "linear" for none
    regularized: bool  # hidden layers carry the Spec's regularizer; z and the output do not


@dataclass(frozen=True)
class Half:
    """The encoder or the decoder: an input of ``width`` numbers, then Dense ``layers``."""

    name: str
    input_name: str
    width: int
    layers: tuple[DenseLayer, ...]


def expected_layers(spec: Spec) -> tuple[Half, Half]:
    """Every layer of the autoencoder ``spec`` describes: what ``build_autoencoder`` builds and
    what a model file's ``config.json`` must declare, layer for layer."""
    act = spec.activation
    encoder = Half(
        ENCODER,
        "beat",
        spec.length,
        (
            *(DenseLayer(f"encoder_{i}", u, act, True) for i, u in enumerate(spec.hidden, 1)),
            # A linear bottleneck, as in Anomagram: latent coordinates may take any sign.
            DenseLayer("z", spec.latent, "linear", False),
        ),
    )
    mirrored = enumerate(spec.hidden[::-1], 1)
    decoder = Half(
        DECODER,
        "z_in",
        spec.latent,
        (
            *(DenseLayer(f"decoder_{i}", u, act, True) for i, u in mirrored),
            DenseLayer("reconstruction", spec.length, spec.output_activation, False),
        ),
    )
    return encoder, decoder


# The most weights any valid Spec describes: every layer and the bottleneck at their bounds.
MAX_WEIGHTS = Spec(
    hidden=(MAX_UNITS,) * MAX_LAYERS, latent=MAX_LATENT, length=MAX_LENGTH
).weight_count
# The largest model file the app can write, so that every model a user trained can be uploaded
# again: float32 weights with the optimizer's slots (14.7 MB for the largest network), plus 1 MB
# for HDF5's bytes, the config and the metadata, rounded up to whole MB (16 MB) for the
# uploader's label. A 5 MB cap refused the files of many allowed networks (256 units x 6
# layers at 140 samples saved 9.3 MB).
_LARGEST_FILE = 4 * MAX_WEIGHTS * (1 + model_file.OPTIMIZER_SLOTS) + 1_000_000
MAX_MODEL_BYTES = -(-_LARGEST_FILE // 1_000_000) * 1_000_000


def build_autoencoder(spec: Spec) -> keras.Model:
    """A compiled autoencoder: sub-models ``encoder`` (length -> hidden -> z) and ``decoder``."""
    keras = keras_module()
    reg = _regularizer(spec)
    halves = []
    for half in expected_layers(spec):
        inputs = keras.Input((half.width,), name=half.input_name)
        x = inputs
        for layer in half.layers:
            x = _dense(
                layer.units, layer.activation, layer.name, reg if layer.regularized else None
            )(x)
        halves.append(keras.Model(inputs, x, name=half.name))
    encoder, decoder = halves
    beats = keras.Input((spec.length,), name=INPUT_NAME)
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

ABNORMAL, NORMAL, UNSCORED = "abnormal", "normal", "could not be scored"


def check_threshold(value: object, what: str = "The threshold") -> float:
    """A threshold from a user, a link or a model file: a finite number, 0 or more.

    Errors are mean squared errors, never negative; NaN would flag nothing (every comparison
    with NaN is false) and infinity would flag nothing either, both silently.
    """
    threshold = parse_float(value, what)
    if threshold < 0:
        raise NumberError(f"{what} must be 0 or more, not {shown(value)}.")
    return threshold


def verdicts(errors: np.ndarray, threshold: float) -> np.ndarray:
    """Per beat, ``ABNORMAL`` when its error is above ``threshold``, else ``NORMAL``, and
    ``UNSCORED`` when the error is NaN or infinite: ``NaN > threshold`` is False, which would
    have read "normal" for a beat the model could not score at all."""
    errors = np.asarray(errors, np.float64)
    out = np.full(errors.shape, NORMAL, dtype=object)
    out[errors > check_threshold(threshold)] = ABNORMAL
    out[~np.isfinite(errors)] = UNSCORED
    return out


@dataclass
class Detector:
    """A trained autoencoder plus what turns raw beats into verdicts."""

    model: Any
    scaler: MinMaxScaler
    threshold: float
    spec: Spec
    info: dict = field(default_factory=dict)  # e.g. threshold strategy, AUC, epochs trained
    # What it was trained on, as ``sources.describe`` gives it (checked on load by
    # ``model_file.check_dataset``); None when not known (a file from before datasets: ECG5000).
    dataset: dict | None = None

    def __post_init__(self):
        self.threshold = check_threshold(self.threshold)

    def reconstruct(self, raw_beats: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scaled input, scaled reconstruction and per-beat MSE for raw beats (n, length)."""
        raw = np.asarray(raw_beats, np.float32)
        if raw.size == 0:
            empty = np.zeros((0, self.spec.length), np.float32)
            return empty, empty, np.zeros(0, np.float32)
        scaled = self.scaler.transform(np.atleast_2d(raw))
        latent, recon, errors = probe(self.model, scaled)
        return scaled, recon, errors

    def score(self, raw_beats: np.ndarray, threshold: float | None = None):
        """Per-beat error and verdict (see :func:`verdicts`), at ``threshold`` or the model's own.

        Returns ``(errors, verdicts)``; a non-finite ``threshold`` raises a ``NumberError``.
        """
        _, _, errors = self.reconstruct(raw_beats)
        return errors, verdicts(errors, self.threshold if threshold is None else threshold)


# --- saving and loading ------------------------------------------------------------------------


def save_detector(detector: Detector, path: str | Path) -> Path:
    """Write one .keras file: the Keras model plus an ``anomagram.json`` entry in the zip.

    ``detector.dataset`` (``sources.describe`` of the training data, when the caller knew it)
    is written as the metadata's ``dataset``, checked first as a loaded file's would be.
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError("Model files must end in .keras.")
    meta = {
        "format": "anomagram",
        "format_version": FORMAT_VERSION,
        "scaler": detector.scaler.to_dict(),
        "threshold": float(detector.threshold),
        "spec": detector.spec.to_dict(),
        "info": detector.info,
    }
    if detector.dataset is not None:
        meta["dataset"] = model_file.check_dataset(detector.dataset, detector.spec)
    detector.model.save(path)
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
            if not {CONFIG_ENTRY, WEIGHTS_ENTRY} <= names:
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
            if zf.getinfo(METADATA_ENTRY).file_size > MAX_JSON_BYTES:
                raise ModelFileError(f"{path.name}: its Anomagram metadata is too large.")
            raw = zf.read(METADATA_ENTRY)
    except zipfile.BadZipFile:
        raise ModelFileError(f"{path.name} is damaged and cannot be read.") from None
    try:
        meta = safe_json_loads(raw, "its Anomagram metadata", MAX_JSON_BYTES)
    except JsonError as exc:
        raise ModelFileError(f"{path.name} is damaged: {exc}") from None
    try:
        if not isinstance(meta, dict):
            raise ValueError("it is not a JSON object.")
        if meta.get("format") != "anomagram" or meta.get("format_version") != FORMAT_VERSION:
            raise ValueError("unknown format version.")
        meta["scaler"] = MinMaxScaler.from_dict(meta["scaler"])
        meta["spec"] = Spec.from_dict(meta["spec"])
        meta["threshold"] = check_threshold(meta["threshold"])
        if not isinstance(meta.setdefault("info", {}), dict):
            raise ValueError("its info is not a JSON object.")
        meta["info"] = {key: _note(value) for key, value in meta["info"].items()}
        meta["dataset"] = model_file.check_dataset(meta.get("dataset"), meta["spec"])
    except KeyError as exc:
        raise ModelFileError(f"{path.name}: its Anomagram metadata has no {exc}.") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise ModelFileError(f"{path.name}: its Anomagram metadata is invalid: {exc}") from None
    return meta


def _note(value: object) -> object:
    """A value of the metadata's free ``info``, with numbers through ``anomagram.numbers``: one
    that is NaN (an AUC without both classes), infinite or huge (a 4,000-digit integer breaks
    ``math.isfinite``) becomes None, so whatever shows the notes only ever meets plain numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    parse = parse_int if isinstance(value, int) else parse_float
    try:
        return parse(value, "A note")
    except NumberError:
        return None


# --- the dataset block -------------------------------------------------------------------------


def load_detector(path: str | Path) -> Detector:
    """Load a model file safely: every check below runs before Keras allocates anything.

    The metadata (size, JSON, format, scaler, threshold, Spec) is read first; ``config.json``
    must declare exactly the network the Spec describes and the weights file must be the size
    that network implies. Only then is the network built from the Spec (never from the file's
    config, which Keras would have trusted: a Dense layer of 2,000,000 units cost 3.9 GB) and
    the weights read into it; NaN or infinite weights are refused.
    """
    meta = read_metadata(path)
    spec: Spec = meta["spec"]
    name = Path(path).name
    halves = expected_layers(spec)
    n_weights = spec.weight_count
    if n_weights > MAX_WEIGHTS:  # the Spec's bounds already ensure this; the cost is nil
        raise ModelFileError(
            f"{name} describes {n_weights:,} weights; at most {MAX_WEIGHTS:,} are accepted."
        )
    try:
        with zipfile.ZipFile(path) as zf:
            problem = model_file.config_problem(
                zf, CONFIG_ENTRY, halves, INPUT_NAME
            ) or model_file.weights_problem(zf, WEIGHTS_ENTRY, n_weights, halves)
    except zipfile.BadZipFile:
        raise ModelFileError(f"{name} is damaged and cannot be read.") from None
    if problem:
        raise ModelFileError(f"{name} could not be loaded safely: {problem}.")
    model = build_autoencoder(spec)
    # Built, so that the saved optimizer state (Adam's moments...) is read back with the
    # weights and a re-exported file keeps it.
    model.optimizer.build(model.trainable_variables)
    try:
        model.load_weights(path)
    except Exception:  # Keras and h5py raise many types, with messages about their internals
        raise ModelFileError(
            f"{name} could not be loaded safely: its weights do not fit the network its "
            "settings describe."
        ) from None
    for variable in model.weights:
        try:
            finite_array(variable.value, variable.path)
        except NumberError:
            raise ModelFileError(
                f"{name} has weights that are NaN or infinite (in {variable.path}), "
                "so it cannot score beats; train and save it again."
            ) from None
    return Detector(model, meta["scaler"], meta["threshold"], spec, meta["info"], meta["dataset"])
