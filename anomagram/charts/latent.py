"""Scatter of the bottleneck (latent) codes of test rows (beats, windows), coloured by true
class."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from anomagram.charts.style import (
    AnyChart,
    ClassStyle,
    _message,
    _sig,
    _title,
)

_MAX_SCATTER_POINTS = 600


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

    Returns the projected points and the share of variance of each axis (NaN when ``z`` has
    no variance at all).
    """
    # Imported here: scikit-learn takes seconds to import, and the Introduction's first paint
    # imports this package but never draws a latent scatter.
    from sklearn.decomposition import PCA

    # scikit-learn pins the signs of the axes (largest loading positive), so the picture does
    # not mirror between redraws of the same data.
    with np.errstate(invalid="ignore", divide="ignore"):
        pca = PCA(n_components=2, random_state=0).fit(z)
        ratio = np.asarray(pca.explained_variance_ratio_, dtype=float)
    return pca.transform(z[idx]), ratio


def latent_scatter(
    latent: np.ndarray,
    classes: np.ndarray,
    *,
    names: ClassStyle | None = None,
    title: str | None = None,
) -> AnyChart:
    """Scatter of the bottleneck codes, coloured (and shaped) by the row's true class.

    ``classes`` are the rows' class ids; ``names`` names, colours and orders them (default
    ECG5000's). The title defaults to "Bottleneck (latent) space of test <unit>".
    """
    names = names or ClassStyle.ecg5000()
    unit = names.unit
    one = unit if unit.endswith("series") else unit.removesuffix("s")  # "one test beat"
    title = title or f"Bottleneck (latent) space of test {unit}"
    z = np.asarray(latent, dtype=float)
    if z.ndim == 1:
        z = z[:, None]
    if z.ndim > 2:
        z = z.reshape(z.shape[0], -1)
    labels = np.asarray([names.name(c) for c in np.asarray(classes).ravel()], dtype=object)
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
    shown = set(df["class"])
    present = [n for n in names.names if n in shown] + sorted(shown - set(names.names))
    shapes = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "wedge"]
    legend = alt.Legend(orient="right", title="True class")
    chart = (
        alt.Chart(df)
        .mark_point(filled=True, size=45, opacity=0.75)
        .encode(
            x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False)),
            y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False), axis=y_axis),
            color=alt.Color("class:N", scale=names.scale(present), legend=legend),
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
    subtitle = [
        f"Each dot is one test {one}; {unit} the model",
        "encodes alike sit close together.",
    ]
    notes = []
    if idx.size < n_total:
        notes.append(f"{idx.size} of {n_total} {unit} shown")
    if dim > 2:
        notes.append(f"{dim}-D codes flattened to 2-D by PCA")
    if notes:
        subtitle.append("; ".join(notes) + ".")
    if df.empty:
        return alt.layer(chart, _message("No latent codes to show")).properties(
            title=_title(title, subtitle), height=300
        )
    return chart.properties(title=_title(title, subtitle), height=300)
