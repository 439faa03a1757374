"""Result of a parameter sweep (the Experiments page)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from anomagram.charts.style import (
    BASELINE_COLOR,
    DEFAULT_HEIGHT,
    LOSS_AXIS_TITLE,
    MODEL_COLOR,
    AnyChart,
    _as_float_1d,
    _message,
    _sig,
    _title,
)

_METRIC_TITLES = {
    "auc": "AUC (area under ROC curve)",
    "f1": "F1 score",
    "accuracy": "Accuracy",
    "precision": "Precision",
    "recall": "Recall",
    "loss": LOSS_AXIS_TITLE,
    "val_loss": "Validation loss (MSE, scaled units)",
}


def sweep_chart(
    df: pd.DataFrame,
    *,
    param_title: str,
    metric: str = "auc",
    baseline_col: str | None = "baseline_auc",
) -> AnyChart:
    """Result of a parameter sweep: mean +- std of ``metric`` per setting, plus the baseline."""
    mean_col, std_col = f"{metric}_mean", f"{metric}_std"
    if mean_col not in df.columns or "value" not in df.columns:
        raise ValueError(f"sweep_chart needs columns 'value' and {mean_col!r}")
    mean = _as_float_1d(df[mean_col].to_numpy())
    std = _as_float_1d(df[std_col].to_numpy()) if std_col in df.columns else np.zeros(mean.size)
    std = np.where(np.isfinite(std), std, 0.0)
    labels = [str(v) for v in df["value"].tolist()]
    data = pd.DataFrame(
        {
            "setting": labels,
            "mean": _sig(mean),
            "std": _sig(std),
            "lo": _sig(mean - std),
            "hi": _sig(mean + std),
        }
    )
    has_baseline = False
    if baseline_col and baseline_col in df.columns:
        base_vals = _as_float_1d(df[baseline_col].to_numpy())
        has_baseline = bool(np.isfinite(base_vals).any())
        data["baseline"] = _sig(base_vals)

    metric_title = _METRIC_TITLES.get(metric, metric)
    series = ["Autoencoder"] + (["PCA baseline"] if has_baseline else [])
    color_scale = alt.Scale(domain=series, range=[MODEL_COLOR, BASELINE_COLOR][: len(series)])
    dash_scale = alt.Scale(domain=series, range=[[1, 0], [6, 3]][: len(series)])
    legend = alt.Legend(orient="top", title=None)
    x_enc = alt.X(
        "setting:O",
        # Keep the experiment's own order (e.g. 2, 4, 16), not lexicographic order.
        sort=list(dict.fromkeys(labels)),
        title=param_title,
        axis=alt.Axis(labelAngle=0),
    )
    tooltip = [
        alt.Tooltip("setting:O", title=param_title),
        alt.Tooltip("mean:Q", title=f"{metric_title} (mean)", format=".3f"),
        alt.Tooltip("std:Q", title="Standard deviation", format=".3f"),
    ]
    if has_baseline:
        tooltip.append(alt.Tooltip("baseline:Q", title="PCA baseline", format=".3f"))
    y_scale = alt.Scale(zero=False)
    base = alt.Chart()
    color = alt.Color("series:N", scale=color_scale, legend=legend)
    dash = alt.StrokeDash("series:N", scale=dash_scale, legend=legend)
    layers = [
        base.mark_errorbar(ticks=True, color=MODEL_COLOR).encode(
            x=x_enc, y=alt.Y("lo:Q", title=metric_title, scale=y_scale), y2=alt.Y2("hi:Q")
        ),
        base.transform_calculate(series="'Autoencoder'")
        .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(filled=True, size=70))
        .encode(
            x=x_enc,
            y=alt.Y("mean:Q", title=metric_title, scale=y_scale),
            color=color,
            strokeDash=dash,
            tooltip=tooltip,
        ),
    ]
    if has_baseline:
        layers.append(
            base.transform_filter("isValid(datum.baseline)")
            .transform_calculate(series="'PCA baseline'")
            .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(filled=True, size=40))
            .encode(
                x=x_enc,
                y=alt.Y("baseline:Q", title=metric_title, scale=y_scale),
                color=color,
                strokeDash=dash,
                tooltip=tooltip,
            )
        )
    if data.empty:
        layers.append(_message("No experiment results yet"))
    return alt.layer(*layers, data=data).properties(
        title=_title(
            f"{metric_title} by {param_title}",
            "Dots: mean over repeated runs; bars: +- 1 standard deviation.",
        ),
        height=DEFAULT_HEIGHT,
    )
