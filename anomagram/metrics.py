"""Reconstruction errors, ROC/AUC, metrics at a threshold, threshold strategies, PCA baseline.

Convention everywhere: the positive class is *abnormal*, and a beat is flagged abnormal when its
error is strictly greater than the threshold.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from anomagram.data import CLASS_IDS

THRESHOLD_STRATEGIES = ("best_accuracy", "best_f1", "mean_std", "percentile")
STRATEGY_LABELS = {
    "best_accuracy": "Best accuracy (needs labels)",
    "best_f1": "Best F1 (needs labels)",
    "mean_std": "Mean + k·std of training errors (no labels)",
    "percentile": "Percentile of training errors (no labels)",
}


def reconstruction_errors(x: np.ndarray, recon: np.ndarray) -> np.ndarray:
    """Per-row mean squared error, the score every model here is judged by."""
    diff = np.asarray(recon, np.float64) - np.asarray(x, np.float64)
    return np.mean(diff * diff, axis=1)


# --- ROC ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Roc:
    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray
    auc: float


def roc(is_abnormal: np.ndarray, errors: np.ndarray) -> Roc:
    """ROC of the error as an abnormality score; AUC is NaN when only one class is present."""
    from sklearn.metrics import roc_auc_score, roc_curve

    y = np.asarray(is_abnormal, bool)
    s = np.asarray(errors, np.float64)
    if y.all() or not y.any() or not np.isfinite(s).all():
        return Roc(np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.array([np.inf, -np.inf]), np.nan)
    fpr, tpr, thr = roc_curve(y, s)
    return Roc(fpr, tpr, thr, float(roc_auc_score(y, s)))


def auc(is_abnormal: np.ndarray, errors: np.ndarray) -> float:
    return roc(is_abnormal, errors).auc


# --- metrics at a threshold --------------------------------------------------------------------


def _ratio(num: float, den: float) -> float:
    # An empty class gives NaN, which the UI shows as "n/a", rather than a misleading 0.
    return float(num / den) if den else float("nan")


@dataclass(frozen=True)
class Metrics:
    threshold: float
    tp: int
    fp: int
    tn: int
    fn: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    fbeta: float
    beta: float
    tpr: float
    tnr: float
    fpr: float
    fnr: float

    def to_dict(self) -> dict:
        return asdict(self)


def metrics_at(
    is_abnormal: np.ndarray, errors: np.ndarray, threshold: float, *, beta: float = 1.0
) -> Metrics:
    y = np.asarray(is_abnormal, bool)
    flagged = np.asarray(errors, np.float64) > threshold
    tp = int(np.sum(flagged & y))
    fp = int(np.sum(flagged & ~y))
    tn = int(np.sum(~flagged & ~y))
    fn = int(np.sum(~flagged & y))
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    b2 = beta * beta
    return Metrics(
        threshold=float(threshold),
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        accuracy=_ratio(tp + tn, len(y)),
        precision=precision,
        recall=recall,
        f1=_ratio(2 * tp, 2 * tp + fp + fn),
        fbeta=_ratio((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp),
        beta=float(beta),
        tpr=recall,
        tnr=_ratio(tn, tn + fp),
        fpr=_ratio(fp, fp + tn),
        fnr=_ratio(fn, fn + tp),
    )


# --- threshold strategies ----------------------------------------------------------------------


def _scan(is_abnormal: np.ndarray, errors: np.ndarray):
    """Every threshold that changes the verdicts, ascending, with TP, FP, TN and FN at each.

    ``roc_curve`` (all points kept) gives the counts at "error >= each distinct error", from
    "nothing flagged" to "everything flagged". Under this module's ``error > threshold`` rule the
    same beats are flagged by the midpoint between that error and the next lower distinct one,
    so a chosen threshold never sits on an error value and ties cannot fall on either side.
    """
    from sklearn.exceptions import UndefinedMetricWarning
    from sklearn.metrics import roc_curve

    y = np.asarray(is_abnormal, bool)
    e = np.asarray(errors, np.float64)
    n_abnormal = int(y.sum())
    n_normal = len(y) - n_abnormal
    with warnings.catch_warnings():
        # With one class absent its rate is NaN; its count is 0 at every threshold anyway.
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        fpr, tpr, thresholds = roc_curve(y, e, drop_intermediate=False)
    # Reversed: index 0 flags every beat, the last (roc's ``inf``) flags none.
    tp = np.rint(np.nan_to_num(tpr[::-1]) * n_abnormal).astype(np.int64)
    fp = np.rint(np.nan_to_num(fpr[::-1]) * n_normal).astype(np.int64)
    values = thresholds[:0:-1]  # the distinct errors, ascending
    lowest = values[0] - max(abs(values[0]) * 1e-6, 1e-12)
    t = np.concatenate([[lowest], (values[:-1] + values[1:]) / 2, [values[-1]]])
    return t, tp, fp, n_normal - fp, n_abnormal - tp


def _middle_of_best(t: np.ndarray, score: np.ndarray) -> float:
    # Ties go to the middle of the best range, away from either class's edge.
    best = np.flatnonzero(score == score.max())
    return float(t[best[len(best) // 2]])


def best_accuracy_threshold(is_abnormal: np.ndarray, errors: np.ndarray) -> float:
    """The threshold with the best accuracy; ties go to the middle of the best range."""
    if len(errors) == 0:
        return 0.0
    t, tp, _, tn, _ = _scan(is_abnormal, errors)
    return _middle_of_best(t, (tp + tn) / len(errors))


def best_f1_threshold(is_abnormal: np.ndarray, errors: np.ndarray) -> float:
    if len(errors) == 0:
        return 0.0
    t, tp, fp, _, fn = _scan(is_abnormal, errors)
    den = 2 * tp + fp + fn
    return _middle_of_best(t, np.where(den > 0, 2 * tp / np.maximum(den, 1), 0.0))


def mean_std_threshold(train_errors: np.ndarray, k: float = 2.0) -> float:
    e = np.asarray(train_errors, np.float64)
    return float(e.mean() + k * e.std())


def percentile_threshold(train_errors: np.ndarray, q: float = 95.0) -> float:
    return float(np.percentile(np.asarray(train_errors, np.float64), q))


def choose_threshold(
    strategy: str,
    *,
    test_errors: np.ndarray,
    test_is_abnormal: np.ndarray,
    train_errors: np.ndarray | None = None,
    k: float = 2.0,
    q: float = 95.0,
) -> float:
    """Apply a named strategy. Label-free strategies look at training errors only."""
    if strategy == "best_accuracy":
        return best_accuracy_threshold(test_is_abnormal, test_errors)
    if strategy == "best_f1":
        return best_f1_threshold(test_is_abnormal, test_errors)
    if strategy in ("mean_std", "percentile"):
        if train_errors is None or len(train_errors) == 0:
            raise ValueError(f"The {strategy} strategy needs the training errors.")
        if strategy == "mean_std":
            return mean_std_threshold(train_errors, k)
        return percentile_threshold(train_errors, q)
    raise ValueError(
        f"Unknown threshold strategy {strategy!r}; use one of {', '.join(THRESHOLD_STRATEGIES)}."
    )


# --- per class and baseline --------------------------------------------------------------------


def per_class_detection(
    classes: np.ndarray,
    errors: np.ndarray,
    threshold: float,
    class_ids: Sequence[int] = CLASS_IDS,
) -> dict[int, float | None]:
    """Share of each class flagged abnormal (for the normal class, the false alarm rate).

    ``class_ids``: the dataset's classes (default ECG5000's); one absent from ``classes``
    gets None."""
    classes = np.asarray(classes)
    flagged = np.asarray(errors) > threshold
    out: dict[int, float | None] = {}
    for c in class_ids:
        mask = classes == c
        out[int(c)] = float(flagged[mask].mean()) if mask.any() else None
    return out


def class_counts(classes: np.ndarray, class_ids: Sequence[int] = CLASS_IDS) -> dict[int, int]:
    classes = np.asarray(classes)
    return {int(c): int(np.sum(classes == c)) for c in class_ids}


@dataclass(frozen=True)
class Baseline:
    name: str
    test_errors: np.ndarray
    auc: float
    roc: Roc


def pca_baseline(
    train_scaled: np.ndarray, test_scaled: np.ndarray, test_is_abnormal, n_components, seed: int = 0
):
    """PCA reconstruction error with its ROC, for the charts that draw it beside the model.

    The detector itself lives in ``baselines`` with the other classic detectors.
    """
    from anomagram import baselines  # it imports this module

    r = baselines.fit_score(
        "pca", train_scaled, test_scaled, test_is_abnormal, components=n_components, seed=seed
    )
    n = baselines.pca_components(n_components, train_scaled)
    return Baseline(f"PCA ({n} components)", r.scores, r.auc, roc(test_is_abnormal, r.scores))
