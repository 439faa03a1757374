"""The classic detectors, the leaderboard and its one-sentence verdict."""

import math
import subprocess
import sys

import numpy as np
import pytest

from anomagram import baselines, metrics
from anomagram.baselines import AUTOENCODER, DETECTORS, BaselineResult, Row, leaderboard, verdict


@pytest.fixture(scope="module")
def clusters():
    """A tight normal cluster and, far from it, a cluster of outliers: every detector's AUC is 1."""
    rng = np.random.default_rng(0)
    centre = rng.uniform(0.3, 0.7, size=20)
    train = centre + rng.normal(0, 0.02, size=(200, 20))
    normal = centre + rng.normal(0, 0.02, size=(40, 20))
    abnormal = centre + 0.5 + rng.normal(0, 0.02, size=(20, 20))
    y = np.r_[np.zeros(40, bool), np.ones(20, bool)]
    return train, np.vstack([normal, abnormal]), y


def test_detectors_are_listed_in_a_fixed_order():
    assert list(DETECTORS) == ["pca", "knn", "lof", "ocsvm", "iforest"]
    assert DETECTORS["lof"] == "Local Outlier Factor"


@pytest.mark.parametrize("key", list(DETECTORS))
def test_each_detector_finds_the_far_cluster(clusters, key):
    train, test, y = clusters
    r = baselines.fit_score(key, train, test, y, components=2, seed=0)
    assert r.key == key and r.name == DETECTORS[key]
    assert r.scores.shape == (60,) and np.isfinite(r.scores).all()
    assert r.auc == pytest.approx(1.0)
    # Higher = more abnormal: every outlier scores above every normal beat.
    assert r.scores[y].min() > r.scores[~y].max()
    assert 0 <= r.seconds < 10


def test_run_all_is_deterministic_and_keeps_the_order(clusters):
    train, test, y = clusters
    first = baselines.run_all(train, test, y, components=2, seed=3)
    again = baselines.run_all(train, test, y, components=2, seed=3)
    assert list(first) == list(DETECTORS)
    for key in DETECTORS:
        assert np.array_equal(first[key].scores, again[key].scores)
    some = baselines.run_all(train, test, y, components=2, seed=3, keys=["iforest", "pca"])
    assert list(some) == ["pca", "iforest"]


def test_the_seed_changes_isolation_forest_only_where_it_is_random(clusters):
    train, test, y = clusters
    a = baselines.run_all(train, test, y, components=2, seed=0, keys=["knn", "iforest"])
    b = baselines.run_all(train, test, y, components=2, seed=1, keys=["knn", "iforest"])
    assert np.array_equal(a["knn"].scores, b["knn"].scores)
    assert not np.array_equal(a["iforest"].scores, b["iforest"].scores)


def test_unknown_detector_is_refused(clusters):
    with pytest.raises(ValueError, match="choose one of pca, knn, lof, ocsvm, iforest"):
        baselines.fit_score("kmeans", *clusters, components=2, seed=0)


def test_pca_uses_the_bottleneck_size_and_metrics_delegates_to_it(clusters):
    train, test, y = clusters
    one = baselines.fit_score("pca", train, test, y, components=1, seed=0)
    many = baselines.fit_score("pca", train, test, y, components=15, seed=0)
    # More components reconstruct the (noisy) normal beats better.
    assert many.scores[~y].mean() < one.scores[~y].mean()
    old = metrics.pca_baseline(train, test, y, 15)
    assert np.array_equal(old.test_errors, many.scores) and old.auc == many.auc


def _result(key, auc, seconds=0.1):
    return BaselineResult(key, DETECTORS[key], np.zeros(1), auc, seconds)


def test_leaderboard_is_best_first_and_marks_the_autoencoder():
    results = {"pca": _result("pca", 0.99), "lof": _result("lof", 0.997), "knn": 0.95}
    rows = leaderboard(0.98, results, ae_seconds=1.5)
    assert [r.key for r in rows] == ["lof", "pca", AUTOENCODER, "knn"]
    assert [r.is_autoencoder for r in rows] == [False, False, True, False]
    assert rows[2].seconds == 1.5 and rows[0].seconds == 0.1 and rows[3].seconds is None
    assert rows[0].name == "Local Outlier Factor"


def test_leaderboard_ties_keep_autoencoder_then_detector_order_and_nan_goes_last():
    records = {"iforest": {"auc": 0.9, "seconds": 0.2}, "pca": {"auc": 0.9}, "knn": math.nan}
    rows = leaderboard(0.9, records)
    assert [r.key for r in rows] == [AUTOENCODER, "pca", "iforest", "knn"]
    assert rows[2].seconds == 0.2


def test_verdict_when_a_detector_wins():
    rows = leaderboard(0.977, {"pca": 0.991, "knn": 0.95})
    assert verdict(rows) == (
        "PCA reconstruction wins on this split: AUC 0.991 vs the autoencoder's 0.977 (+0.014)."
    )


def test_verdict_when_the_autoencoder_wins():
    rows = leaderboard(0.998, {"pca": 0.991, "lof": 0.997})
    assert verdict(rows) == (
        "The autoencoder wins on this split: AUC 0.998, 0.001 ahead of the best classic "
        "detector, Local Outlier Factor (0.997)."
    )


def test_verdict_when_they_tie_to_three_decimals():
    rows = leaderboard(0.9971, {"pca": 0.991, "lof": 0.9968})
    assert verdict(rows).startswith("The autoencoder and Local Outlier Factor tie on this split")


def test_verdict_without_an_autoencoder_auc_or_detectors():
    assert "cannot be compared" in verdict(leaderboard(math.nan, {"pca": 0.9}))
    assert "no classic detector" in verdict(leaderboard(0.9, {}))
    assert verdict([Row("pca", "PCA", 0.9, None, False)]).startswith("The autoencoder has no")


def test_as_records_is_plain_json():
    records = baselines.as_records({"pca": _result("pca", 0.99, 0.25)})
    assert records == {"pca": {"auc": 0.99, "seconds": 0.25}}


def test_importing_baselines_imports_no_scikit_learn_estimator():
    code = (
        "import sys, anomagram.baselines, anomagram.presets;"
        "print(sorted(m for m in sys.modules if m.startswith('sklearn')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_smallest_split_the_spec_allows_still_scores(clusters):
    train, test, y = clusters
    results = baselines.run_all(train[:10], test, y, components=64, seed=0)
    for r in results.values():
        assert np.isfinite(r.scores).all() and r.auc > 0.9, r.key
