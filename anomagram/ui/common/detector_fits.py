"""The classic detectors of ``anomagram.baselines``, fitted in the background once per split.

The Train page's leaderboard and ROC overlay and the Experiments page's reference lines ask for
the same fits, so they share one registry per server process. A detector's inputs are fixed by
the data (``datasets.data_id``: its settings and, for an upload, the digest of the file, so two
files of one name never share a fit) and the split's fields (PCA's also by the bottleneck
size), so each is fitted at most once per split: a rerun, a threshold move or another visitor
with the same split never refits. The fits
run one at a time in one background thread, so a page run never waits for scikit-learn unless
it chooses to (``wait``), and a busy server gets one extra core's worth of work, not five.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_all

import streamlit as st

from anomagram import baselines
from anomagram.data import DataError
from anomagram.spec import Spec
from anomagram.training import Prepared, prepare
from anomagram.ui.common import datasets

# The fields that decide which beats land in the training and test sets.
SPLIT_FIELDS = ("train_size", "test_size", "abnormal_pct", "seed")
# Finished fits kept: each holds one score per test beat (at most 500 floats), so this is a
# few megabytes at most; the oldest is dropped first.
MAX_FITS = 400


def fit_key(spec: Spec, detector: str, data: tuple) -> tuple:
    """What a fit of ``detector`` depends on: the data (a ``datasets.data_id``), the split,
    and for PCA the bottleneck size."""
    split = tuple(getattr(spec, name) for name in SPLIT_FIELDS)
    return (detector, data, *split, spec.latent if detector == "pca" else None)


def _prepared(spec: Spec, dataset=None) -> Prepared:
    # Built-in datasets are cached by ``sources``; composing a split takes milliseconds.
    return prepare(spec, dataset)


class _Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: OrderedDict[tuple, Future] = OrderedDict()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="anomagram-detectors")

    def submit(
        self, spec: Spec, detectors: Iterable[str], data: Callable[[], Prepared], data_id: tuple
    ) -> dict[str, Future]:
        out = {}
        with self._lock:
            for detector in detectors:
                key = fit_key(spec, detector, data_id)
                job = self._jobs.get(key)
                if job is None:
                    job = self._pool.submit(_fit, detector, spec, data)
                    self._jobs[key] = job
                self._jobs.move_to_end(key)
                out[detector] = job
            while len(self._jobs) > MAX_FITS:
                oldest = next(iter(self._jobs))
                if not self._jobs[oldest].done():
                    break  # still queued: dropping it would fit it again on the next ask
                del self._jobs[oldest]
        return out


def _fit(detector: str, spec: Spec, data: Callable[[], Prepared]) -> baselines.BaselineResult:
    p = data()
    return baselines.fit_score(
        detector,
        p.train_scaled,
        p.test_scaled,
        p.test_is_abnormal,
        components=spec.latent,
        seed=spec.seed,
    )


@st.cache_resource(show_spinner=False)
def _registry() -> _Registry:
    return _Registry()


def _failed(detectors: Iterable[str], exc: BaseException) -> dict[str, Future]:
    out = {}
    for detector in detectors:
        out[detector] = Future()
        out[detector].set_exception(exc)
    return out


def fits(
    spec: Spec,
    detectors: Iterable[str] = tuple(baselines.DETECTORS),
    prepared: Prepared | None = None,
    data_id: tuple | None = None,
) -> dict[str, Future]:
    """Start (or find) the fits of ``detectors`` on ``spec``'s split; returns their futures.

    ``prepared`` is the split if the caller has it already (a trainer's), with ``data_id``
    naming its data (default: the data ``spec`` names in this session); otherwise the split is
    composed from the spec in the background thread. An uploaded CSV is read here, in the
    session's own thread: the background thread cannot see the session's upload.
    """
    data_id = datasets.data_id(spec) if data_id is None else data_id
    if prepared is not None:
        data = lambda: prepared  # noqa: E731
    elif datasets.is_csv(spec):
        try:
            dataset = datasets.dataset_for(spec)
        except DataError as exc:
            return _failed(detectors, exc)  # not kept: the file may come later
        data = lambda: _prepared(spec, dataset)  # noqa: E731
    else:
        data = lambda: _prepared(spec)  # noqa: E731
    return _registry().submit(spec, detectors, data, data_id)


def finished(jobs: Mapping[str, Future]) -> dict[str, baselines.BaselineResult]:
    """The results of the jobs that are done and did not fail."""
    return {k: j.result() for k, j in jobs.items() if j.done() and j.exception() is None}


def failed(jobs: Mapping[str, Future]) -> dict[str, BaseException]:
    return {k: j.exception() for k, j in jobs.items() if j.done() and j.exception() is not None}


def pending(jobs: Mapping[str, Future]) -> list[str]:
    return [k for k, j in jobs.items() if not j.done()]


def wait(jobs: Iterable[Future], timeout: float | None = None) -> bool:
    """Block until every job is done (or ``timeout`` seconds pass); True if all are done."""
    _, not_done = wait_all(list(jobs), timeout=timeout)
    return not not_done
