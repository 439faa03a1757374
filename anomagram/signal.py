"""Turn a freehand canvas drawing into a heartbeat of ``SEQ_LEN`` samples, and back.

Pure numpy on purpose: the Streamlit pages and the tests both use it, and it
must stay importable without streamlit or keras.

Canvas conventions (streamlit-drawable-canvas, freedraw mode): coordinates are
canvas pixels, origin top-left, y grows downward. A freedraw object is a fabric
``path`` whose commands end with the point they draw to (``["M", x, y]``,
``["Q", cx, cy, x, y]``, ``["L", x, y]``); control points are ignored because
the pen samples densely enough that the end points already trace the stroke.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np

from anomagram.data import SEQ_LEN

Y_TOP = 2.0  # data value at the top edge of the canvas
Y_BOTTOM = -4.0  # data value at the bottom edge

__all__ = [
    "Y_BOTTOM",
    "Y_TOP",
    "resample",
    "signal_to_drawing",
    "strokes_from_json",
    "strokes_to_signal",
    "z_normalise",
]


def _as_coord(value: Any) -> float | None:
    # bool is a Real subclass, but True/False in a path is corruption, not a coordinate.
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None


def strokes_from_json(json_data: dict | None) -> list[np.ndarray]:
    """Extract every freedraw stroke as a ``(k, 2)`` float array of canvas px ``(x, y)``.

    Whatever the canvas (or a hand-edited initial drawing) sends, this never
    raises: unknown objects, malformed commands and non-finite numbers are
    skipped, and anything unusable yields ``[]``.
    """
    if not isinstance(json_data, dict):
        return []
    objects = json_data.get("objects")
    if not isinstance(objects, list | tuple):
        return []

    strokes: list[np.ndarray] = []
    for obj in objects:
        if not isinstance(obj, dict):
            continue
        kind = obj.get("type")
        # fabric 4/5 serialises "path", fabric 6 "Path".
        if not isinstance(kind, str) or kind.lower() != "path":
            continue
        commands = obj.get("path")
        if not isinstance(commands, list | tuple):
            continue
        points: list[tuple[float, float]] = []
        for cmd in commands:
            # Needs a letter plus at least one (x, y) pair; "Z" and junk have no point.
            if not isinstance(cmd, list | tuple) or len(cmd) < 3:
                continue
            x, y = _as_coord(cmd[-2]), _as_coord(cmd[-1])
            if x is None or y is None:
                continue
            points.append((x, y))
        if points:
            strokes.append(np.asarray(points, dtype=np.float64).reshape(-1, 2))
    return strokes


def _check_canvas(width: float, height: float, n: int) -> None:
    for name, value in (("width", width), ("height", height)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"canvas {name} must be a positive finite number, got {value!r}")
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")


def _float32_within(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    # Rounding to float32 can step just past a bound that float32 cannot represent exactly
    # (e.g. 0.1); pull the limits inward so callers can trust lo <= v <= hi.
    lo32, hi32 = np.float32(lo), np.float32(hi)
    if float(lo32) < lo:
        lo32 = np.nextafter(lo32, np.float32(np.inf))
    if float(hi32) > hi:
        hi32 = np.nextafter(hi32, np.float32(-np.inf))
    if lo32 > hi32:
        # lo == hi (or nearly) with no float32 in between: nearest representable is the best.
        lo32 = hi32 = np.float32(lo)
    return np.clip(values.astype(np.float32), lo32, hi32)


def _segment_sums(
    u: np.ndarray, v: np.ndarray, starts: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-bin sum and count of each segment's value at every integer strictly inside it.

    Without these, a fast pen stroke (few, widely spaced points) would leave
    gaps that get filled by straight lines between *bins* rather than along
    the stroke.

    Cost is O(points + n), not O(bins crossed): a frantic scribble of long
    back-and-forth segments would otherwise generate tens of thousands of samples.
    """
    sums = np.zeros(n)
    counts = np.zeros(n, dtype=np.int64)
    inside = np.ones(len(u), dtype=bool)
    inside[starts] = False  # a stroke's first point does not continue the previous stroke
    tail = np.flatnonzero(inside)
    if tail.size == 0:
        return sums, counts
    head = tail - 1
    u0, u1, v0, v1 = u[head], u[tail], v[head], v[tail]
    first = np.floor(np.minimum(u0, u1)).astype(np.int64) + 1
    stop = np.ceil(np.maximum(u0, u1)).astype(np.int64)  # exclusive
    span = stop - first
    # span >= 1 implies u0 != u1, so the divisions below are safe.

    one = span == 1
    if one.any():
        # Handled apart because a near-vertical segment has an enormous slope that would
        # wreck the precision of the running sums below.
        t = (first[one] - u0[one]) / (u1[one] - u0[one])
        sums += np.bincount(first[one], weights=v0[one] + t * (v1[one] - v0[one]), minlength=n)
        counts += np.bincount(first[one], minlength=n)

    many = span >= 2
    if many.any():
        # Each segment adds c + m * i on [first, stop): difference arrays for the count, for c
        # and for m, then cumulative sums. Spanning >= 2 integers means |du| > 1, so |m| is
        # bounded by the value range and the running sums stay well conditioned.
        f, e = first[many], stop[many]
        m = (v1[many] - v0[many]) / (u1[many] - u0[many])
        c = v0[many] - m * u0[many]
        size = n + 1
        d_count = np.bincount(f, minlength=size) - np.bincount(e, minlength=size)
        d_c = np.bincount(f, weights=c, minlength=size) - np.bincount(e, weights=c, minlength=size)
        d_m = np.bincount(f, weights=m, minlength=size) - np.bincount(e, weights=m, minlength=size)
        counts += np.cumsum(d_count)[:n]
        sums += np.cumsum(d_c)[:n] + np.arange(n) * np.cumsum(d_m)[:n]
    return sums, counts


def strokes_to_signal(
    strokes: list[np.ndarray],
    width: float,
    height: float,
    *,
    y_top: float = Y_TOP,
    y_bottom: float = Y_BOTTOM,
    n: int = SEQ_LEN,
) -> np.ndarray | None:
    """Rasterise strokes into ``n`` values: one mean per x bin, gaps interpolated.

    x spans the canvas width onto indices ``0..n-1``; y maps linearly from
    ``y_top`` (y=0) to ``y_bottom`` (y=height). Points outside the canvas are
    clipped to it, all strokes are pooled, and bins before/after the drawn
    range hold the nearest drawn value. Returns ``None`` if there is no point.
    """
    _check_canvas(width, height, n)
    n = int(n)

    kept: list[np.ndarray] = []
    for stroke in strokes:
        pts = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        # Drop unusable points rather than the whole stroke: one glitch should not erase a beat.
        pts = pts[np.isfinite(pts).all(axis=1)]
        if len(pts):
            kept.append(pts)
    if not kept:
        return None

    lengths = np.array([len(p) for p in kept])
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    pts = np.concatenate(kept)
    x = np.clip(pts[:, 0], 0.0, width)
    y = np.clip(pts[:, 1], 0.0, height)
    u = x / width * (n - 1)  # fractional sample index
    # Snap float noise onto the grid: a point drawn exactly at a sample (as signal_to_drawing
    # does) but computed as i - 1e-14 would otherwise count twice, once via its segment.
    nearest = np.rint(u)
    u = np.where(np.abs(u - nearest) < 1e-9, nearest, u)
    v = y_top + (y / height) * (y_bottom - y_top)

    # floor(u + 0.5) rather than rint: banker's rounding would send alternate half-way
    # points to different sides.
    point_bins = np.minimum(np.floor(u + 0.5).astype(np.int64), n - 1)
    sums, counts = _segment_sums(u, v, starts, n)
    sums += np.bincount(point_bins, weights=v, minlength=n)
    counts += np.bincount(point_bins, minlength=n)
    filled = np.flatnonzero(counts)
    means = sums[filled] / counts[filled]
    # np.interp holds the end values outside [filled[0], filled[-1]], which is exactly the
    # behaviour wanted for a drawing that covers only part of the width.
    signal = np.interp(np.arange(n), filled, means)
    return _float32_within(signal, min(y_top, y_bottom), max(y_top, y_bottom))


def _finite_1d(values: Any, what: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must contain only numbers ({exc})") from exc
    arr = np.squeeze(arr) if arr.ndim > 1 else arr  # a (1, k) DataFrame row is still one beat
    arr = np.atleast_1d(arr)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be one-dimensional, got shape {np.shape(values)}")
    if arr.size == 0:
        raise ValueError(f"{what} is empty; need at least one value")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        shown = ", ".join(str(i) for i in bad[:5]) + (", ..." if bad.size > 5 else "")
        raise ValueError(
            f"{what} contains {bad.size} missing or infinite value(s) at position(s) {shown}"
        )
    return arr


def signal_to_drawing(
    signal: np.ndarray,
    width: float,
    height: float,
    *,
    y_top: float = Y_TOP,
    y_bottom: float = Y_BOTTOM,
    stroke_color: str = "#222222",
    stroke_width: int = 3,
) -> dict:
    """Canvas ``json_data`` with one freedraw path tracing ``signal`` across the full width.

    Meant for ``st_canvas(initial_drawing=...)`` so a user can start from a real
    beat and edit it. Values beyond ``[y_bottom, y_top]`` are drawn at the edge,
    since the canvas cannot show them anyway.
    """
    _check_canvas(width, height, 1)
    values = _finite_1d(signal, "signal")
    if values.size == 1:
        # One sample would be an invisible dot; draw it as a flat line instead.
        values = np.repeat(values, 2)
    lo, hi = min(y_top, y_bottom), max(y_top, y_bottom)
    values = np.clip(values, lo, hi)
    xs = np.linspace(0.0, width, values.size)
    if y_top == y_bottom:
        ys = np.full(values.size, height / 2.0)
    else:
        ys = (values - y_top) / (y_bottom - y_top) * height
    # No rounding of coordinates: x must land on exact sample positions, otherwise a steep
    # step smears into the neighbouring bin on the way back through strokes_to_signal.

    commands: list[list[Any]] = [["M", float(xs[0]), float(ys[0])]]
    commands += [["L", float(a), float(b)] for a, b in zip(xs[1:], ys[1:], strict=True)]
    half = stroke_width / 2.0
    path_object = {
        "type": "path",
        "version": "4.4.0",
        "originX": "left",
        "originY": "top",
        # fabric positions an object by its box *including* the stroke, so shift by half the
        # stroke width or the redrawn line lands offset from the data it represents.
        "left": float(xs.min()) - half,
        "top": float(ys.min()) - half,
        "width": float(xs.max() - xs.min()),
        "height": float(ys.max() - ys.min()),
        "fill": None,
        "stroke": stroke_color,
        "strokeWidth": stroke_width,
        "strokeLineCap": "round",
        "strokeLineJoin": "round",
        "scaleX": 1,
        "scaleY": 1,
        "angle": 0,
        "opacity": 1,
        "visible": True,
        "path": commands,
    }
    return {"version": "4.4.0", "objects": [path_object]}


def resample(values: np.ndarray, n: int = SEQ_LEN) -> np.ndarray:
    """Linearly resample a 1-D beat onto ``n`` evenly spaced points, keeping both ends.

    Uploaded rows come in any length; the model only takes ``n``. A single
    value becomes a constant beat. Returns float64; raises ``ValueError`` with a
    message fit for the UI on empty, non-numeric or non-finite input.
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    n = int(n)
    arr = _finite_1d(values, "beat")
    if arr.size == 1:
        return np.full(n, arr[0], dtype=np.float64)
    positions = np.linspace(0.0, arr.size - 1, n)
    out = np.interp(positions, np.arange(arr.size), arr)
    # Interpolation arithmetic may land one ulp outside the data; keep the promise exact.
    return np.clip(out, arr.min(), arr.max())


def z_normalise(beat: np.ndarray) -> np.ndarray:
    """Per-beat ``(x - mean) / std`` (population std), as ECG5000 was preprocessed.

    2-D input is normalised row by row. A (near-)constant beat has no shape to
    scale, so it becomes all zeros instead of NaN or amplified rounding noise.
    """
    try:
        arr = np.asarray(beat, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"beat must contain only numbers ({exc})") from exc
    if arr.ndim not in (1, 2):
        raise ValueError(f"beat must be 1-D or 2-D (rows of beats), got shape {arr.shape}")
    if arr.shape[-1] == 0:
        raise ValueError("beat is empty; need at least one value")
    if not np.isfinite(arr).all():
        raise ValueError("beat contains missing or infinite values")
    mean = arr.mean(axis=-1, keepdims=True)
    centred = arr - mean
    std = np.sqrt((centred**2).mean(axis=-1, keepdims=True))
    # Relative threshold: a constant row like [0.1] * SEQ_LEN leaves ~1e-17 of rounding residue
    # that would otherwise be blown up to +-1.
    scale = np.maximum(np.abs(arr).max(axis=-1, keepdims=True), 1.0)
    flat = std <= 1e-12 * scale
    return np.where(flat, 0.0, centred / np.where(flat, 1.0, std))
