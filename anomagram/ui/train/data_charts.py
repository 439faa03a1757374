"""Charts of the Train page that name a dataset's classes: the data preview, and the shared
per-class and bottleneck charts drawn with the dataset's classes (``charts.ClassStyle.of``)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from anomagram import charts, metrics
from anomagram.data import Dataset

PREVIEW_PER_CLASS = 3  # rows drawn per class
PREVIEW_CLASSES = 6  # the largest classes drawn (the normal one always)
PREVIEW_POINTS = 200  # samples per line at most: long rows are thinned for the browser
PREVIEW_HEIGHT = 150


def preview_chart(ds: Dataset, per_class: int = PREVIEW_PER_CLASS) -> alt.Chart:
    """A few rows of each class (the largest classes), one line each, coloured by class."""
    rng = np.random.default_rng(0)
    step = max(1, -(-ds.length // PREVIEW_POINTS))
    positions = np.arange(0, ds.length, step)
    style = charts.ClassStyle.of(ds)
    shown = style.codes[:PREVIEW_CLASSES]
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
                        "class": style.name(c),
                    }
                )
            )
    df = pd.concat(frames, ignore_index=True)
    names = [style.name(c) for c in shown]
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
                scale=style.scale(names),
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
    style = charts.ClassStyle.of(ds)
    return charts.per_class_chart(
        metrics.per_class_detection(test_y, errors, threshold, style.codes),
        metrics.class_counts(test_y, style.codes),
        style,
    )


def latent_chart(ds: Dataset, latent: np.ndarray, test_y: np.ndarray):
    """The bottleneck scatter of the test rows, named and coloured by the dataset's classes."""
    return charts.latent_scatter(latent, test_y, names=charts.ClassStyle.of(ds))
