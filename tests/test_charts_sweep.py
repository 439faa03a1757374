"""Tests for sweep_chart."""

import numpy as np
import pandas as pd
import pytest
from test_charts import (
    assert_common,
    axis_titles,
    mark_types,
    raw,
    rows_with,
    scale_of,
    spec,
    subtitle_text,
    title_text,
    walk,
    with_mark,
)

from anomagram import charts as C


def test_sweep_chart_with_baseline():
    df = pd.DataFrame(
        {
            "value": [16, 2, 4],
            "auc_mean": [0.95, 0.90, 0.93],
            "auc_std": [0.01, 0.02, np.nan],
            "baseline_auc": [0.88, 0.88, 0.88],
        }
    )
    d = spec(C.sweep_chart(df, param_title="Latent size"))
    assert_common(d)
    assert {"Latent size", "AUC (area under ROC curve)"} <= axis_titles(d)
    assert title_text(d) == "AUC by latent size"
    x_sorts = [s["encoding"]["x"].get("sort") for s in walk(d) if "encoding" in s]
    assert ["16", "2", "4"] in x_sorts  # the df's order, not sorted
    rows = {r["setting"]: r for r in rows_with(d, "setting")}
    assert (rows["16"]["lo"], rows["16"]["hi"]) == (pytest.approx(0.94), pytest.approx(0.96))
    assert rows["4"]["lo"] is None and rows["4"]["hi"] is None  # NaN std -> no bar
    (bar,) = with_mark(d, "errorbar")
    assert bar["transform"] == [{"filter": "isValid(datum.lo)"}]
    assert bar["mark"]["ticks"] == {"size": 14}  # narrow caps, however wide the band
    assert "±" in subtitle_text(d) and "+-" not in subtitle_text(d)
    colors = scale_of(d, "color", "series")
    assert colors["domain"] == ["Autoencoder", "PCA baseline"]
    assert colors["range"][1] == C.BASELINE_COLOR
    assert scale_of(d, "strokeDash", "series")["range"][1] != [1, 0]  # dashed baseline


def test_sweep_chart_one_seed_draws_no_error_bars():
    """One seed gives std 0: a zero-length bar showed as a stray horizontal line (its caps)."""
    df = pd.DataFrame(
        {
            "value": ["0 %", "30 %"],
            "auc_mean": [0.97, 0.8],
            "auc_std": [0.0, 0.0],
            "runs": [1, 1],
        }
    )
    d = spec(C.sweep_chart(df, param_title="Abnormal share of training data"))
    assert "errorbar" not in mark_types(d)
    assert all(r["lo"] is None and r["hi"] is None for r in rows_with(d, "setting"))
    assert "one run per value" in subtitle_text(d)
    three = df.assign(auc_std=[0.01, 0.0], runs=3)
    d = raw(C.sweep_chart(three, param_title="Abnormal share of training data"))
    rows = {r["setting"]: r for r in rows_with(d, "setting")}
    assert rows["0 %"]["hi"] == pytest.approx(0.98) and rows["30 %"]["hi"] is None
    assert subtitle_text(d).startswith("Dots: mean of 3 runs per value; bars: ± 1 standard")


def test_sweep_chart_without_baseline_and_other_metric():
    df = pd.DataFrame({"value": ["relu", "tanh"], "f1_mean": [0.8, 0.7], "f1_std": [0.1, 0.1]})
    d = spec(C.sweep_chart(df, param_title="Activation", metric="f1"))
    assert "F1 score" in axis_titles(d)
    assert scale_of(d, "color", "series")["domain"] == ["Autoencoder"]
    all_nan = df.assign(baseline_auc=np.nan, auc_mean=[0.8, 0.9])
    d = raw(C.sweep_chart(all_nan, param_title="Activation"))
    assert scale_of(d, "color", "series")["domain"] == ["Autoencoder"]
    spec(C.sweep_chart(pd.DataFrame({"value": [], "auc_mean": []}), param_title="x"))
    with pytest.raises(ValueError):
        C.sweep_chart(df, param_title="Activation", metric="auc")


def test_sweep_chart_draws_classic_detectors_as_dotted_reference_lines():
    df = pd.DataFrame(
        {
            "value": ["0 %", "30 %"],
            "auc_mean": [0.97, 0.8],
            "auc_std": [0.01, 0.1],
            "runs": [3, 3],
            "baseline_auc_mean": [0.99, 0.7],
        }
    )
    refs = pd.DataFrame(
        {
            "setting": ["0 %", "30 %", "0 %", "30 %"],
            "detector": ["lof", "lof", "knn", "knn"],
            "auc": [0.997, 0.71, 0.995, np.nan],
        }
    )
    d = spec(
        C.sweep_chart(
            df, param_title="Abnormal share", baseline_col="baseline_auc_mean", references=refs
        )
    )
    assert_common(d)
    colors = scale_of(d, "color", "series")
    assert colors["domain"] == [
        "Autoencoder",
        "PCA baseline",
        "Local Outlier Factor",
        "k-nearest neighbours",
    ]
    assert colors["range"][2:] == [C.sweep.DETECTOR_COLORS["lof"], C.sweep.DETECTOR_COLORS["knn"]]
    assert len(set(colors["range"])) == 4
    dashes = scale_of(d, "strokeDash", "series")["range"]
    assert dashes[2] == dashes[3] == [2, 2] and dashes[0] == [1, 0]
    rows = rows_with(d, "detector")
    # A NaN AUC (a failed fit) is left out rather than drawn at 0.
    assert [(r["setting"], r["series"], r["auc"]) for r in rows] == [
        ("0 %", "Local Outlier Factor", 0.997),
        ("30 %", "Local Outlier Factor", 0.71),
        ("0 %", "k-nearest neighbours", 0.995),
    ]
    with pytest.raises(ValueError, match="unknown detectors"):
        C.sweep_chart(df, param_title="x", references=refs.assign(detector="svm"))
    # No references: the chart is the one it always was.
    plain = spec(
        C.sweep_chart(
            df,
            param_title="Abnormal share",
            baseline_col="baseline_auc_mean",
            references=refs.iloc[:0],
        )
    )
    assert scale_of(plain, "color", "series")["domain"] == ["Autoencoder", "PCA baseline"]
