"""Classic anomaly detectors from scikit-learn, on the autoencoder's own split.

Each detector is fitted on the same composed, scaled training beats the autoencoder learns
from and scores the same test beats, so its AUC can stand beside the autoencoder's: does the
neural network earn its place, or does a simpler detector do as well? Scores are oriented like
reconstruction errors: higher = more abnormal.

scikit-learn is imported inside the functions, so importing this module (for ``DETECTORS``,
``leaderboard`` or ``verdict``) costs nothing on a page's first paint.
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from anomagram import metrics

# In the order every table and chart lists them.
DETECTORS: Mapping[str, str] = MappingProxyType(
    {
        "pca": "PCA reconstruction",
        "knn": "k-nearest neighbours",
        "lof": "Local Outlier Factor",
        "ocsvm": "One-Class SVM",
        "iforest": "Isolation Forest",
    }
)
# For chart legends, where a long name would be cut (Vega cuts legend labels at ~160 px).
SHORT_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "pca": "PCA",
        "knn": "kNN",
        "lof": "LOF",
        "ocsvm": "One-class SVM",
        "iforest": "Isolation forest",
    }
)
AUTOENCODER = "autoencoder"
AUTOENCODER_NAME = "Autoencoder"

# Textbook settings, not tuned on the test labels: the mean distance to the 5 nearest
# training beats; LOF's own default neighbourhood; an SVM that may treat 5 % of the (normal)
# training beats as outliers, with scikit-learn's data-scaled RBF width.
KNN_NEIGHBOURS = 5
LOF_NEIGHBOURS = 20
OCSVM_NU = 0.05


@dataclass(frozen=True)
class BaselineResult:
    key: str
    name: str
    scores: np.ndarray  # per test beat, higher = more abnormal
    auc: float
    seconds: float  # fitting on the training beats plus scoring the test beats


def pca_components(components: int, train_scaled) -> int:
    """As many components as the autoencoder's bottleneck (the same compression, linear),
    as far as the training beats allow."""
    return int(min(components, *np.shape(train_scaled)))


def _pca(train, test, components: int, seed: int) -> np.ndarray:
    from sklearn.decomposition import PCA

    pca = PCA(n_components=pca_components(components, train), random_state=seed).fit(train)
    return metrics.reconstruction_errors(test, pca.inverse_transform(pca.transform(test)))


def _knn(train, test, components: int, seed: int) -> np.ndarray:
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=min(KNN_NEIGHBOURS, len(train))).fit(train)
    distances, _ = nn.kneighbors(test)
    return distances.mean(axis=1)


def _lof(train, test, components: int, seed: int) -> np.ndarray:
    from sklearn.neighbors import LocalOutlierFactor

    k = min(LOF_NEIGHBOURS, len(train) - 1)
    lof = LocalOutlierFactor(n_neighbors=k, novelty=True).fit(train)
    return -lof.score_samples(test)  # scikit-learn's scores are higher = more normal


def _ocsvm(train, test, components: int, seed: int) -> np.ndarray:
    from sklearn.svm import OneClassSVM

    svm = OneClassSVM(nu=OCSVM_NU, gamma="scale").fit(train)
    return -svm.decision_function(test)


def _iforest(train, test, components: int, seed: int) -> np.ndarray:
    from sklearn.ensemble import IsolationForest

    forest = IsolationForest(random_state=seed).fit(train)
    return -forest.score_samples(test)


_SCORERS = {"pca": _pca, "knn": _knn, "lof": _lof, "ocsvm": _ocsvm, "iforest": _iforest}
# Imported before the clock starts, so the first detector's seconds are not scikit-learn's
# import time.
_MODULES = {
    "pca": "sklearn.decomposition",
    "knn": "sklearn.neighbors",
    "lof": "sklearn.neighbors",
    "ocsvm": "sklearn.svm",
    "iforest": "sklearn.ensemble",
}


def fit_score(
    key: str,
    train_scaled: np.ndarray,
    test_scaled: np.ndarray,
    test_is_abnormal,
    *,
    components: int,
    seed: int,
) -> BaselineResult:
    """Fit detector ``key`` on the training beats and score the test beats."""
    if key not in _SCORERS:
        raise ValueError(f"Unknown detector {key!r}; choose one of {', '.join(DETECTORS)}.")
    train = np.asarray(train_scaled, np.float64)
    test = np.asarray(test_scaled, np.float64)
    importlib.import_module(_MODULES[key])
    t0 = time.perf_counter()
    scores = np.asarray(_SCORERS[key](train, test, components, seed), np.float64)
    seconds = time.perf_counter() - t0
    return BaselineResult(
        key, DETECTORS[key], scores, metrics.auc(test_is_abnormal, scores), seconds
    )


def run_all(
    train_scaled: np.ndarray,
    test_scaled: np.ndarray,
    test_is_abnormal,
    *,
    components: int,
    seed: int,
    keys: Iterable[str] | None = None,
) -> dict[str, BaselineResult]:
    """Every detector (or those in ``keys``), in ``DETECTORS`` order."""
    wanted = list(DETECTORS) if keys is None else [k for k in DETECTORS if k in set(keys)]
    return {
        k: fit_score(
            k, train_scaled, test_scaled, test_is_abnormal, components=components, seed=seed
        )
        for k in wanted
    }


# --- the leaderboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    auc: float
    seconds: float | None
    is_autoencoder: bool


def _auc_seconds(value) -> tuple[float, float | None]:
    """A result, a bare AUC or a ``{"auc": …, "seconds": …}`` record (stored metadata)."""
    if isinstance(value, BaselineResult):
        return value.auc, value.seconds
    if isinstance(value, Mapping):
        seconds = value.get("seconds")
        return _number(value.get("auc")), None if seconds is None else float(seconds)
    return _number(value), None


def _number(value) -> float:
    return math.nan if value is None else float(value)


def leaderboard(
    ae_auc: float,
    results: Mapping[str, BaselineResult] | Mapping[str, float],
    *,
    ae_seconds: float | None = None,
) -> list[Row]:
    """The autoencoder and each detector, best AUC first; an undefined AUC goes last.

    The sort is stable from the autoencoder followed by ``DETECTORS`` order, so on equal AUCs
    the autoencoder is listed first.
    """
    rows = [Row(AUTOENCODER, AUTOENCODER_NAME, _number(ae_auc), ae_seconds, True)]
    ordered = [k for k in DETECTORS if k in results] + [k for k in results if k not in DETECTORS]
    for key in ordered:
        auc, seconds = _auc_seconds(results[key])
        rows.append(Row(key, DETECTORS.get(key, key), auc, seconds, False))
    return sorted(rows, key=lambda r: -r.auc if math.isfinite(r.auc) else math.inf)


def verdict(rows: list[Row]) -> str:
    """One plain sentence: who wins on this split, and by how much."""
    ae = next((r for r in rows if r.is_autoencoder), None)
    others = [r for r in rows if not r.is_autoencoder and math.isfinite(r.auc)]
    if ae is None or not math.isfinite(ae.auc):
        return "The autoencoder has no AUC on this split, so it cannot be compared."
    if not others:
        return f"The autoencoder's AUC is {ae.auc:.3f}; no classic detector has been scored yet."
    best = max(others, key=lambda r: r.auc)  # max keeps the first of equals: DETECTORS order
    # Compared as shown, to three decimals, so the sentence never says "0.000 ahead".
    gap = round(ae.auc, 3) - round(best.auc, 3)
    if abs(gap) < 0.0005:
        return (
            f"The autoencoder and {best.name} tie on this split: AUC {ae.auc:.3f} each, "
            "so the simpler detector does as well."
        )
    if gap > 0:
        return (
            f"The autoencoder wins on this split: AUC {ae.auc:.3f}, {gap:.3f} ahead of the best "
            f"classic detector, {best.name} ({best.auc:.3f})."
        )
    return (
        f"{best.name} wins on this split: AUC {best.auc:.3f} vs the autoencoder's "
        f"{ae.auc:.3f} (+{-gap:.3f})."
    )


def as_records(results: Mapping[str, BaselineResult]) -> dict[str, dict]:
    """``{"pca": {"auc": …, "seconds": …}, …}``: the JSON the CLI and the assets store."""
    return {k: {"auc": r.auc, "seconds": r.seconds} for k, r in results.items()}
