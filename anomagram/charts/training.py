"""Charts of a training run: loss per epoch, error histogram and ROC curve."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from anomagram.charts.style import (
    _GROUP_DOMAIN,
    _GROUP_RANGE,
    BASELINE_COLOR,
    CHANCE_COLOR,
    DEFAULT_HEIGHT,
    EPOCH_AXIS_TITLE,
    ERROR_AXIS_TITLE,
    LOSS_AXIS_TITLE,
    MODEL_COLOR,
    TEXT_COLOR,
    TRAIN_COLOR,
    VAL_COLOR,
    AnyChart,
    _as_float_1d,
    _count_axis,
    _even_indices,
    _finite_or_none,
    _message,
    _sig,
    _title,
)

_MAX_LOSS_POINTS = 150

# --------------------------------------------------------------------------------------------
# Training progress
# --------------------------------------------------------------------------------------------


def loss_chart(
    epochs: Sequence[int],
    loss: Sequence[float],
    val_loss: Sequence[float],
    *,
    total_epochs: int | None = None,
) -> AnyChart:
    """Training vs validation loss per epoch (lines with points).

    ``val_loss`` may be shorter than ``epochs`` (or empty) when no validation split is used; the
    missing values are simply not drawn.
    """
    ep = _as_float_1d(list(epochs))
    n = ep.size
    series = {
        "Training loss": _as_float_1d(list(loss)),
        "Validation loss": _as_float_1d(list(val_loss)),
    }
    idx = _even_indices(n, _MAX_LOSS_POINTS)
    frames = []
    for name, values in series.items():
        m = min(n, values.size)
        take = idx[idx < m]
        ok = take[np.isfinite(ep[take]) & np.isfinite(values[take])]
        frames.append(
            pd.DataFrame(
                {
                    "epoch": ep[ok].astype(int),
                    "series": name,
                    "loss": _sig(values[ok]),
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)

    # A fixed domain keeps the x axis still while epochs stream in during live training.
    first = min(int(df["epoch"].min()), 1) if len(df) else 1
    last = int(df["epoch"].max()) if len(df) else 1
    hi = max(int(total_epochs or 0), last, first)
    domain = [first, hi] if hi > first else [first - 1, first + 1]

    chart = (
        alt.Chart(df)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=40), strokeWidth=2)
        .encode(
            x=alt.X(
                "epoch:Q",
                title=EPOCH_AXIS_TITLE,
                scale=alt.Scale(domain=domain, nice=False),
                axis=alt.Axis(format="d", tickMinStep=1),
            ),
            y=alt.Y("loss:Q", title=LOSS_AXIS_TITLE),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(
                    domain=["Training loss", "Validation loss"],
                    range=[TRAIN_COLOR, VAL_COLOR],
                ),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("epoch:Q", title="Epoch"),
                alt.Tooltip("series:N", title="Curve"),
                alt.Tooltip("loss:Q", title="Loss (MSE)", format=".4g"),
            ],
        )
    )
    title = _title(
        "Training progress: loss per epoch",
        ["Lower is better. Validation loss is measured on", "beats the model does not train on."],
    )
    if df.empty:
        return alt.layer(chart, _message("Waiting for the first epoch...")).properties(
            title=title, height=DEFAULT_HEIGHT
        )
    return chart.properties(title=title, height=DEFAULT_HEIGHT)


# --------------------------------------------------------------------------------------------
# Reconstruction errors
# --------------------------------------------------------------------------------------------


def _histogram_frame(
    errors: np.ndarray, is_abnormal: np.ndarray, bins: int, x_max: float | None
) -> tuple[pd.DataFrame, float, int]:
    err = _as_float_1d(errors)
    lab = np.asarray(is_abnormal).ravel()
    if err.size != lab.size:
        raise ValueError(
            f"errors and is_abnormal must have the same length ({err.size} != {lab.size})"
        )
    lab = lab.astype(bool)
    finite = np.isfinite(err)
    dropped = int((~finite).sum())
    err, lab = err[finite], lab[finite]

    hi = _finite_or_none(x_max)
    if hi is None or hi <= 0:
        hi = float(err.max()) if err.size else 0.0
    if not hi > 0:
        # All errors zero (or no data): any positive range shows the single spike at zero.
        hi = 1.0
    bins = max(1, int(bins))
    edges = np.linspace(0.0, hi, bins + 1)
    # Values beyond a caller-fixed x_max are piled into the last bin rather than silently lost.
    clipped = np.clip(err, 0.0, hi)

    rows = []
    for group, mask in (("Normal", ~lab), ("Abnormal", lab)):
        counts, _ = np.histogram(clipped[mask], bins=edges)
        total = int(mask.sum())
        for i in np.flatnonzero(counts):
            lo_edge, hi_edge = edges[i], edges[i + 1]
            rng = f"{lo_edge:.3g} - {hi_edge:.3g}"
            if i == bins - 1 and x_max is not None and err.size and err.max() > hi:
                rng = f">= {lo_edge:.3g}"
            rows.append(
                {
                    "group": group,
                    "bin_start": lo_edge,
                    "bin_end": hi_edge,
                    "count": int(counts[i]),
                    "range": rng,
                    "share": counts[i] / total,
                }
            )
    df = pd.DataFrame(rows, columns=["group", "bin_start", "bin_end", "count", "range", "share"])
    if len(df):
        df["bin_start"] = _sig(df["bin_start"], 6)
        df["bin_end"] = _sig(df["bin_end"], 6)
        df["share"] = _sig(df["share"], 3)
    return df, hi, dropped


def error_histogram(
    errors: np.ndarray,
    is_abnormal: np.ndarray,
    *,
    threshold: float | None = None,
    bins: int = 40,
    x_max: float | None = None,
    title: str | None = None,
    legend_title: str = "True label",
    note: str | None = None,
    unit: str = "beats",
    labelled: bool = True,
) -> AnyChart:
    """Overlaid histograms of reconstruction error for normal and abnormal beats.

    Binning is done here with numpy so the chart carries at most ``2 * bins`` rows however many
    beats there are. Pass a fixed ``x_max`` to keep the axis still across epochs. When the
    groups are the model's verdicts rather than true labels, say so with ``legend_title``.
    ``note`` (e.g. "epoch 12") is written in the plot's top right corner as data, not in the
    title, so a chart redrawn every epoch keeps one spec and only its data changes.
    ``unit`` names the rows (beats, windows); without labels (``labelled=False``) they are one
    group, "Unlabelled", not "Normal".
    """
    title = f"Reconstruction error of test {unit}" if title is None else title
    df, hi, dropped = _histogram_frame(errors, is_abnormal, bins, x_max)
    domain, colours = _GROUP_DOMAIN, _GROUP_RANGE
    if not labelled:
        df = df.replace({"group": {"Normal": "Unlabelled"}})
        domain, colours, legend_title = ["Unlabelled"], _GROUP_RANGE[:1], "Test " + unit
    thr = _finite_or_none(threshold)
    x_hi = max(hi, thr * 1.05) if thr is not None else hi
    # Vega-Lite does not clip marks to the plot, so an out-of-range rule would float outside it.
    x_lo = min(0.0, thr) if thr is not None else 0.0

    bars = (
        alt.Chart(df)
        .mark_bar(opacity=0.6, binSpacing=0)
        .encode(
            x=alt.X(
                "bin_start:Q",
                bin="binned",
                title=ERROR_AXIS_TITLE,
                scale=alt.Scale(domain=[x_lo, x_hi], nice=False),
            ),
            x2=alt.X2("bin_end:Q"),
            y=alt.Y("count:Q", stack=None, title=f"Number of {unit}", axis=_count_axis()),
            color=alt.Color(
                "group:N",
                title=legend_title,
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("group:N", title=unit.capitalize()),
                alt.Tooltip("range:N", title="Error range"),
                alt.Tooltip("count:Q", title=f"Number of {unit}"),
                alt.Tooltip("share:Q", title="Share of this group", format=".1%"),
            ],
        )
    )
    layers: list[alt.Chart] = [bars]
    if thr is not None:
        # Keep the label inside the plot: flip it to the left of the rule near the right edge.
        right_side = thr > 0.6 * x_hi
        rule_df = pd.DataFrame(
            {
                "threshold": [thr],
                "label": [f"Threshold {thr:.3g}"],
                "meaning": [f"{unit.capitalize()} with a larger error are flagged as abnormal"],
            }
        )
        tooltip = [
            alt.Tooltip("threshold:Q", title="Threshold", format=".4g"),
            alt.Tooltip("meaning:N", title="Meaning"),
        ]
        rule = (
            alt.Chart(rule_df)
            .mark_rule(color=TEXT_COLOR, strokeDash=[6, 3], size=2)
            .encode(x=alt.X("threshold:Q"), tooltip=tooltip)
        )
        label = (
            alt.Chart(rule_df)
            .mark_text(
                align="right" if right_side else "left",
                dx=-5 if right_side else 5,
                baseline="top",
                fontWeight="bold",
                color=TEXT_COLOR,
            )
            .encode(
                x=alt.X("threshold:Q"),
                y=alt.YValue(4),
                text=alt.Text("label:N"),
                tooltip=tooltip,
            )
        )
        layers += [rule, label]
    if note:
        layers.append(
            alt.Chart(pd.DataFrame({"note": [note]}))
            .mark_text(align="right", baseline="top", dx=-4, dy=22, fontWeight="bold")
            .encode(x=alt.XValue("width"), y=alt.YValue(0), text=alt.Text("note:N"))
        )
    if df.empty:
        layers.append(_message("No reconstruction errors to show yet"))

    n_normal = int(df.loc[df["group"] == "Normal", "count"].sum()) if len(df) else 0
    n_abnormal = int(df.loc[df["group"] == "Abnormal", "count"].sum()) if len(df) else 0
    if labelled:
        subtitle = [f"{n_normal} normal and {n_abnormal} abnormal {unit}"]
    else:
        n_all = int(df["count"].sum()) if len(df) else 0
        subtitle = [f"{n_all} {unit}, none labelled: the threshold splits them"]
    if dropped:
        subtitle.append(f"({dropped} invalid values ignored)")
    return alt.layer(*layers).properties(title=_title(title, subtitle), height=DEFAULT_HEIGHT)


# --------------------------------------------------------------------------------------------
# ROC
# --------------------------------------------------------------------------------------------


def _roc_points(fpr: np.ndarray, tpr: np.ndarray, max_points: int) -> tuple[np.ndarray, ...]:
    f = _as_float_1d(fpr)
    t = _as_float_1d(tpr)
    if f.size != t.size:
        raise ValueError(f"fpr and tpr must have the same length ({f.size} != {t.size})")
    ok = np.isfinite(f) & np.isfinite(t)
    f, t = np.clip(f[ok], 0, 1), np.clip(t[ok], 0, 1)
    if f.size == 0:
        return np.zeros(0), np.zeros(0)
    # Anchor the curve at both corners so every curve spans the full plot.
    f = np.concatenate([[0.0], f, [1.0]])
    t = np.concatenate([[0.0], t, [1.0]])
    order = np.lexsort((t, f))
    f, t = f[order], t[order]
    keep = np.r_[True, (np.diff(f) != 0) | (np.diff(t) != 0)]
    f, t = f[keep], t[keep]
    max_points = max(3, int(max_points))
    if f.size <= max_points:
        return f, t
    # Evaluate the ROC step function (best TPR reachable at FPR <= g) on an even FPR grid;
    # that keeps the curve's shape at a fixed, small size whatever the test-set size.
    grid = np.linspace(0.0, 1.0, max_points - 1)
    idx = np.searchsorted(f, grid, side="right") - 1
    t_env = np.maximum.accumulate(t)[idx]
    return np.concatenate([[0.0], grid]), np.concatenate([[0.0], t_env])


def _auc_label(name: str, auc: float | None) -> str:
    a = _finite_or_none(auc)
    return f"{name} (AUC {a:.3f})" if a is not None else f"{name} (AUC n/a)"


def roc_chart(
    fpr: np.ndarray,
    tpr: np.ndarray,
    auc: float,
    *,
    max_points: int = 120,
    baseline: tuple[np.ndarray, np.ndarray, float] | None = None,
    baseline_name: str | None = None,
    point: tuple[float, float] | None = None,
) -> AnyChart:
    """ROC curve of the autoencoder, optionally with a baseline (``baseline_name``, by default
    the PCA baseline) and the current threshold."""
    model_label = _auc_label("Autoencoder", auc)
    chance_label = "Random guess (AUC 0.5)"
    curves: list[tuple[str, np.ndarray, np.ndarray]] = []
    f, t = _roc_points(fpr, tpr, max_points)
    curves.append((model_label, f, t))
    domain, colors, dashes = [model_label], [MODEL_COLOR], [[1, 0]]
    if baseline is not None:
        b_fpr, b_tpr, b_auc = baseline
        base_label = _auc_label(baseline_name or "PCA baseline", b_auc)
        bf, bt = _roc_points(b_fpr, b_tpr, max_points)
        curves.append((base_label, bf, bt))
        domain.append(base_label)
        colors.append(BASELINE_COLOR)
        dashes.append([6, 3])
    curves.append((chance_label, np.array([0.0, 1.0]), np.array([0.0, 1.0])))
    domain.append(chance_label)
    colors.append(CHANCE_COLOR)
    dashes.append([2, 3])

    df = pd.concat(
        [
            pd.DataFrame(
                {"series": name, "fpr": _sig(cf, 4), "tpr": _sig(ct, 4), "i": range(cf.size)}
            )
            for name, cf, ct in curves
        ],
        ignore_index=True,
    )
    axis_fmt = alt.Axis(format=".0%")
    x_enc = alt.X(
        "fpr:Q",
        title=["False positive rate", "(share of normal beats flagged)"],
        scale=alt.Scale(domain=[0, 1]),
        axis=axis_fmt,
    )
    y_enc = alt.Y(
        "tpr:Q",
        # Two lines: in the Streamlit theme the one-line vertical title is taller than the
        # plot, which squeezes the plot and pushes the chart title out of view.
        title=["True positive rate", "(share of abnormal beats caught)"],
        scale=alt.Scale(domain=[0, 1]),
        axis=axis_fmt,
    )
    lines = (
        alt.Chart(df)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=x_enc,
            y=y_enc,
            # The path must follow the curve's own point order: sorting by x would scramble
            # the vertical steps where several points share one FPR.
            order=alt.Order("i:Q"),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=domain, range=colors),
                legend=alt.Legend(orient="bottom-right", symbolStrokeWidth=3),
            ),
            strokeDash=alt.StrokeDash(
                "series:N", title=None, scale=alt.Scale(domain=domain, range=dashes)
            ),
            tooltip=[
                alt.Tooltip("series:N", title="Curve"),
                alt.Tooltip("fpr:Q", title="Normal beats flagged", format=".1%"),
                alt.Tooltip("tpr:Q", title="Abnormal beats caught", format=".1%"),
            ],
        )
    )
    layers: list[alt.Chart] = [lines]
    p = None
    if point is not None:
        px, py = _finite_or_none(point[0]), _finite_or_none(point[1])
        if px is not None and py is not None:
            p = (min(max(px, 0.0), 1.0), min(max(py, 0.0), 1.0))
    if p is not None:
        point_df = pd.DataFrame({"fpr": [p[0]], "tpr": [p[1]], "label": ["Current threshold"]})
        tooltip = [
            alt.Tooltip("label:N", title="Marker"),
            alt.Tooltip("fpr:Q", title="Normal beats flagged", format=".1%"),
            alt.Tooltip("tpr:Q", title="Abnormal beats caught", format=".1%"),
        ]
        marker = (
            alt.Chart(point_df)
            .mark_point(shape="diamond", filled=True, size=160, color=TEXT_COLOR, opacity=1)
            .encode(x=alt.X("fpr:Q"), y=alt.Y("tpr:Q"), tooltip=tooltip)
        )
        marker_label = (
            alt.Chart(point_df)
            .mark_text(align="left", dx=9, dy=10, fontWeight="bold", color=TEXT_COLOR)
            .encode(x=alt.X("fpr:Q"), y=alt.Y("tpr:Q"), text=alt.Text("label:N"), tooltip=tooltip)
        )
        layers += [marker, marker_label]
    if f.size == 0:
        layers.append(_message("No ROC curve yet"))
    title = _title(
        f"ROC curve: {model_label}",
        ["Closer to the top-left corner is better;", "the dotted diagonal is random guessing."],
    )
    return alt.layer(*layers).properties(title=title, height=300)
