"""Tests for the training-run charts: loss_chart, error_histogram, roc_chart."""

import numpy as np
import pytest
from test_charts import (
    assert_common,
    axis_titles,
    mark_types,
    message_rows,
    n_rows,
    raw,
    rows_with,
    scale_of,
    spec,
    title_text,
    with_mark,
)

from anomagram import charts as C

RNG = np.random.default_rng(42)


# --------------------------------------------------------------------------------------------
# loss_chart
# --------------------------------------------------------------------------------------------


def test_loss_chart_basic():
    d = spec(C.loss_chart([1, 2, 3], [0.3, 0.2, 0.1], [0.35, 0.25, 0.15], total_epochs=20))
    assert_common(d)
    assert {"Epoch", "Loss (MSE, scaled units)"} <= axis_titles(d)
    assert n_rows(d) == 6
    assert scale_of(d, "x", "epoch")["domain"] == [1, 20]
    colors = scale_of(d, "color", "series")
    assert colors["range"] == [C.TRAIN_COLOR, C.VAL_COLOR] == ["#0072B2", "#E69F00"]
    val = sorted(r["loss"] for r in rows_with(d, "series") if r["series"] == "Validation loss")
    assert val == [0.15, 0.25, 0.35]
    assert d["height"] >= 200


def test_loss_chart_domain_without_total_and_edge_cases():
    d = raw(C.loss_chart([1, 2, 3, 4], [4, 3, 2, 1], [4, 3, 2, 1]))
    assert scale_of(d, "x", "epoch")["domain"] == [1, 4]

    empty = spec(C.loss_chart([], [], [], total_epochs=10))
    assert_common(empty)
    assert rows_with(empty, "series") == []
    assert message_rows(empty), "an empty loss chart should say it is waiting"
    assert scale_of(empty, "x", "epoch")["domain"] == [1, 10]

    one = raw(C.loss_chart([1], [0.5], []))  # no validation split yet
    assert [r["series"] for r in rows_with(one, "series")] == ["Training loss"]
    lo, hi = scale_of(one, "x", "epoch")["domain"]
    assert lo < 1 < hi  # the single point is not squashed onto an axis edge


def test_loss_chart_drops_nan_and_downsamples_long_runs():
    d = raw(C.loss_chart([1, 2, 3], [0.3, float("nan"), 0.1], [0.3, 0.2, float("inf")]))
    assert n_rows(d) == 4

    n = 1000
    d = raw(C.loss_chart(range(1, n + 1), np.linspace(1, 0, n), np.linspace(1, 0, n)))
    assert n_rows(d) <= 300
    epochs = {r["epoch"] for r in rows_with(d, "epoch")}
    assert {1, n} <= epochs  # first and latest epoch always shown


# --------------------------------------------------------------------------------------------
# error_histogram
# --------------------------------------------------------------------------------------------


def test_error_histogram_bins_server_side():
    errors = RNG.gamma(2.0, 0.01, 10_000)
    abnormal = RNG.random(10_000) < 0.3
    d = spec(C.error_histogram(errors, abnormal, threshold=0.03, bins=40))
    assert_common(d)
    assert title_text(d) == "Reconstruction error of test beats"
    assert {"Reconstruction error (MSE, scaled units)", "Number of beats"} <= axis_titles(d)
    bars = rows_with(d, "count")
    assert 0 < len(bars) <= 2 * 40
    assert n_rows(d) <= 2 * 40 + 2
    by_group = {g: sum(r["count"] for r in bars if r["group"] == g) for g in ("Normal", "Abnormal")}
    assert by_group == {"Normal": int((~abnormal).sum()), "Abnormal": int(abnormal.sum())}
    assert scale_of(d, "color", "group")["range"] == [C.NORMAL_COLOR, C.ABNORMAL_COLOR]
    widths = [r["bin_end"] - r["bin_start"] for r in bars]
    assert widths == pytest.approx([errors.max() / 40] * len(bars), rel=1e-3)


def test_error_histogram_counts_whole_beats():
    """A count axis never shows 0.5 or 1.5 beats."""
    d = raw(C.error_histogram(np.array([0.1, 0.2]), np.array([False, True])))
    (bar,) = with_mark(d, "bar")
    assert bar["encoding"]["y"]["title"] == "Number of beats"
    assert bar["encoding"]["y"]["axis"] == {"format": "d", "tickMinStep": 1}


def test_error_histogram_threshold_rule_present_only_when_given():
    errors, abnormal = RNG.random(200) * 0.1, RNG.random(200) < 0.5
    with_thr = spec(C.error_histogram(errors, abnormal, threshold=0.042))
    assert "rule" in mark_types(with_thr)
    thr_rows = rows_with(with_thr, "threshold")
    assert thr_rows and thr_rows[0]["threshold"] == pytest.approx(0.042)
    assert any("0.042" in r["label"] for r in thr_rows)

    without = spec(C.error_histogram(errors, abnormal))
    assert "rule" not in mark_types(without)
    assert rows_with(without, "threshold") == []
    nan_thr = raw(C.error_histogram(errors, abnormal, threshold=float("nan")))
    assert "rule" not in mark_types(nan_thr)


def test_error_histogram_fixed_x_max_keeps_every_beat():
    errors = np.array([0.01, 0.02, 0.5, 2.0])
    d = raw(C.error_histogram(errors, np.array([0, 0, 1, 1]), x_max=0.1, bins=10))
    bars = rows_with(d, "count")
    assert sum(r["count"] for r in bars) == 4
    assert max(r["bin_end"] for r in bars) == pytest.approx(0.1)
    assert scale_of(d, "x", "bin_start")["domain"] == [0, 0.1]
    # A threshold beyond x_max widens the axis so the rule stays visible.
    d = raw(C.error_histogram(errors, np.array([0, 0, 1, 1]), x_max=0.1, threshold=0.2))
    assert scale_of(d, "x", "bin_start")["domain"][1] >= 0.2


@pytest.mark.parametrize(
    "errors, abnormal, expected_total",
    [
        (np.array([]), np.array([], dtype=bool), 0),
        (np.full(50, 0.25), np.zeros(50, dtype=bool), 50),
        (np.zeros(7), np.ones(7, dtype=bool), 7),
        (np.array([np.nan, np.inf, -np.inf, 0.1, 0.2]), np.array([0, 1, 0, 1, 0]), 2),
        (np.full(5, np.nan), np.zeros(5), 0),
    ],
)
def test_error_histogram_edge_cases(errors, abnormal, expected_total):
    # Empty inputs add a message layer, so validate those; the rest share a validated structure.
    d = (spec if expected_total == 0 else raw)(C.error_histogram(errors, abnormal, threshold=0.1))
    assert_common(d)
    assert sum(r["count"] for r in rows_with(d, "count")) == expected_total
    domain = scale_of(d, "x", "bin_start")["domain"]
    assert domain[0] == 0 and domain[1] > 0
    if expected_total == 0:
        assert message_rows(d)


def test_error_histogram_legend_title():
    errors, abnormal = RNG.random(50) * 0.1, RNG.random(50) < 0.5
    titles = [
        sub["encoding"]["color"]["title"]
        for sub in with_mark(raw(C.error_histogram(errors, abnormal)), "bar")
    ]
    assert titles == ["True label"]
    d = raw(C.error_histogram(errors, abnormal, legend_title="Verdict"))
    assert [sub["encoding"]["color"]["title"] for sub in with_mark(d, "bar")] == ["Verdict"]


def test_error_histogram_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        C.error_histogram(np.ones(3), np.ones(4))


# --------------------------------------------------------------------------------------------
# roc_chart
# --------------------------------------------------------------------------------------------


def _smooth_roc(n: int) -> tuple[np.ndarray, np.ndarray]:
    fpr = np.sort(RNG.random(n))
    fpr[0], fpr[-1] = 0.0, 1.0
    return fpr, fpr**0.25


def _curve(d: dict, label_start: str) -> list[dict]:
    rows = [r for r in rows_with(d, "series") if r["series"].startswith(label_start)]
    return sorted(rows, key=lambda r: r["i"])


def test_roc_chart_downsamples_and_keeps_shape():
    fpr, tpr = _smooth_roc(5000)
    d = spec(C.roc_chart(fpr, tpr, 0.91, max_points=120))
    assert_common(d)
    assert "AUC 0.910" in title_text(d)
    assert {
        "False positive rate (share of normal beats flagged)",
        "True positive rate (share of abnormal beats caught)",
    } <= axis_titles(d)
    # The vertical title takes two lines: one line is taller than the plot in the app's theme.
    assert d["layer"][0]["encoding"]["y"]["title"] == [
        "True positive rate",
        "(share of abnormal beats caught)",
    ]
    model = _curve(d, "Autoencoder")
    assert len(model) <= 120
    assert n_rows(d) <= 120 + 3
    xs = np.array([r["fpr"] for r in model])
    ys = np.array([r["tpr"] for r in model])
    assert (xs[0], ys[0]) == (0.0, 0.0) and (xs[-1], ys[-1]) == (1.0, 1.0)
    assert np.all(np.diff(xs) >= 0) and np.all(np.diff(ys) >= 0)
    # The thinned curve must stay on the original one.
    assert np.max(np.abs(ys - np.interp(xs, fpr, tpr))) < 0.05
    chance = _curve(d, "Random guess")
    assert [(r["fpr"], r["tpr"]) for r in chance] == [(0.0, 0.0), (1.0, 1.0)]


def test_roc_chart_small_curve_kept_exactly():
    d = raw(C.roc_chart(np.array([0.0, 0.1, 0.1, 1.0]), np.array([0.0, 0.5, 0.9, 1.0]), 0.95))
    pts = [(r["fpr"], r["tpr"]) for r in _curve(d, "Autoencoder")]
    assert (0.1, 0.5) in pts and (0.1, 0.9) in pts  # corners of the step survive
    order = scale_of(d, "color", "series")["domain"]
    assert order[0].startswith("Autoencoder") and order[-1].startswith("Random")


def test_roc_chart_baseline_and_threshold_marker():
    fpr, tpr = _smooth_roc(500)
    d = spec(C.roc_chart(fpr, tpr, 0.9, baseline=(fpr, np.sqrt(fpr), 0.8), point=(0.2, 0.7)))
    colors = scale_of(d, "color", "series")
    assert "PCA baseline (AUC 0.800)" in colors["domain"]
    assert colors["range"][colors["domain"].index("PCA baseline (AUC 0.800)")] == C.BASELINE_COLOR
    assert len(_curve(d, "PCA baseline")) <= 120
    marker = [r for r in rows_with(d, "label") if r["label"] == "Current threshold"]
    assert marker and (marker[0]["fpr"], marker[0]["tpr"]) == (0.2, 0.7)

    plain = raw(C.roc_chart(fpr, tpr, 0.9))
    assert not any("PCA" in s for s in scale_of(plain, "color", "series")["domain"])
    assert not [r for r in rows_with(plain, "label") if r["label"] == "Current threshold"]


def test_roc_chart_edge_cases():
    d = spec(C.roc_chart(np.array([]), np.array([]), float("nan")))
    assert "n/a" in title_text(d)
    assert _curve(d, "Autoencoder") == []
    d = raw(C.roc_chart(np.array([np.nan, 0.5]), np.array([0.2, np.inf]), 0.5, point=(np.nan, 1)))
    assert [(r["fpr"], r["tpr"]) for r in _curve(d, "Autoencoder")] == []
    with pytest.raises(ValueError):
        C.roc_chart(np.ones(3), np.ones(2), 0.5)
