"""Result of a parameter sweep (the Experiments page), with classic detectors as references."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from anomagram.baselines import DETECTORS
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

# Short names for the chart title, which must fit one line on a phone.
_METRIC_SHORT = {"auc": "AUC", "f1": "F1", "val_loss": "Validation loss"}
_CAP_PX = 14  # width of the error bars' caps: narrow, however wide a setting's band is
# One Okabe-Ito colour per classic detector drawn as a reference line (PCA is the grey
# baseline every sweep already carries).
DETECTOR_COLORS = {
    "pca": BASELINE_COLOR,
    "knn": "#009E73",
    "lof": "#CC79A7",
    "ocsvm": "#E69F00",
    "iforest": "#56B4E9",
}
_REFERENCE_DASH = [2, 2]

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
    references: pd.DataFrame | None = None,
) -> AnyChart:
    """Result of a parameter sweep: mean ± std of ``metric`` per setting, plus the baseline.

    Error bars are drawn only where there is a spread: one seed (std 0) or a missing std would
    draw a bar of zero length, which shows as a stray horizontal line (its caps).

    ``references`` (columns ``setting``, ``detector``, a key of ``anomagram.baselines
    .DETECTORS``, and ``auc``) adds one dotted line per classic detector, fitted on the same
    splits: flat where the swept setting does not change the split.
    """
    mean_col, std_col = f"{metric}_mean", f"{metric}_std"
    if mean_col not in df.columns or "value" not in df.columns:
        raise ValueError(f"sweep_chart needs columns 'value' and {mean_col!r}")
    mean = _as_float_1d(df[mean_col].to_numpy())
    std = _as_float_1d(df[std_col].to_numpy()) if std_col in df.columns else np.zeros(mean.size)
    spread = np.isfinite(std) & (std > 0) & np.isfinite(mean)
    bar_std = np.where(spread, std, np.nan)
    labels = [str(v) for v in df["value"].tolist()]
    data = pd.DataFrame(
        {
            "setting": labels,
            "mean": _sig(mean),
            "std": _sig(np.where(np.isfinite(std), std, np.nan)),
            "lo": _sig(mean - bar_std),
            "hi": _sig(mean + bar_std),
        }
    )
    runs = _as_float_1d(df["runs"].to_numpy()) if "runs" in df.columns else np.zeros(0)
    runs = runs[np.isfinite(runs)]
    has_baseline = False
    if baseline_col and baseline_col in df.columns:
        base_vals = _as_float_1d(df[baseline_col].to_numpy())
        has_baseline = bool(np.isfinite(base_vals).any())
        data["baseline"] = _sig(base_vals)

    metric_title = _METRIC_TITLES.get(metric, metric)
    refs = _references(references)
    ref_keys = list(dict.fromkeys(refs["detector"]))
    series = ["Autoencoder"] + (["PCA baseline"] if has_baseline else [])
    colors = [MODEL_COLOR, BASELINE_COLOR][: len(series)]
    dashes = [[1, 0], [6, 3]][: len(series)]
    series += [DETECTORS[k] for k in ref_keys]
    colors += [DETECTOR_COLORS[k] for k in ref_keys]
    dashes += [_REFERENCE_DASH] * len(ref_keys)
    color_scale = alt.Scale(domain=series, range=colors)
    dash_scale = alt.Scale(domain=series, range=dashes)
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
    layers = []
    if spread.any():
        layers.append(
            base.transform_filter("isValid(datum.lo)")
            .mark_errorbar(ticks=alt.MarkConfig(size=_CAP_PX), color=MODEL_COLOR)
            .encode(x=x_enc, y=alt.Y("lo:Q", title=metric_title, scale=y_scale), y2=alt.Y2("hi:Q"))
        )
    layers += [
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
    if len(refs):
        layers.append(
            alt.Chart(refs)
            .mark_line(strokeWidth=1.5, point=alt.OverlayMarkDef(filled=True, size=25))
            .encode(
                x=x_enc,
                y=alt.Y("auc:Q", title=metric_title, scale=y_scale),
                color=color,
                strokeDash=dash,
                tooltip=[
                    alt.Tooltip("setting:O", title=param_title),
                    alt.Tooltip("series:N", title="Classic detector"),
                    alt.Tooltip("auc:Q", title="AUC (mean over the same splits)", format=".3f"),
                ],
            )
        )
    if data.empty:
        layers.append(_message("No experiment results yet"))
    most = int(runs.max()) if runs.size else 0
    if spread.any():
        runs_text = f"{most} runs" if most and runs.min() == most else "repeated runs"
        subtitle = f"Dots: mean of {runs_text} per value; bars: ± 1 standard deviation."
    elif most == 1:
        subtitle = "Dots: one run per value. Run more seeds to see the spread."
    elif most > 1:
        subtitle = f"Dots: mean of {most} runs per value; the runs did not differ."
    else:
        subtitle = "Dots: the result for each value."
    short = _METRIC_SHORT.get(metric, metric_title)
    return alt.layer(*layers, data=data).properties(
        title=_title(f"{short} by {param_title[:1].lower()}{param_title[1:]}", subtitle),
        height=DEFAULT_HEIGHT,
    )


def _references(references: pd.DataFrame | None) -> pd.DataFrame:
    """The reference lines' rows with a finite AUC, each named by its detector."""
    columns = ["setting", "detector", "auc", "series"]
    if references is None or not len(references):
        return pd.DataFrame(columns=columns)
    unknown = set(references["detector"]) - set(DETECTOR_COLORS)
    if unknown:
        raise ValueError(f"unknown detectors in references: {sorted(unknown)}")
    auc = _as_float_1d(references["auc"].to_numpy())
    keep = np.isfinite(auc)
    return pd.DataFrame(
        {
            "setting": [str(v) for v in references["setting"][keep]],
            "detector": list(references["detector"][keep]),
            "auc": _sig(auc[keep]),
            "series": [DETECTORS[k] for k in references["detector"][keep]],
        },
        columns=columns,
    )
