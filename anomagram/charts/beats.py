"""Heartbeat charts: one beat (and its reconstruction), sparklines, examples per class and
the effect of min-max scaling."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from anomagram.charts.style import (
    CLASS_COLORS,
    DEFAULT_HEIGHT,
    ERROR_FILL,
    INPUT_COLOR,
    NORMAL_COLOR,
    RAW_AMPLITUDE,
    RECON_COLOR,
    SCALED_AMPLITUDE,
    AnyChart,
    _as_float_1d,
    _class_name,
    _message,
    _sig,
    _title,
)
from anomagram.data import SHORT_CLASS_NAMES


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
    y_title: str = SCALED_AMPLITUDE,
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
            f"Shaded gap = reconstruction error (MSE {mse:.3g})" if math.isfinite(mse) else None
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


def _grid_columns(n_panels: int, most: int = 3) -> int:
    """Panels per row: at most ``most``, with rows as evenly filled as possible (5 -> 3 + 2)."""
    rows = math.ceil(n_panels / most)
    return max(1, math.ceil(n_panels / max(rows, 1)))


def beats_by_class(
    beats: np.ndarray,
    classes: np.ndarray,
    *,
    per_class: int = 5,
    y_title: str | None = None,
) -> AnyChart:
    """A few example beats for each class, in a grid of small panels (up to three per row).

    Streamlit stretches only the children of a vconcat to the container width, so each grid
    row is one stretched view that draws its panels side by side (each class shifted along x
    by whole panel widths) and shares one real amplitude axis. The data is one wide table (one
    row per sample, one column per beat) folded in Vega-Lite, which keeps it to ~140 rows.
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
    codes = [k for k in sorted(SHORT_CLASS_NAMES)]
    codes += sorted({int(c) for c in labels if _is_int(c)} - set(SHORT_CLASS_NAMES))
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
    lo, hi = float(np.nanmin(shown)), float(np.nanmax(shown))
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    ticks = _nice_ticks(lo, hi)
    # Each panel: the beats' range plus headroom for the class name; rows stack downwards.
    top = hi + 0.45 * (hi - lo)
    pitch_y = (top - lo) * 1.15
    per_row = _grid_columns(len(panels))
    n_rows = math.ceil(len(panels) / per_row)
    pitch_x = max(n_samples, 2) + max(6, round(0.1 * n_samples))
    x_domain = [1, (per_row - 1) * pitch_x + max(n_samples, 2)]
    y_domain = [lo - (n_rows - 1) * pitch_y, top]

    boxes, names, layers = [], [], []
    for k, (code, name, cols, total) in enumerate(panels):
        dx, dy = (k % per_row) * pitch_x, (k // per_row) * pitch_y
        color = CLASS_COLORS.get(int(code), "#999999")
        boxes.append({"x": 1 + dx, "x2": max(n_samples, 2) + dx, "y": lo - dy, "y2": top - dy})
        names.append(
            {
                "x": 1 + dx,
                "y": top - dy,
                "name": name,
                "shown": f"{len(cols)} of {total}",
                "ink": color,
            }
        )
        layers.append(
            alt.Chart()
            .transform_fold(cols, as_=["beat", "value"])
            .transform_calculate(
                x=f"datum.sample + {dx}",
                y=f"datum.value - {dy!r}",
                beat_label=f"'{name} #' + split(datum.beat, '_')[1]",
            )
            .mark_line(strokeWidth=1.5, opacity=0.7, color=color)
            .encode(
                x=alt.X("x:Q"),
                y=alt.Y("y:Q"),
                detail=alt.Detail("beat:N"),
                tooltip=[
                    alt.Tooltip("beat_label:N", title="Beat"),
                    alt.Tooltip("sample:Q", title="Sample"),
                    alt.Tooltip("value:Q", title="Amplitude", format=".3f"),
                ],
            )
        )
    # The amplitude axis repeats each row's ticks; labels map a tick back to its row's values.
    tick_values = [t - r * pitch_y for r in range(n_rows) for t in ticks]
    row_of = f"floor(({top!r} - datum.value) / {pitch_y!r})"
    label = f"format(datum.value + {row_of} * {pitch_y!r}, '~g')"
    frame = (
        alt.Chart(pd.DataFrame(boxes))
        .mark_rect(color="#F3F5F8")
        .encode(
            x=alt.X(
                "x:Q",
                title=f"Sample (of {n_samples}) in each panel",
                scale=alt.Scale(domain=x_domain, nice=False),
                axis=alt.Axis(labels=False, ticks=False, grid=False, domain=False),
            ),
            x2=alt.X2("x2:Q"),
            y=alt.Y(
                "y:Q",
                # Same y range in every panel so shapes can be compared across classes.
                title=y_title,
                scale=alt.Scale(domain=y_domain, nice=False, zero=False),
                axis=alt.Axis(values=tick_values, labelExpr=label, grid=False, domain=False),
            ),
            y2=alt.Y2("y2:Q"),
        )
    )
    # Name and count on two short lines: three panels a row leave ~95 px each on a phone.
    name_at = alt.Chart(pd.DataFrame(names)).encode(x=alt.X("x:Q"), y=alt.Y("y:Q"))
    titles = name_at.mark_text(
        align="left", baseline="top", dx=4, dy=3, fontSize=11, fontWeight="bold"
    ).encode(text=alt.Text("name:N"), color=alt.Color("ink:N", scale=None))
    counts = name_at.mark_text(
        align="left", baseline="top", dx=4, dy=16, fontSize=10, color="#666666"
    ).encode(text=alt.Text("shown:N"))
    # One stretched view (Streamlit fits a single view to the container, axes included) rather
    # than a concat, whose children Streamlit makes as wide as the container plus their axes.
    return alt.layer(frame, *layers, titles, counts, data=df).properties(
        title=_title(
            "Example heartbeats per class",
            "Each panel overlays a few real beats of one class; all share one amplitude scale.",
        ),
        height=150 * n_rows + 60,
    )


def _nice_ticks(lo: float, hi: float) -> list[float]:
    """Two to four round tick values inside ``[lo, hi]`` (e.g. -2.5, 0, 2.5)."""
    raw = (hi - lo) / 3
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    n = int(math.floor((hi - first) / step + 1e-9))
    return [float(f"{first + i * step:.6g}") for i in range(n + 1)]


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
            [
                "Scaling maps each value into 0-1 so the network",
                "sees inputs on a common scale.",
            ],
        )
    )
