"""Altair chart builders for the Anomagram app.

Every builder is a pure function from numpy/pandas data to an Altair chart (or, for the network
diagram, a plain Vega-Lite dict). Nothing here imports streamlit or keras, so the charts can be
built and checked in plain unit tests.

Design rules shared by all builders:

* Encodings use channel classes (``alt.Text(...)``, ``alt.X2(...)``) rather than shorthand
  strings or ``alt.value``: Altair resolves those through a schema lookup costing ~13 ms each,
  which adds up for charts rebuilt every epoch.

* Charts are redrawn every training epoch and shipped to the browser inline, so all binning and
  down-sampling happens here in numpy and each chart carries at most a few hundred data rows.
* No fixed width: the app renders with ``st.altair_chart(chart, width="stretch")``.
* One colour-blind-safe (Okabe-Ito) palette, used with the same meaning everywhere.
* Bad input (empty arrays, NaN/inf, absent classes) degrades to an emptier chart, never an
  exception; only contradictory input (mismatched lengths) raises ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TypeAlias

import altair as alt
import numpy as np
import pandas as pd

AnyChart: TypeAlias = alt.Chart | alt.LayerChart | alt.HConcatChart | alt.VConcatChart

NORMAL_COLOR = "#0072B2"
ABNORMAL_COLOR = "#D55E00"

CLASS_NAMES = {
    1: "Normal",
    2: "R-on-T PVC",
    3: "PVC",
    4: "SVPB / ectopic",
    5: "Unclassified",
}
CLASS_COLORS = {
    1: "#0072B2",
    2: "#D55E00",
    3: "#CC79A7",
    4: "#E69F00",
    5: "#009E73",
}

TRAIN_COLOR = "#0072B2"
VAL_COLOR = "#E69F00"
INPUT_COLOR = "#222222"
RECON_COLOR = "#D55E00"
# A light tint of the reconstruction colour: the shaded gap must not compete with the lines.
ERROR_FILL = "#F5BE9C"
MODEL_COLOR = "#0072B2"
BASELINE_COLOR = "#7F7F7F"
CHANCE_COLOR = "#BBBBBB"
TEXT_COLOR = "#222222"

ERROR_AXIS_TITLE = "Reconstruction error (MSE, scaled units)"
LOSS_AXIS_TITLE = "Loss (MSE, scaled units)"
EPOCH_AXIS_TITLE = "Epoch"
SCALED_AMPLITUDE = "Amplitude (scaled 0-1)"
RAW_AMPLITUDE = "Amplitude (z-normalised mV)"

DEFAULT_HEIGHT = 260
_MAX_LOSS_POINTS = 150
_MAX_SCATTER_POINTS = 600

_GROUP_DOMAIN = ["Normal", "Abnormal"]
_GROUP_RANGE = [NORMAL_COLOR, ABNORMAL_COLOR]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def to_vega(chart: alt.TopLevelMixin, height: int | None = None) -> dict:
    """A Vega-Lite dict for ``st.vega_lite_chart``, skipping Altair's schema validation.

    ``st.altair_chart`` validates the whole spec against the Vega-Lite JSON schema on every
    call (50-250 ms per chart here, a third of each live redraw); the builders are validated
    by the unit tests instead. The height is set on the dict because ``chart.properties``
    deep-copies and validates the whole chart.
    """
    spec = chart.to_dict(validate=False)
    view = spec.get("config", {}).get("view", {})
    # Altair's default theme sizes views at 300 px; Streamlit sizes them to the container.
    view.pop("continuousWidth", None)
    view.pop("continuousHeight", None)
    if height is not None:
        # Streamlit fits title, legend and axes into this height.
        spec["height"] = height
    return spec


def _sig(values: np.ndarray | Sequence[float], digits: int = 4) -> list[float | None]:
    """Round to significant digits.

    Inline JSON prints floats at full precision (~18 characters each); four significant digits
    are plenty for a chart and shrink the payload that is resent every epoch by ~3x.
    """
    out: list[float | None] = []
    for v in np.asarray(values, dtype=float).ravel():
        out.append(float(f"{v:.{digits}g}") if math.isfinite(v) else None)
    return out


def _as_float_1d(values: object) -> np.ndarray:
    if values is None:
        return np.zeros(0, dtype=float)
    arr = np.asarray(values, dtype=float)
    return arr.ravel()


def _finite_or_none(value: float | None) -> float | None:
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _class_name(c: object) -> str:
    try:
        key = int(c)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return f"Class {c}"
    return CLASS_NAMES.get(key, f"Class {key}")


def _class_scale(present: Sequence[str] | None = None) -> alt.Scale:
    """Colour scale mapping class names to their fixed colours.

    The domain is limited to the classes actually shown so the legend never lists a class that
    is not on the chart; the name->colour pairing stays fixed regardless.
    """
    names = [CLASS_NAMES[k] for k in sorted(CLASS_NAMES)]
    colors = [CLASS_COLORS[k] for k in sorted(CLASS_NAMES)]
    if present is not None:
        present_set = set(present)
        keep = [i for i, n in enumerate(names) if n in present_set]
        extra = [n for n in present if n not in names]
        names = [names[i] for i in keep] + sorted(extra)
        colors = [colors[i] for i in keep] + ["#999999"] * len(extra)
    return alt.Scale(domain=names, range=colors)


def _title(text: str, subtitle: str | Sequence[str] | None = None) -> alt.TitleParams:
    if subtitle:
        return alt.TitleParams(text=text, subtitle=subtitle, anchor="start")
    return alt.TitleParams(text=text, anchor="start")


def _message(text: str) -> alt.Chart:
    """A centred text layer used when there is nothing to plot yet.

    Positioned in pixels via expressions so it does not take part in (and distort) the data
    scales of the chart it is layered onto.
    """
    return (
        alt.Chart(pd.DataFrame({"message": [text]}))
        .mark_text(fontSize=13, color="#666666")
        .encode(
            x=alt.XValue(alt.expr("width / 2")),
            y=alt.YValue(alt.expr("height / 2")),
            text=alt.Text("message:N"),
        )
    )


def _even_indices(n: int, k: int) -> np.ndarray:
    """At most ``k`` evenly spaced indices into ``range(n)``, always keeping first and last."""
    if n <= k:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, k)).astype(int))


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
        "Lower is better. Validation loss is measured on beats the model does not train on.",
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
    title: str = "Reconstruction error of test beats",
) -> AnyChart:
    """Overlaid histograms of reconstruction error for normal and abnormal beats.

    Binning is done here with numpy so the chart carries at most ``2 * bins`` rows however many
    beats there are. Pass a fixed ``x_max`` to keep the axis still across epochs.
    """
    df, hi, dropped = _histogram_frame(errors, is_abnormal, bins, x_max)
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
            y=alt.Y("count:Q", stack=None, title="Number of beats"),
            color=alt.Color(
                "group:N",
                title="True label",
                scale=alt.Scale(domain=_GROUP_DOMAIN, range=_GROUP_RANGE),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("group:N", title="Beats"),
                alt.Tooltip("range:N", title="Error range"),
                alt.Tooltip("count:Q", title="Number of beats"),
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
                "meaning": ["Beats with a larger error are flagged as abnormal"],
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
    if df.empty:
        layers.append(_message("No reconstruction errors to show yet"))

    n_normal = int(df.loc[df["group"] == "Normal", "count"].sum()) if len(df) else 0
    n_abnormal = int(df.loc[df["group"] == "Abnormal", "count"].sum()) if len(df) else 0
    subtitle = f"{n_normal} normal and {n_abnormal} abnormal beats"
    if dropped:
        subtitle += f" ({dropped} invalid values ignored)"
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
    point: tuple[float, float] | None = None,
) -> AnyChart:
    """ROC curve of the autoencoder, optionally with the PCA baseline and the current threshold."""
    model_label = _auc_label("Autoencoder", auc)
    chance_label = "Random guess (AUC 0.5)"
    curves: list[tuple[str, np.ndarray, np.ndarray]] = []
    f, t = _roc_points(fpr, tpr, max_points)
    curves.append((model_label, f, t))
    domain, colors, dashes = [model_label], [MODEL_COLOR], [[1, 0]]
    if baseline is not None:
        b_fpr, b_tpr, b_auc = baseline
        base_label = _auc_label("PCA baseline", b_auc)
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
        title="False positive rate (share of normal beats flagged)",
        scale=alt.Scale(domain=[0, 1]),
        axis=axis_fmt,
    )
    y_enc = alt.Y(
        "tpr:Q",
        title="True positive rate (share of abnormal beats caught)",
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
        "Closer to the top-left corner is better; the dotted diagonal is random guessing.",
    )
    return alt.layer(*layers).properties(title=title, height=300)


# --------------------------------------------------------------------------------------------
# Latent space
# --------------------------------------------------------------------------------------------


def _stratified_subsample(
    labels: np.ndarray, max_n: int, min_per_class: int = 30, seed: int = 0
) -> np.ndarray:
    """Deterministic subsample that keeps every class visible.

    Uniform sampling would all but erase the rare classes (ECG5000 has a few dozen
    "Unclassified" beats among thousands), which are the interesting ones in the plot.
    """
    n = labels.size
    if n <= max_n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    uniq, counts = np.unique(labels, return_counts=True)
    quota = np.maximum(np.minimum(counts, min_per_class), (counts * max_n) // n)
    excess = int(quota.sum()) - max_n
    while excess > 0:
        j = int(np.argmax(quota))
        cut = min(excess, int(quota[j]) - 1)
        if cut <= 0:
            break
        quota[j] -= cut
        excess -= cut
    picked = [
        rng.choice(np.flatnonzero(labels == u), size=int(q), replace=False)
        for u, q in zip(uniq, quota, strict=True)
    ]
    return np.sort(np.concatenate(picked))


def _pca_2d(z: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project rows ``idx`` of ``z`` onto the first two principal axes fitted on all of ``z``.

    This is exactly what sklearn's PCA computes (centred SVD); doing it in numpy avoids a
    multi-second sklearn import for one small SVD.
    """
    mean = z.mean(axis=0)
    _, s, vt = np.linalg.svd(z - mean, full_matrices=False)
    axes = vt[:2]
    # SVD signs are arbitrary; pin them so the picture does not mirror between redraws.
    signs = np.sign(axes[np.arange(axes.shape[0]), np.argmax(np.abs(axes), axis=1)])
    axes = axes * np.where(signs == 0, 1.0, signs)[:, None]
    var = s**2
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = var[:2] / var.sum()
    return (z[idx] - mean) @ axes.T, ratio


def latent_scatter(
    latent: np.ndarray,
    classes: np.ndarray,
    *,
    title: str = "Bottleneck (latent) space of test beats",
) -> AnyChart:
    """Scatter of the bottleneck codes, coloured (and shaped) by the beat's true class."""
    z = np.asarray(latent, dtype=float)
    if z.ndim == 1:
        z = z[:, None]
    if z.ndim > 2:
        z = z.reshape(z.shape[0], -1)
    labels = np.asarray([_class_name(c) for c in np.asarray(classes).ravel()], dtype=object)
    if labels.size != z.shape[0]:
        raise ValueError(
            f"latent and classes must have the same length ({z.shape[0]} != {labels.size})"
        )
    dim = z.shape[1]
    ok = np.isfinite(z).all(axis=1) if dim else np.zeros(z.shape[0], dtype=bool)
    z, labels = z[ok], labels[ok]
    n_total = z.shape[0]
    idx = _stratified_subsample(labels, _MAX_SCATTER_POINTS)

    if dim == 1:
        x = z[idx, 0]
        # Deterministic jitter: the chart must not shimmer between redraws of the same data.
        y = np.random.default_rng(0).uniform(-1, 1, size=idx.size)
        x_title, y_title = "z1 (the single latent value)", "Random jitter (no meaning)"
        y_axis = alt.Axis(labels=False, ticks=False, grid=False)
    elif dim == 2:
        x, y = z[idx, 0], z[idx, 1]
        x_title, y_title = "z1 (latent dimension 1)", "z2 (latent dimension 2)"
        y_axis = alt.Axis()
    else:
        x_title, y_title = "PC1 of latent", "PC2 of latent"
        y_axis = alt.Axis()
        if n_total >= 2:
            proj, ratio = _pca_2d(z, idx)
            x, y = proj[:, 0], proj[:, 1]
            if np.all(np.isfinite(ratio)):
                x_title = f"PC1 of latent ({ratio[0]:.0%} of variance)"
                y_title = f"PC2 of latent ({ratio[1]:.0%} of variance)"
        else:
            x = y = np.zeros(idx.size)

    df = pd.DataFrame({"x": _sig(x), "y": _sig(y), "class": labels[idx].astype(str)})
    present = [n for n in (CLASS_NAMES[k] for k in sorted(CLASS_NAMES)) if n in set(df["class"])]
    present += sorted(set(df["class"]) - set(present))
    shapes = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "wedge"]
    legend = alt.Legend(orient="right", title="True class")
    chart = (
        alt.Chart(df)
        .mark_point(filled=True, size=45, opacity=0.75)
        .encode(
            x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False)),
            y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False), axis=y_axis),
            color=alt.Color("class:N", scale=_class_scale(present), legend=legend),
            # Shape doubles the colour so classes stay distinguishable in greyscale prints.
            shape=alt.Shape(
                "class:N",
                scale=alt.Scale(domain=present, range=shapes[: max(1, len(present))]),
                legend=legend,
            ),
            tooltip=[
                alt.Tooltip("class:N", title="True class"),
                alt.Tooltip("x:Q", title=x_title.split(" (")[0], format=".3g"),
                alt.Tooltip("y:Q", title=y_title.split(" (")[0], format=".3g"),
            ],
        )
    )
    subtitle = "Each dot is one test beat; beats the model encodes alike sit close together."
    if idx.size < n_total:
        subtitle += f" Showing {idx.size} of {n_total} beats."
    if dim > 2:
        subtitle += f" The {dim}-D latent space is flattened to 2-D with PCA."
    if df.empty:
        return alt.layer(chart, _message("No latent codes to show")).properties(
            title=_title(title, subtitle), height=300
        )
    return chart.properties(title=_title(title, subtitle), height=300)


# --------------------------------------------------------------------------------------------
# Individual beats
# --------------------------------------------------------------------------------------------


def _padded_domain(values: np.ndarray, domain: tuple[float, float] | None) -> list[float] | None:
    """Caller's fixed domain, widened only if the data would otherwise be cut off."""
    if domain is None:
        return None
    lo, hi = float(domain[0]), float(domain[1])
    finite = values[np.isfinite(values)]
    if finite.size:
        lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    return [lo, hi]


def beat_chart(
    signal: np.ndarray,
    reconstruction: np.ndarray | None = None,
    *,
    title: str = "Heartbeat",
    y_title: str = "Amplitude (scaled 0-1)",
    y_domain: tuple[float, float] | None = None,
) -> AnyChart:
    """One heartbeat; with a reconstruction, both lines and the error shaded between them."""
    sig = _as_float_1d(signal)
    n = sig.size
    df = pd.DataFrame({"sample": np.arange(1, n + 1), "Input": _sig(sig)})
    all_values = sig
    if reconstruction is not None:
        rec = _as_float_1d(reconstruction)
        if rec.size != n:
            raise ValueError(f"signal and reconstruction differ in length ({n} != {rec.size})")
        df["Reconstruction"] = _sig(rec)
        df["error"] = _sig(np.abs(sig - rec))
        all_values = np.concatenate([sig, rec])

    domain = _padded_domain(all_values, y_domain)
    y_scale = alt.Scale(domain=domain) if domain else alt.Scale(zero=False)
    x_enc = alt.X(
        "sample:Q",
        title=f"Sample (of {n})",
        scale=alt.Scale(domain=[1, max(n, 2)], nice=False),
    )
    # Layers get their data from the parent layer: one copy of the table, and Altair skips
    # its slow per-layer data comparison.
    base = alt.Chart()
    hover = alt.selection_point(
        name="beat_hover",
        nearest=True,
        on="pointerover",
        fields=["sample"],
        empty=False,
        clear="pointerout",
    )
    tooltip = [
        alt.Tooltip("sample:Q", title="Sample"),
        alt.Tooltip("Input:Q", title="Input", format=".3f"),
    ]

    layers: list[alt.Chart] = []
    if reconstruction is not None:
        names = ["Input", "Reconstruction", "Error"]
        scale = alt.Scale(domain=names, range=[INPUT_COLOR, RECON_COLOR, ERROR_FILL])
        legend = alt.Legend(orient="top", title=None)
        layers.append(
            # A constant "series" field (rather than a fixed mark colour) puts Error in the legend.
            base.transform_calculate(series="'Error'")
            .mark_area(opacity=0.8)
            .encode(
                x=x_enc,
                y=alt.Y("Input:Q", title=y_title, scale=y_scale),
                y2=alt.Y2("Reconstruction:Q"),
                color=alt.Color("series:N", scale=scale, legend=legend),
            )
        )
        layers.append(
            # Folding the two columns in Vega-Lite lets both lines share the 140-row table.
            base.transform_fold(["Input", "Reconstruction"], as_=["series", "value"])
            .mark_line(strokeWidth=2)
            .encode(
                x=x_enc,
                y=alt.Y("value:Q", title=y_title, scale=y_scale),
                color=alt.Color("series:N", scale=scale, legend=legend),
            )
        )
        tooltip += [
            alt.Tooltip("Reconstruction:Q", title="Reconstruction", format=".3f"),
            alt.Tooltip("error:Q", title="Error |input - reconstruction|", format=".3f"),
        ]
        mse = float(np.nanmean((sig - rec) ** 2)) if n else float("nan")
        subtitle = (
            f"Shaded gap = reconstruction error (mean squared error {mse:.4g})"
            if math.isfinite(mse)
            else None
        )
    else:
        layers.append(
            base.mark_line(strokeWidth=2, color=INPUT_COLOR).encode(
                x=x_enc, y=alt.Y("Input:Q", title=y_title, scale=y_scale)
            )
        )
        subtitle = None

    # A full-height rule per sample, shown only at the sample nearest the pointer, makes the
    # tooltip work anywhere along the beat instead of only exactly on the 2-px line.
    layers.append(
        base.mark_rule(color="#888888", strokeWidth=1.5)
        .encode(
            x=x_enc,
            opacity=alt.OpacityValue(
                0, condition={"param": hover.name, "value": 0.7, "empty": False}
            ),
            tooltip=tooltip,
        )
        .add_params(hover)
    )
    if n == 0:
        layers.append(_message("No beat selected"))
    return alt.layer(*layers, data=df).properties(
        title=_title(title, subtitle), height=DEFAULT_HEIGHT
    )


def beat_sparkline(signal: np.ndarray, *, color: str = NORMAL_COLOR, height: int = 60) -> alt.Chart:
    """Tiny axis-less line for galleries of small multiples.

    The y domain is fixed to [0, 1] so sparklines in one gallery are comparable; it only widens
    when a beat leaves that range.
    """
    sig = _as_float_1d(signal)
    n = sig.size
    df = pd.DataFrame({"sample": np.arange(1, n + 1), "value": _sig(sig, 3)})
    domain = _padded_domain(sig, (0.0, 1.0))
    return (
        alt.Chart(df)
        .mark_line(strokeWidth=1.5, color=color)
        .encode(
            x=alt.X("sample:Q", axis=None, scale=alt.Scale(domain=[1, max(n, 2)], nice=False)),
            y=alt.Y("value:Q", axis=None, scale=alt.Scale(domain=domain)),
        )
        .properties(
            height=int(height),
            description="Heartbeat sparkline",
            view=alt.ViewBackground(stroke=None),
        )
    )


def _guess_amplitude_title(values: np.ndarray) -> str:
    finite = values[np.isfinite(values)]
    if finite.size and finite.min() >= -1e-9 and finite.max() <= 1 + 1e-9:
        return SCALED_AMPLITUDE
    return RAW_AMPLITUDE


def beats_by_class(
    beats: np.ndarray,
    classes: np.ndarray,
    *,
    per_class: int = 5,
    y_title: str | None = None,
) -> AnyChart:
    """A few example beats for each class, one small panel per class stacked vertically.

    A vconcat of plain panels (rather than a facet) is used because Streamlit only stretches
    vconcat children to the container width. The data is one wide table (one row per sample,
    one column per beat) folded in Vega-Lite, which keeps it to ~140 rows.
    """
    x = np.asarray(beats, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    labels = np.asarray(classes).ravel()
    if x.shape[0] != labels.size:
        raise ValueError(
            f"beats and classes must have the same length ({x.shape[0]} != {labels.size})"
        )
    n_samples = x.shape[1] if x.ndim == 2 else 0
    y_title = y_title or _guess_amplitude_title(x.ravel())

    wide: dict[str, list[float | None] | np.ndarray] = {"sample": np.arange(1, n_samples + 1)}
    panels: list[tuple[int | str, str, list[str], int]] = []
    codes = [k for k in sorted(CLASS_NAMES)]
    codes += sorted({int(c) for c in labels if _is_int(c)} - set(CLASS_NAMES))
    for code in codes:
        members = np.flatnonzero([_is_int(c) and int(c) == code for c in labels])
        # Skip beats with missing samples: a broken line would look like an ECG artefact.
        members = [i for i in members if np.isfinite(x[i]).all()]
        if not members:
            continue
        cols = []
        for j, i in enumerate(members[: max(1, int(per_class))]):
            # Short keys: every row repeats every column name in the inline JSON.
            col = f"c{code}_{j + 1}"
            wide[col] = _sig(x[i], 3)
            cols.append(col)
        panels.append((code, _class_name(code), cols, len(members)))

    df = pd.DataFrame(wide)
    if not panels:
        empty = alt.Chart(pd.DataFrame({"sample": [], "value": []})).mark_line()
        return alt.layer(
            empty.encode(
                x=alt.X("sample:Q", title=f"Sample (of {n_samples})"),
                y=alt.Y("value:Q", title=y_title),
            ),
            _message("No beats to show"),
        ).properties(title=_title("Example heartbeats per class"), height=120)

    shown = np.array([v for k, v in wide.items() if k != "sample"], dtype=float)
    y_domain = [float(np.nanmin(shown)), float(np.nanmax(shown))]
    charts = []
    for k, (code, name, cols, total) in enumerate(panels):
        last = k == len(panels) - 1
        color = CLASS_COLORS.get(int(code), "#999999")
        charts.append(
            alt.Chart()
            .transform_fold(cols, as_=["beat", "value"])
            .transform_calculate(beat_label=f"'{name} #' + split(datum.beat, '_')[1]")
            .mark_line(strokeWidth=1.5, opacity=0.7, color=color)
            .encode(
                x=alt.X(
                    "sample:Q",
                    title=f"Sample (of {n_samples})" if last else None,
                    scale=alt.Scale(domain=[1, max(n_samples, 2)], nice=False),
                    axis=alt.Axis(labels=last, ticks=last),
                ),
                # Same y range in every panel so shapes can be compared across classes.
                y=alt.Y("value:Q", title=y_title, scale=alt.Scale(domain=y_domain)),
                detail=alt.Detail("beat:N"),
                tooltip=[
                    alt.Tooltip("beat_label:N", title="Beat"),
                    alt.Tooltip("sample:Q", title="Sample"),
                    alt.Tooltip("value:Q", title="Amplitude", format=".3f"),
                ],
            )
            .properties(
                title=alt.TitleParams(
                    f"{name} (class {code}): {len(cols)} of {total} beats",
                    anchor="start",
                    fontSize=12,
                    color=color,
                ),
                height=70,
            )
        )
    return alt.vconcat(*charts, data=df, spacing=8).properties(
        title=_title(
            "Example heartbeats per class",
            "Each panel overlays a few real beats of one class.",
        )
    )


def _is_int(c: object) -> bool:
    try:
        return float(c) == int(c)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return False


def scaling_chart(raw: np.ndarray, scaled: np.ndarray) -> alt.HConcatChart:
    """The same beat before and after min-max scaling, side by side."""
    r = _as_float_1d(raw)
    s = _as_float_1d(scaled)
    if r.size != s.size:
        raise ValueError(f"raw and scaled differ in length ({r.size} != {s.size})")
    n = r.size
    df = pd.DataFrame({"sample": np.arange(1, n + 1), "raw": _sig(r), "scaled": _sig(s)})
    x_enc = alt.X(
        "sample:Q",
        title=f"Sample (of {n})",
        scale=alt.Scale(domain=[1, max(n, 2)], nice=False),
    )

    def panel(field: str, y_title: str, heading: str, domain: list[float] | None) -> alt.Chart:
        return (
            alt.Chart()
            .mark_line(strokeWidth=2, color=INPUT_COLOR)
            .encode(
                x=x_enc,
                y=alt.Y(
                    f"{field}:Q",
                    title=y_title,
                    scale=alt.Scale(domain=domain) if domain else alt.Scale(zero=False),
                ),
                tooltip=[
                    alt.Tooltip("sample:Q", title="Sample"),
                    alt.Tooltip(f"{field}:Q", title=y_title, format=".3f"),
                ],
            )
            .properties(title=alt.TitleParams(heading, anchor="start", fontSize=12), height=220)
        )

    return alt.hconcat(
        panel("raw", RAW_AMPLITUDE, "Before: recorded values", None),
        panel(
            "scaled", SCALED_AMPLITUDE, "After: min-max scaled to 0-1", _padded_domain(s, (0, 1))
        ),
        data=df,
    ).properties(
        title=_title(
            "Min-max scaling: same shape, new units",
            "Scaling maps each value into 0-1 so the network sees inputs on a common scale.",
        )
    )


# --------------------------------------------------------------------------------------------
# Evaluation summaries
# --------------------------------------------------------------------------------------------


def confusion_matrix_chart(tp: int, fp: int, tn: int, fn: int) -> AnyChart:
    """2x2 confusion matrix: rows are the true label, columns the model's prediction."""
    counts = {"tp": tp, "fp": fp, "tn": tn, "fn": fn}
    for key, value in counts.items():
        if value is None or not math.isfinite(float(value)) or float(value) < 0:
            raise ValueError(f"{key} must be a non-negative count, got {value!r}")
    tp, fp, tn, fn = (int(counts[k]) for k in ("tp", "fp", "tn", "fn"))
    n_normal, n_abnormal = tn + fp, tp + fn
    cells = [
        ("Normal", "Normal", tn, "Correctly passed", n_normal),
        ("Normal", "Abnormal", fp, "False alarm", n_normal),
        ("Abnormal", "Normal", fn, "Missed", n_abnormal),
        ("Abnormal", "Abnormal", tp, "Caught", n_abnormal),
    ]
    peak = max(tp, fp, tn, fn, 1)
    rows = []
    for true, pred, count, meaning, row_total in cells:
        share = count / row_total if row_total else None
        rows.append(
            {
                "true": true,
                "pred": pred,
                "count": count,
                "meaning": meaning,
                "share": share,
                "detail": f"{meaning} ({share:.0%} of {true.lower()})"
                if share is not None
                else meaning,
                # Dark cells need light text; decided here so no conditional spec is needed.
                "ink": "white" if count > 0.5 * peak else TEXT_COLOR,
            }
        )
    df = pd.DataFrame(rows)
    order = ["Normal", "Abnormal"]
    base = alt.Chart().encode(
        x=alt.X(
            "pred:N",
            sort=order,
            title="Predicted by the model",
            axis=alt.Axis(orient="top", labelAngle=0),
        ),
        y=alt.Y("true:N", sort=order, title="True label"),
        tooltip=[
            alt.Tooltip("true:N", title="True label"),
            alt.Tooltip("pred:N", title="Predicted"),
            alt.Tooltip("meaning:N", title="Outcome"),
            alt.Tooltip("count:Q", title="Beats"),
            alt.Tooltip("share:Q", title="Share of true label", format=".1%"),
        ],
    )
    heat = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "count:Q",
            title="Beats",
            scale=alt.Scale(scheme="blues", domain=[0, peak]),
            legend=None,
        )
    )
    number = base.mark_text(fontSize=22, fontWeight="bold", dy=-9).encode(
        text=alt.Text("count:Q"), color=alt.Color("ink:N", scale=None)
    )
    words = base.mark_text(fontSize=11, dy=13).encode(
        text=alt.Text("detail:N"), color=alt.Color("ink:N", scale=None)
    )
    total = tp + fp + tn + fn
    # Counts and ink colours are different scales; sharing one breaks Vega's rendering.
    return (
        alt.layer(heat, number, words, data=df)
        .resolve_scale(color="independent")
        .properties(
            title=_title("Confusion matrix of test beats", f"{total} beats; darker = more beats"),
            height=240,
        )
    )


def per_class_chart(
    rates: Mapping[int, float | None], counts: Mapping[int, int] | None = None
) -> AnyChart:
    """Share of each true class flagged as abnormal.

    ``rates`` are fractions in [0, 1]. If any value exceeds 1 the mapping is taken to be in
    percent already, so both conventions render the same.
    """
    # Keys may arrive as numpy ints or strings (e.g. from JSON); normalise to int.
    rates = {int(k): v for k, v in rates.items()}
    counts = None if counts is None else {int(k): v for k, v in counts.items()}
    codes = sorted(set(CLASS_NAMES) | set(rates))
    raw = {c: _finite_or_none(rates.get(c)) for c in codes}
    finite_vals = [v for v in raw.values() if v is not None]
    factor = 1.0 if finite_vals and max(finite_vals) > 1.0 else 100.0
    rows = []
    for c in codes:
        n = None if counts is None else counts.get(c)
        rate = raw[c]
        if n is not None and int(n) == 0:
            rate = None
        pct = None if rate is None else min(max(rate * factor, 0.0), 100.0)
        name = _class_name(c)
        if c == 1:
            meaning = "False alarm rate: normal beats wrongly flagged (lower is better)"
            label = "no beats" if pct is None else f"{pct:.0f}% false alarms"
        else:
            meaning = "Detection rate: abnormal beats correctly flagged (higher is better)"
            label = "no beats" if pct is None else f"{pct:.0f}% caught"
        if pct is not None and n is not None:
            label += f" (of {int(n)})"
        rows.append(
            {
                "class": name,
                "pct": pct,
                "pos": 0.0 if pct is None else pct,
                "label": label,
                "meaning": meaning,
                "beats": None if n is None else int(n),
                "inside": pct is not None and pct > 70,
            }
        )
    df = pd.DataFrame(rows)
    names = [r["class"] for r in rows]
    y_enc = alt.Y("class:N", sort=names, title="True class")
    x_enc = alt.X(
        "pos:Q",
        title="Flagged as abnormal (% of the class's test beats)",
        scale=alt.Scale(domain=[0, 100]),
    )
    tooltip = [
        alt.Tooltip("class:N", title="Class"),
        alt.Tooltip("pct:Q", title="Flagged as abnormal (%)", format=".1f"),
        alt.Tooltip("beats:Q", title="Test beats"),
        alt.Tooltip("meaning:N", title="What the bar means"),
    ]
    base = alt.Chart()
    bars = (
        base.transform_filter("isValid(datum.pct)")
        .mark_bar(height={"band": 0.7})
        .encode(
            x=x_enc,
            y=y_enc,
            color=alt.Color("class:N", scale=_class_scale(names), legend=None),
            tooltip=tooltip,
        )
    )
    # Labels sit outside short bars and inside long ones so they never run off the 100% edge.
    outside = (
        base.transform_filter("!datum.inside")
        .mark_text(align="left", dx=4, color=TEXT_COLOR)
        .encode(x=x_enc, y=y_enc, text=alt.Text("label:N"), tooltip=tooltip)
    )
    inside = (
        base.transform_filter("datum.inside")
        .mark_text(align="right", dx=-4, color="white", fontWeight="bold")
        .encode(x=x_enc, y=y_enc, text=alt.Text("label:N"), tooltip=tooltip)
    )
    return alt.layer(bars, outside, inside, data=df).properties(
        title=_title(
            "Which beats get flagged, by class",
            "Normal row: false alarms (want low). Other rows: abnormal beats caught (want high).",
        ),
        height=max(150, 44 * len(rows)),
    )


_METRIC_TITLES = {
    "auc": "AUC (area under ROC curve)",
    "f1": "F1 score",
    "accuracy": "Accuracy",
    "precision": "Precision",
    "recall": "Recall",
    "loss": "Loss (MSE, scaled units)",
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


# --------------------------------------------------------------------------------------------
# Network diagram
# --------------------------------------------------------------------------------------------

_GROUP_STYLE = {
    # group: (band fill, band border / box outline, box fill)
    "encoder": ("#EAF3FA", "#0072B2", "#B9D8EE"),
    "latent": ("#FDF3E0", "#E69F00", "#F6D38C"),
    "decoder": ("#E6F5EF", "#009E73", "#A9DCC9"),
    "io": ("#FFFFFF", "#555555", "#E6E6E6"),
}
_HIGHLIGHT_ALIASES = {
    "input": "input",
    "encoder": "encoder",
    "latent": "latent",
    "bottleneck": "latent",
    "z": "latent",
    "decoder": "decoder",
    "output": "output",
}


# Layout of the diagram, in x units (one box is _NET_BOX_W wide) and y units (0-100).
_NET_BOX_W = 0.7
_NET_BAND_MIN = 2.2  # so a one-box band still fits its label
_NET_MARGIN_PX = 12  # room at both ends for the "Input" / "Output" names
_NET_MAX_PX = 72  # px per x unit at most: few layers stay compact and centred
_NET_MID = 46.0  # vertical centre of the boxes
_NET_BOX_H = (14.0, 70.0)  # box height for 0 and for the biggest layer
_NET_HEIGHT = 240
_NET_CAPTION = "Numbers = values per layer; box height grows with the count"
_NET_ARROW = "M-1,-0.6L0,0L-1,0.6Z"  # arrowhead whose tip is the point's position
_NET_LINE = "#666666"


def _net_layer(mark: dict, values: list[dict], encoding: dict) -> dict:
    return {"data": {"values": values}, "mark": mark, "encoding": encoding}


def network_spec(
    hidden: Sequence[int],
    latent: int,
    *,
    input_size: int = 140,
    highlight: str | None = None,
) -> dict:
    """Vega-Lite dict of the autoencoder, drawn left to right.

    Input -> encoder layers -> bottleneck z -> decoder layers (the encoder mirrored) -> output,
    each layer a rounded box whose height grows with the square root of its units, on bands
    labelled Encoder / Bottleneck / Decoder. A plain dict (no Altair object, no schema
    validation) for ``st.vega_lite_chart(spec=..., width="stretch")``: it is rebuilt on every
    edit of the composer. The x scale is capped at ``_NET_MAX_PX`` px per unit, so small
    networks stay compact and centred however wide the container is.

    ``highlight`` is one of "input", "encoder", "latent" (or "bottleneck"/"z"), "decoder",
    "output"; that part gets a heavy outline so the UI can point at it while explaining.
    """
    layers = [int(h) for h in hidden]
    sizes = [int(input_size), *layers, int(latent)]
    if any(s < 1 for s in sizes):
        raise ValueError(f"layer sizes must be positive, got {sizes}")
    focus = None
    if highlight is not None:
        focus = _HIGHLIGHT_ALIASES.get(str(highlight).strip().lower())
        if focus is None:
            raise ValueError(
                f"highlight must be one of {sorted(_HIGHLIGHT_ALIASES)}, got {highlight!r}"
            )
    input_size, latent = int(input_size), int(latent)
    biggest = max(sizes)
    low, high = _NET_BOX_H
    # The composer's 6 layers must fit a half-page column (~400 px): fewer, shorter arrows.
    # Between two boxes (the arrow), and between a band's edge and its outer boxes.
    gap = 0.45 - 0.05 * min(max(len(layers) - 3, 0), 3)
    pad = 0.38 * gap

    boxes: list[dict] = []
    bands: list[dict] = []

    def box(x: float, part: str, group: str, units: int, name: str, tip: str) -> None:
        # Square-root scaling: 140 vs 2 units still reads as "much bigger" without the small
        # layers collapsing to slivers.
        h = low + (high - low) * math.sqrt(units / biggest)
        _, border, fill = _GROUP_STYLE[group]
        boxes.append(
            {
                "part": part,
                "x": round(x, 4),
                "x2": round(x + _NET_BOX_W, 4),
                "cx": round(x + _NET_BOX_W / 2, 4),
                "y": round(_NET_MID - h / 2, 3),
                "y2": round(_NET_MID + h / 2, 3),
                "units": units,
                "name": name,
                "tip": tip,
                "fill": fill,
                "stroke": border,
                "width": 3.5 if focus == part else 1.2,
            }
        )

    def band(cursor: float, group: str, title: str, subtitle: str, units: list[int]) -> float:
        """Boxes of one group on their band, from ``cursor``; returns the next box's x."""
        inner = len(units) * _NET_BOX_W + (len(units) - 1) * gap
        width = max(inner + 2 * pad, _NET_BAND_MIN)
        left = cursor - pad
        x = left + (width - inner) / 2
        for i, u in enumerate(units):
            tip = (
                f"Bottleneck: {u} numbers per beat"
                if group == "latent"
                else f"{title} layer {i + 1}: {u} units"
            )
            box(x, group, group, u, "", tip)
            x += _NET_BOX_W + gap
        bg, border, _ = _GROUP_STYLE[group]
        bands.append(
            {
                "x": round(left, 4),
                "x2": round(left + width, 4),
                "cx": round(left + width / 2, 4),
                "title": title,
                "subtitle": subtitle,
                "fill": bg,
                "stroke": border,
                "width": 3 if focus == group else 1,
            }
        )
        return left + width - pad + gap

    box(0.0, "input", "io", input_size, "Input", f"The heartbeat: {input_size} samples")
    cursor = _NET_BOX_W + gap
    if layers:
        cursor = band(cursor, "encoder", "Encoder", "(compresses)", layers)
    cursor = band(cursor, "latent", "Bottleneck", "(z)", [latent])
    if layers:
        cursor = band(cursor, "decoder", "Decoder", "(rebuilds)", layers[::-1])
    box(
        cursor,
        "output",
        "io",
        input_size,
        "Output",
        f"The reconstructed heartbeat: {input_size} samples",
    )
    arrows = [
        {"x": a["x2"], "x2": b["x"], "y": _NET_MID} for a, b in zip(boxes, boxes[1:], strict=False)
    ]

    # Centre the drawing with _NET_MARGIN_PX to spare at both ends, and widen the domain when
    # the container would stretch it past _NET_MAX_PX per unit.
    centre = (cursor + _NET_BOX_W) / 2
    half = (
        f"max({centre:.4f} * width / max(width - {2 * _NET_MARGIN_PX}, 1), "
        f"width / {2 * _NET_MAX_PX})"
    )
    x_scale = {
        "domainMin": {"expr": f"{centre:.4f} - {half}"},
        "domainMax": {"expr": f"{centre:.4f} + {half}"},
        "nice": False,
        "zero": False,
    }
    y_scale = {"domain": [0, 100], "nice": False, "zero": False}
    x = {"field": "x", "type": "quantitative", "axis": None, "scale": x_scale}
    x2 = {"field": "x2"}
    cx = {"field": "cx", "type": "quantitative", "axis": None, "scale": x_scale}
    y_field = {"field": "y", "type": "quantitative", "axis": None, "scale": y_scale}
    y_top = {"value": 0}  # the top edge of the plot, in pixels
    y_bottom = {"value": "height"}
    tooltip = {"field": "tip", "type": "nominal"}

    def style(field: str) -> dict:
        return {"field": field, "type": "nominal", "scale": None, "legend": None}

    # Pixels per x unit, for labels that must adapt to the container's width: a number wider
    # than its box turns vertical (boxes are always tall enough), band titles shrink a little.
    px = f"(width / (2 * {half}))"
    font = 11 if len(layers) >= 4 else 12
    turn = {
        "condition": {
            "test": f"{px} * {_NET_BOX_W} < length(datum.label) * {0.52 * font:.2f} + 4",
            "value": 270,
        },
        "value": 0,
    }
    band_px = f"{px} * {_NET_BAND_MIN}"
    title_font = f"{band_px} < 50 ? 9 : {band_px} < 57 ? 10 : {band_px} < 64 ? 11 : 12"
    named = [b for b in boxes if b["name"]]
    spec_layers = [
        _net_layer(
            {"type": "rect", "cornerRadius": 8},
            bands,
            {
                "x": x,
                "x2": x2,
                "y": y_top,
                "y2": y_bottom,
                "fill": style("fill"),
                "stroke": style("stroke"),
                "strokeWidth": {"field": "width", "type": "quantitative", "scale": None},
            },
        ),
        _net_layer(
            {
                "type": "text",
                "baseline": "top",
                "dy": 7,
                "fontSize": {"expr": title_font},
                "fontWeight": "bold",
            },
            bands,
            {
                "x": cx,
                "y": y_top,
                "text": {"field": "title", "type": "nominal"},
                "color": style("stroke"),
            },
        ),
        _net_layer(
            {"type": "text", "baseline": "top", "dy": 22, "fontSize": 11, "color": "#444444"},
            bands,
            {"x": cx, "y": y_top, "text": {"field": "subtitle", "type": "nominal"}},
        ),
        _net_layer(
            {"type": "rule", "color": _NET_LINE, "strokeWidth": 1.3},
            arrows,
            {"x": x, "x2": x2, "y": y_field},
        ),
        _net_layer(
            {
                "type": "point",
                "shape": _NET_ARROW,
                "filled": True,
                "opacity": 1,
                "size": 90,
                "color": _NET_LINE,
            },
            arrows,
            {
                "x": {**x, "field": "x2"},
                "y": y_field,
            },
        ),
        _net_layer(
            {"type": "rect", "cornerRadius": 5},
            boxes,
            {
                "x": x,
                "x2": x2,
                "y": y_field,
                "y2": {"field": "y2"},
                "fill": style("fill"),
                "stroke": style("stroke"),
                "strokeWidth": {"field": "width", "type": "quantitative", "scale": None},
                "tooltip": tooltip,
            },
        ),
        _net_layer(
            {"type": "text", "fontSize": font, "color": TEXT_COLOR},
            [{**b, "y": _NET_MID, "label": str(b["units"])} for b in boxes],
            {
                "x": cx,
                "y": y_field,
                "text": {"field": "label", "type": "nominal"},
                "angle": turn,
                "tooltip": tooltip,
            },
        ),
        _net_layer(
            {"type": "text", "baseline": "top", "dy": 4, "fontSize": 11, "color": TEXT_COLOR},
            named,
            {
                "x": cx,
                "y": y_field,
                "text": {"field": "name", "type": "nominal"},
                "tooltip": tooltip,
            },
        ),
    ]
    path = " → ".join(str(u) for u in (input_size, *layers, latent, *layers[::-1], input_size))
    return {
        "$schema": alt.SCHEMA_URL,
        "description": f"Autoencoder architecture: {path}",
        "title": {
            "text": _NET_CAPTION,
            "orient": "bottom",
            "anchor": "middle",
            "fontSize": 11,
            "fontWeight": "normal",
            "color": "#666666",
            "offset": 6,
        },
        "height": _NET_HEIGHT,
        "width": "container",
        "layer": spec_layers,
        "config": {"view": {"stroke": None}},
    }
