"""Numbers behind the Introduction page, computed once per server process and cached.

Two kinds of values live here:

* Keras-free ones (replay errors, labels, the shipped threshold and scaler read from the model
  file's metadata). The page paints these at once, while Keras is still being imported in the
  background.
* Model ones (reconstructions, training errors, latent coordinates). They wait for the pretrained
  model; ``model_ready()`` tells the page whether asking for them would block.

The pretrained model's replay holds its final test errors (float16). They give the same verdict
as the live model on every one of the 500 test beats (checked in tests/test_pretrained.py), so
the gallery dots and the test-set charts use them without waiting for Keras.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from anomagram import metrics
from anomagram.data import NORMAL, MinMaxScaler, is_abnormal
from anomagram.ui.common import resources

GALLERY_SIZE = 12


# --- Keras-free ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shipped:
    """What the pretrained model file says about itself, read without loading Keras."""

    threshold: float
    scaler: MinMaxScaler
    spec: object
    info: dict


@st.cache_resource(show_spinner=False)
def shipped() -> Shipped:
    from anomagram.model import read_metadata
    from anomagram.pretrained import ASSETS, MODEL_FILE

    meta = read_metadata(ASSETS / MODEL_FILE)
    return Shipped(meta["threshold"], meta["scaler"], meta["spec"], meta.get("info", {}))


@dataclass(frozen=True)
class TestSet:
    """The pretrained model's 500 test beats with the model's final errors from the replay."""

    raw: np.ndarray  # (500, 140) recorded values
    scaled: np.ndarray  # (500, 140) min-max scaled with the shipped scaler
    classes: np.ndarray  # (500,) class ids
    abnormal: np.ndarray  # (500,) bool
    errors: np.ndarray  # (500,) final reconstruction MSE (from the replay)
    flagged: np.ndarray  # (500,) bool, errors > shipped threshold


@st.cache_resource(show_spinner=False)
def test_set() -> TestSet:
    prep = resources.pretrained_split()
    replay = resources.replay()
    errors = np.asarray(replay.errors[-1], np.float64)
    flagged = errors > shipped().threshold
    for arr in (errors, flagged):
        arr.flags.writeable = False
    return TestSet(
        prep.split.test_x,
        prep.test_scaled,
        prep.split.test_y,
        prep.test_is_abnormal,
        errors,
        flagged,
    )


def gallery_indices(class_filter: int, shuffle: int, size: int = GALLERY_SIZE) -> list[int]:
    """Which test beats the gallery shows: ``class_filter`` 0 = all classes.

    For "all", half normal and half abnormal beats, so the first view already shows both
    verdicts; otherwise a seeded sample of that class. ``shuffle`` picks another sample.
    """
    ts = test_set()
    rng = np.random.default_rng(1000 + 17 * class_filter + shuffle)
    if class_filter == 0:
        normal = rng.permutation(np.flatnonzero(~ts.abnormal))[: size // 2]
        abnormal = rng.permutation(np.flatnonzero(ts.abnormal))[: size - len(normal)]
        picked = rng.permutation(np.concatenate([normal, abnormal]))
    else:
        picked = rng.permutation(np.flatnonzero(ts.classes == class_filter))[:size]
    return [int(i) for i in picked]


def members(class_filter: int) -> list[int]:
    ts = test_set()
    if class_filter == 0:
        return list(range(len(ts.classes)))
    return [int(i) for i in np.flatnonzero(ts.classes == class_filter)]


@st.cache_data(show_spinner=False)
def replay_aucs() -> list[float]:
    """AUC of the recorded model at every epoch of the replay."""
    replay = resources.replay()
    y = is_abnormal(replay.classes)
    return [metrics.auc(y, e) for e in replay.errors]


@st.cache_data(show_spinner=False)
def replay_x_max() -> float:
    """One x range for every epoch, so the replay animation does not rescale under the eye."""
    return float(np.nanmax(resources.replay().errors)) * 1.02


@st.cache_resource(show_spinner=False)
def test_roc() -> metrics.Roc:
    ts = test_set()
    return metrics.roc(ts.abnormal, ts.errors)


@st.cache_resource(show_spinner=False)
def frame() -> tuple[float, float]:
    """The drawing canvas's amplitude range (-4 to +2) in scaled units, slightly padded.

    Every beat chart on the page uses it, so beats, drawings and reconstructions share one
    frame and a difference in height means the same thing everywhere.
    """
    from anomagram.signal import Y_BOTTOM, Y_TOP

    lo, hi = (float(v) for v in shipped().scaler.transform(np.array([Y_BOTTOM, Y_TOP])))
    pad = 0.04 * (hi - lo)
    return round(lo - pad, 3), round(hi + pad, 3)


@st.cache_resource(show_spinner=False)
def mean_normal_beat() -> np.ndarray:
    """Average recorded normal beat of the training set: the faint guide on the drawing canvas."""
    prep = resources.pretrained_split()
    beats = prep.split.train_x[prep.split.train_y == NORMAL]
    return beats.mean(axis=0)


# --- needs the model ----------------------------------------------------------------------------


def model_ready() -> bool:
    """True when the pretrained model is loaded, so asking for it will not block."""
    return resources.model_ready()


@st.cache_resource(show_spinner=False)
def train_errors() -> np.ndarray:
    """Reconstruction errors of the pretrained model's own training beats (no labels needed)."""
    detector = resources.pretrained()
    prep = resources.pretrained_split()
    _, _, errors = detector.reconstruct(prep.split.train_x)
    errors = np.asarray(errors, np.float64)
    errors.flags.writeable = False
    return errors


@st.cache_resource(show_spinner=False)
def test_latent() -> np.ndarray:
    from anomagram.inference import probe

    detector = resources.pretrained()
    latent, _, _ = probe(detector.model, test_set().scaled)
    return latent


def reconstruct(raw_beat: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Scaled input, scaled reconstruction and MSE of one raw beat."""
    detector = resources.pretrained()
    scaled, recon, errors = detector.reconstruct(np.asarray(raw_beat, np.float32)[None, :])
    return scaled[0], recon[0], float(errors[0])
