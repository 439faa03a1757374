"""Charts of the Train page that name a dataset's classes: the data preview, the share flagged
per class and the bottleneck scatter.

``anomagram.charts`` names classes as ECG5000 does (class 1 "Normal", 2-5 its arrhythmias).
ECG5000 still goes straight to those builders; any other dataset's classes are drawn here with
the dataset's own names, its normal class in the normal colour and the others in ECG5000's
class colours, in order of size.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from anomagram import charts, metrics
from anomagram.data import ECG5000_KEY, SHORT_CLASS_NAMES, Dataset

PREVIEW_PER_CLASS = 3  # rows drawn per class
PREVIEW_CLASSES = 6  # the largest classes drawn (the normal one always)
PREVIEW_POINTS = 200  # samples per line at most: long rows are thinned for the browser
PREVIEW_HEIGHT = 150
GREY = "#999999"
_ROW_PX = 36


def class_order(ds: Dataset) -> list[int]:
    """The normal class first, then the others from the largest to the smallest."""
    counts = ds.counts
    others = sorted((c for c in counts if c != ds.normal), key=lambda c: (-counts[c], c))
    return [ds.normal, *others]


def class_colors(ds: Dataset) -> dict[int, str]:
    """Normal in the normal colour, the others in ECG5000's abnormal class colours."""
    palette = [charts.CLASS_COLORS[k] for k in sorted(charts.CLASS_COLORS) if k != 1]
    order = class_order(ds)
    colors = {order[0]: charts.NORMAL_COLOR}
    for i, c in enumerate(order[1:]):
        colors[c] = palette[i] if i < len(palette) else GREY
    return colors


def preview_chart(ds: Dataset, per_class: int = PREVIEW_PER_CLASS) -> alt.Chart:
    """A few rows of each class (the largest classes), one line each, coloured by class."""
    rng = np.random.default_rng(0)
    step = max(1, -(-ds.length // PREVIEW_POINTS))
    positions = np.arange(0, ds.length, step)
    colors = class_colors(ds)
    shown = class_order(ds)[:PREVIEW_CLASSES]
    frames = []
    for c in shown:
        rows = np.flatnonzero(ds.y == c)
        picked = np.sort(rng.choice(rows, min(per_class, len(rows)), replace=False))
        for row in picked:
            frames.append(
                pd.DataFrame(
                    {
                        "sample": positions,
                        "value": np.round(ds.x[row, positions].astype(float), 4),
                        "row": int(row),
                        "class": ds.class_name(c),
                    }
                )
            )
    df = pd.concat(frames, ignore_index=True)
    names = [ds.class_name(c) for c in shown]
    return (
        alt.Chart(df)
        .mark_line(strokeWidth=1.2, opacity=0.75)
        .encode(
            x=alt.X("sample:Q", title=f"Sample (of {ds.length})", scale=alt.Scale(nice=False)),
            y=alt.Y("value:Q", title="Value", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "class:N",
                title=None,
                sort=names,
                scale=alt.Scale(domain=names, range=[colors[c] for c in shown]),
                legend=alt.Legend(orient="top"),
            ),
            detail="row:N",
            tooltip=[alt.Tooltip("class:N", title="Class"), alt.Tooltip("row:Q", title="Row")],
        )
        .properties(
            height=PREVIEW_HEIGHT,
            description=f"{per_class} {ds.unit} of each class of {ds.name}",
        )
    )


def per_class_chart(ds: Dataset, test_y: np.ndarray, errors: np.ndarray, threshold: float):
    """Share of each class's test rows flagged abnormal (for the normal class: false alarms)."""
    if ds.key == ECG5000_KEY:
        return charts.per_class_chart(
            metrics.per_class_detection(test_y, errors, threshold),
            metrics.class_counts(test_y),
        )
    order = class_order(ds)
    rates = metrics.per_class_detection(test_y, errors, threshold, order)
    counts = metrics.class_counts(test_y, order)
    colors = class_colors(ds)
    rows = []
    for c in order:
        pct = None if rates[c] is None else 100 * rates[c]
        what = "false alarms" if c == ds.normal else "caught"
        label = "none in the test set" if pct is None else f"{pct:.1f} % {what} (of {counts[c]})"
        rows.append(
            {
                "class": ds.class_name(c),
                "pct": pct,
                "pos": 0.0 if pct is None else pct,
                "label": label,
                "inside": pct is not None and pct > 55,
            }
        )
    df = pd.DataFrame(rows)
    names = list(df["class"])
    y = alt.Y(
        "class:N", sort=names, title="True class", axis=alt.Axis(labelOverlap=False, labelLimit=0)
    )
    x = alt.X(
        "pos:Q",
        title=f"Flagged abnormal (% of the class's {ds.unit})",
        scale=alt.Scale(domain=[0, 100]),
    )
    tooltip = [
        alt.Tooltip("class:N", title="Class"),
        alt.Tooltip("pct:Q", title="Flagged as abnormal (%)", format=".1f"),
    ]
    base = alt.Chart()
    bars = (
        base.transform_filter("isValid(datum.pct)")
        .mark_bar(height={"band": 0.7})
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "class:N",
                scale=alt.Scale(domain=names, range=[colors[c] for c in order]),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    outside = (
        base.transform_filter("!datum.inside")
        .mark_text(align="left", dx=4, color=charts.TEXT_COLOR)
        .encode(x=x, y=y, text=alt.Text("label:N"), tooltip=tooltip)
    )
    inside = (
        base.transform_filter("datum.inside")
        .mark_text(align="right", dx=-4, color="white", fontWeight="bold")
        .encode(x=x, y=y, text=alt.Text("label:N"), tooltip=tooltip)
    )
    normal = ds.class_name(ds.normal)
    return alt.layer(bars, outside, inside, data=df).properties(
        title=alt.TitleParams(
            f"Which {ds.unit} get flagged, by class",
            subtitle=[f"{normal}: false alarms (want low).", "Others: caught (want high)."],
            anchor="start",
        ),
        height=alt.Step(_ROW_PX),
    )


def _ecg_name(code: int) -> str:
    # How anomagram.charts names a class id (its style._class_name).
    return SHORT_CLASS_NAMES.get(code, f"Class {code}")


def latent_chart(ds: Dataset, latent: np.ndarray, test_y: np.ndarray):
    """The bottleneck scatter of ``charts.latent_scatter``, with the dataset's class names.

    Other datasets' classes are drawn as ECG5000's class ids in ``class_order`` (so the normal
    class gets the normal colour and the others ECG5000's), then renamed.
    """
    if ds.key == ECG5000_KEY:
        return charts.latent_scatter(latent, test_y)
    order = class_order(ds)
    code = {c: i + 1 for i, c in enumerate(order)}
    classes = np.asarray([code.get(int(c), 0) for c in np.asarray(test_y).ravel()])
    chart = charts.latent_scatter(latent, classes)
    rename = {_ecg_name(code[c]): ds.class_name(c) for c in order}
    if not isinstance(chart, alt.Chart) or not isinstance(chart.data, pd.DataFrame):
        return chart  # the "no latent codes" message: no classes to name
    chart.data = chart.data.assign(**{"class": chart.data["class"].map(lambda n: rename.get(n, n))})
    for channel in (chart.encoding["color"], chart.encoding["shape"]):
        scale = channel["scale"]
        scale["domain"] = [rename.get(n, n) for n in scale["domain"]]
    return chart
