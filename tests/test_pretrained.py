"""The shipped pretrained model and its training replay: present, current, and reproducible.

The Introduction page relies on these files at every start, and on the replay's final errors
standing in for the live model (so it can paint before Keras has loaded).
"""

import subprocess
import sys

import numpy as np
import pytest

from anomagram import metrics
from anomagram.baselines import DETECTORS, Row, run_all, verdict
from anomagram.model import build_autoencoder, read_metadata
from anomagram.pretrained import (
    ASSETS,
    MODEL_FILE,
    PRETRAINED_SPEC,
    REPLAY_FILE,
    load_leaderboard,
    load_pretrained,
    load_replay,
)
from anomagram.training import prepare

TEST_SIZE = PRETRAINED_SPEC.test_size


@pytest.fixture(scope="module")
def detector():
    return load_pretrained()


@pytest.fixture(scope="module")
def replay():
    return load_replay()


@pytest.fixture(scope="module")
def prepared(ecg):
    return prepare(PRETRAINED_SPEC, ecg)


@pytest.fixture(scope="module")
def live_errors(detector, prepared):
    _, _, errors = detector.reconstruct(prepared.split.test_x)
    return np.asarray(errors, np.float64)


def test_artifact_loads_with_the_pretrained_spec(detector):
    assert detector.spec == PRETRAINED_SPEC
    assert read_metadata(ASSETS / MODEL_FILE)["spec"] == PRETRAINED_SPEC
    assert np.isfinite(detector.threshold) and detector.threshold > 0
    assert detector.scaler.maximum > detector.scaler.minimum


def test_artifact_matches_the_current_model_code(detector):
    fresh = build_autoencoder(PRETRAINED_SPEC)
    shipped = [(w.path, tuple(w.shape)) for w in detector.model.weights]
    current = [(w.path, tuple(w.shape)) for w in fresh.weights]
    assert shipped == current
    assert [layer.name for layer in detector.model.layers] == [layer.name for layer in fresh.layers]


def test_artifact_reproduces_its_recorded_auc(replay, prepared, live_errors):
    auc = metrics.auc(prepared.test_is_abnormal, live_errors)
    assert auc == pytest.approx(replay.summary["auc"], abs=1e-3)
    # Same beats in the same order as when the replay was recorded.
    assert np.array_equal(replay.classes, prepared.split.test_y)


def test_replay_file_holds_no_dataset_values():
    with np.load(ASSETS / REPLAY_FILE) as z:
        assert sorted(z.files) == ["errors", "loss", "summary", "val_loss"]


def test_replay_shape(replay):
    assert replay.epochs == PRETRAINED_SPEC.epochs
    assert replay.errors.shape == (PRETRAINED_SPEC.epochs + 1, TEST_SIZE)
    assert np.isfinite(replay.errors).all()
    assert replay.classes.shape == (TEST_SIZE,)
    assert len(replay.loss) == len(replay.val_loss) == PRETRAINED_SPEC.epochs


def test_replay_stands_in_for_the_live_model(detector, replay, live_errors):
    # The Introduction's gallery dots and test-set charts use the replay's final (float16)
    # errors; they must give the live model's verdict on every test beat.
    final = replay.errors[-1].astype(np.float64)
    assert np.allclose(final, live_errors, rtol=2e-3, atol=1e-6)
    assert np.array_equal(final > detector.threshold, live_errors > detector.threshold)


def test_replay_shows_learning(replay):
    abnormal = replay.classes != 1
    first, last = replay.errors[0], replay.errors[-1]
    assert metrics.auc(abnormal, last) > 0.9
    assert last[~abnormal].mean() < first[~abnormal].mean() / 3


def test_assets_are_small():
    total = (ASSETS / MODEL_FILE).stat().st_size + (ASSETS / REPLAY_FILE).stat().st_size
    assert total < 200_000


def test_recorded_pca_auc_is_what_metrics_computes(replay, prepared):
    args = (prepared.train_scaled, prepared.test_scaled, prepared.test_is_abnormal)
    baseline = metrics.pca_baseline(*args, PRETRAINED_SPEC.latent)
    assert baseline.auc == pytest.approx(replay.summary["baseline_pca_auc"], abs=1e-6)


def test_leaderboard_is_recorded_for_the_pretrained_split(replay):
    rows = load_leaderboard()
    assert [r["key"] for r in rows if not r["is_autoencoder"]] == sorted(
        DETECTORS, key=lambda k: -replay.summary["baselines"][k]["auc"]
    )
    aucs = [r["auc"] for r in rows]
    assert aucs == sorted(aucs, reverse=True) and len(rows) == len(DETECTORS) + 1
    (ae,) = [r for r in rows if r["is_autoencoder"]]
    assert ae["auc"] == replay.summary["auc"] and ae["seconds"] > 0
    assert verdict([Row(**r) for r in rows]).endswith(".")


def test_recorded_leaderboard_is_what_the_detectors_compute(replay, prepared):
    args = (prepared.train_scaled, prepared.test_scaled, prepared.test_is_abnormal)
    spec = PRETRAINED_SPEC
    results = run_all(*args, components=spec.latent, seed=spec.seed)
    for key, record in replay.summary["baselines"].items():
        assert results[key].auc == pytest.approx(record["auc"], abs=1e-6), key


def test_reading_the_leaderboard_imports_no_scikit_learn_or_keras():
    code = (
        "import sys; from anomagram.pretrained import load_leaderboard; load_leaderboard();"
        "print(sorted(m.split('.')[0] for m in sys.modules if m.startswith(('sklearn', 'keras'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_pretrain_check_says_equivalent():
    result = subprocess.run(
        [sys.executable, "-m", "anomagram", "pretrain", "--check"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "equivalent" in result.stdout
