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
    title_text,
    walk,
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
    assert "Latent size" in title_text(d)
    x_sorts = [s["encoding"]["x"].get("sort") for s in walk(d) if "encoding" in s]
    assert ["16", "2", "4"] in x_sorts  # the df's order, not sorted
    rows = {r["setting"]: r for r in rows_with(d, "setting")}
    assert (rows["16"]["lo"], rows["16"]["hi"]) == (pytest.approx(0.94), pytest.approx(0.96))
    assert rows["4"]["lo"] == rows["4"]["hi"] == pytest.approx(0.93)  # NaN std -> no bar
    assert "errorbar" in mark_types(d)
    colors = scale_of(d, "color", "series")
    assert colors["domain"] == ["Autoencoder", "PCA baseline"]
    assert colors["range"][1] == C.BASELINE_COLOR
    assert scale_of(d, "strokeDash", "series")["range"][1] != [1, 0]  # dashed baseline


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
