import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from anomagram import metrics

Y = np.array([0, 0, 0, 1, 1, 0, 1, 1], bool)
E = np.array([0.1, 0.2, 0.3, 0.35, 0.8, 0.9, 0.95, 1.0])


def test_reconstruction_errors_are_per_row_mse():
    x = np.array([[0.0, 0.0], [1.0, 1.0]])
    r = np.array([[1.0, 0.0], [0.0, 3.0]])
    np.testing.assert_allclose(metrics.reconstruction_errors(x, r), [0.5, 2.5])


def test_metrics_at_threshold_hand_computed():
    m = metrics.metrics_at(Y, E, 0.5)
    # flagged: 0.8, 0.9, 0.95, 1.0 -> tp 3 (0.8, 0.95, 1.0), fp 1 (0.9); fn 1 (0.35); tn 3
    assert (m.tp, m.fp, m.tn, m.fn) == (3, 1, 3, 1)
    assert m.accuracy == pytest.approx(6 / 8)
    assert m.precision == pytest.approx(3 / 4)
    assert m.recall == m.tpr == pytest.approx(3 / 4)
    assert m.f1 == pytest.approx(0.75)
    assert m.fpr == pytest.approx(1 / 4) and m.tnr == pytest.approx(3 / 4)
    assert m.fnr == pytest.approx(1 / 4)
    m2 = metrics.metrics_at(Y, E, 0.5, beta=2)
    assert m2.fbeta == pytest.approx(5 * 3 / (5 * 3 + 4 * 1 + 1))


def test_metrics_safe_with_empty_classes():
    m = metrics.metrics_at(np.zeros(4, bool), np.array([1, 2, 3, 4.0]), 10)
    assert m.accuracy == 1.0 and m.fpr == 0.0
    assert np.isnan(m.precision) and np.isnan(m.recall) and np.isnan(m.fnr)
    empty = metrics.metrics_at(np.zeros(0, bool), np.zeros(0), 1)
    assert np.isnan(empty.accuracy)


def test_auc_equals_sklearn():
    rng = np.random.default_rng(0)
    y = rng.random(300) < 0.3
    e = rng.random(300) + y * 0.3
    assert metrics.auc(y, e) == pytest.approx(roc_auc_score(y, e))
    r = metrics.roc(y, e)
    assert r.fpr[0] == 0 and r.tpr[-1] == 1


def test_auc_is_nan_with_one_class():
    assert np.isnan(metrics.auc(np.zeros(5, bool), np.arange(5.0)))


def test_best_accuracy_threshold_matches_brute_force():
    rng = np.random.default_rng(1)
    y = rng.random(200) < 0.4
    e = rng.random(200) + y * 0.4
    t = metrics.best_accuracy_threshold(y, e)
    brute = max(metrics.metrics_at(y, e, c).accuracy for c in np.concatenate([[-1], e]))
    assert metrics.metrics_at(y, e, t).accuracy == pytest.approx(brute)


def test_best_f1_threshold_matches_brute_force():
    rng = np.random.default_rng(2)
    y = rng.random(200) < 0.4
    e = rng.random(200) + y * 0.2
    t = metrics.best_f1_threshold(y, e)
    brute = max(metrics.metrics_at(y, e, c).f1 for c in np.concatenate([[-1], e]))
    assert metrics.metrics_at(y, e, t).f1 == pytest.approx(brute)


def test_perfectly_separable_threshold_sits_between_classes():
    t = metrics.best_accuracy_threshold(np.array([0, 0, 1, 1], bool), np.array([1, 2, 5, 6.0]))
    assert 2 < t < 5


def test_tied_errors_are_flagged_together():
    # roc_curve counts "error >= t", metrics_at flags "error > t": the chosen thresholds fall
    # between distinct errors, so a group of tied errors is always on one side.
    y = np.array([0, 0, 1, 0, 1, 1, 1, 0], bool)
    e = np.array([0.1, 0.2, 0.2, 0.5, 0.5, 0.5, 0.9, 0.9])
    # Accuracy 5/8 above 0.15 and above 0.35: the middle of that best range is the later one.
    assert metrics.best_accuracy_threshold(y, e) == pytest.approx(0.35)
    assert metrics.best_f1_threshold(y, e) == pytest.approx(0.15)
    m = metrics.metrics_at(y, e, 0.15)
    assert (m.tp, m.fp, m.tn, m.fn) == (4, 3, 1, 0)
    for f, key in (
        (metrics.best_accuracy_threshold, "accuracy"),
        (metrics.best_f1_threshold, "f1"),
    ):
        brute = max(getattr(metrics.metrics_at(y, e, c), key) for c in [-1.0, *e])
        assert getattr(metrics.metrics_at(y, e, f(y, e)), key) == pytest.approx(brute)


def test_thresholds_with_one_class_or_no_beats():
    e = np.array([0.1, 0.2, 0.3])
    # Only normal beats: flagging none is right, so the threshold is at the largest error.
    assert metrics.best_accuracy_threshold(np.zeros(3, bool), e) == pytest.approx(0.3)
    assert metrics.best_accuracy_threshold(np.ones(3, bool), e) < 0.1
    assert metrics.best_accuracy_threshold(np.zeros(0, bool), np.zeros(0)) == 0.0


def test_label_free_strategies():
    train = np.array([1.0, 2.0, 3.0, 4.0])
    assert metrics.mean_std_threshold(train, 2) == pytest.approx(2.5 + 2 * np.std(train))
    assert metrics.percentile_threshold(train, 50) == pytest.approx(2.5)
    assert metrics.choose_threshold(
        "percentile", test_errors=E, test_is_abnormal=Y, train_errors=train, q=100
    ) == pytest.approx(4.0)
    with pytest.raises(ValueError, match="training errors"):
        metrics.choose_threshold("mean_std", test_errors=E, test_is_abnormal=Y)
    with pytest.raises(ValueError, match="Unknown threshold strategy"):
        metrics.choose_threshold("magic", test_errors=E, test_is_abnormal=Y)


def test_per_class_detection():
    classes = np.array([1, 1, 2, 2, 3, 1])
    errors = np.array([0.1, 0.9, 0.8, 0.2, 0.7, 0.0])
    rates = metrics.per_class_detection(classes, errors, 0.5)
    assert rates == {1: pytest.approx(1 / 3), 2: 0.5, 3: 1.0, 4: None, 5: None}
    assert metrics.class_counts(classes) == {1: 3, 2: 2, 3: 1, 4: 0, 5: 0}


def test_pca_baseline_separates_structured_anomalies():
    rng = np.random.default_rng(0)
    basis = rng.normal(size=(2, 20))
    train = rng.normal(size=(200, 2)) @ basis
    normal = rng.normal(size=(50, 2)) @ basis
    abnormal = rng.normal(size=(50, 20))
    test = np.vstack([normal, abnormal])
    y = np.r_[np.zeros(50, bool), np.ones(50, bool)]
    b = metrics.pca_baseline(train, test, y, 2)
    assert b.auc > 0.99 and b.test_errors.shape == (100,)
    assert "2 components" in b.name
