"""Tests for beat_chart, beat_sparkline, beats_by_class and scaling_chart."""

import numpy as np
import pytest
from test_charts import (
    assert_common,
    axis_titles,
    mark_types,
    message_rows,
    n_rows,
    raw,
    rows_with,
    scale_of,
    spec,
    subtitle_text,
    title_text,
    walk,
    with_mark,
)

from anomagram import charts as C

RNG = np.random.default_rng(42)


BEAT = 0.5 + 0.4 * np.sin(np.linspace(0, 2 * np.pi, 140))


def test_beat_chart_input_only():
    d = spec(C.beat_chart(BEAT, title="Your drawing"))
    assert_common(d)
    assert title_text(d) == "Your drawing"
    assert {"Sample (of 140)", "Amplitude (scaled 0-1)"} <= axis_titles(d)
    assert n_rows(d) == 140
    assert "area" not in mark_types(d)
    assert "line" in mark_types(d)


def test_beat_chart_with_reconstruction():
    rec = BEAT * 0.9
    d = spec(C.beat_chart(BEAT, rec, y_title="Amplitude (z-normalised mV)"))
    assert n_rows(d) == 140  # both lines and the error area share one 140-row table
    assert "Amplitude (z-normalised mV)" in axis_titles(d)
    areas = with_mark(d, "area")
    assert areas and areas[0]["encoding"]["y2"]["field"] == "Reconstruction"
    scale = scale_of(d, "color", "series")
    assert scale["domain"] == ["Input", "Reconstruction", "Error"]
    assert scale["range"][:2] == [C.INPUT_COLOR, C.RECON_COLOR]
    row = rows_with(d, "error")[10]
    assert row["error"] == pytest.approx(abs(row["Input"] - row["Reconstruction"]), abs=1e-3)
    assert "reconstruction error (MSE" in subtitle_text(d)


def test_beat_chart_y_domain_fixed_but_never_clips():
    d = raw(C.beat_chart(BEAT, BEAT, y_domain=(0, 1)))
    assert scale_of(d, "y", "Input")["domain"] == [0, 1]
    d = raw(C.beat_chart(BEAT * 3 - 1, y_domain=(0, 1)))
    lo, hi = scale_of(d, "y", "Input")["domain"]
    assert lo <= (BEAT * 3 - 1).min() and hi >= (BEAT * 3 - 1).max()


def test_beat_chart_edge_cases():
    with_nan = BEAT.copy()
    with_nan[5] = np.nan
    d = raw(C.beat_chart(with_nan, BEAT))
    assert rows_with(d, "Input")[5]["Input"] is None
    spec(C.beat_chart(np.array([])))
    with pytest.raises(ValueError):
        C.beat_chart(BEAT, BEAT[:100])


def test_beat_sparkline():
    d = spec(C.beat_sparkline(BEAT, color=C.ABNORMAL_COLOR, height=50))
    assert d["height"] == 50
    assert d["mark"]["color"] == C.ABNORMAL_COLOR
    assert d["encoding"]["x"]["axis"] is None and d["encoding"]["y"]["axis"] is None
    assert d["encoding"]["y"]["scale"]["domain"] == [0, 1]
    assert n_rows(d) == 140
    wide = raw(C.beat_sparkline(BEAT * 2))
    assert wide["encoding"]["y"]["scale"]["domain"][1] >= (BEAT * 2).max()


# --------------------------------------------------------------------------------------------
# beats_by_class, scaling_chart
# --------------------------------------------------------------------------------------------


def _folds(d: dict) -> list[list[str]]:
    return [t["fold"] for sub in walk(d) for t in sub.get("transform", []) if "fold" in t]


def test_beats_by_class_small_and_per_class():
    beats = RNG.normal(size=(400, 140))
    classes = RNG.choice([1, 2, 3, 4], size=400)  # class 5 absent
    d = spec(C.beats_by_class(beats, classes, per_class=3))
    assert_common(d)
    # One wide table: one row per sample, folded in the browser.
    assert len(rows_with(d, "sample")) == 140
    folds = _folds(d)
    assert len(folds) == 4 and all(len(f) == 3 for f in folds)
    names = [r["name"] for r in rows_with(d, "name")]
    assert names == ["Normal", "R-on-T PVC", "PVC", "SVPB / ectopic"]
    lines = with_mark(d, "line")
    assert [m["mark"]["color"] for m in lines] == [C.CLASS_COLORS[k] for k in (1, 2, 3, 4)]
    assert "Amplitude (z-normalised mV)" in axis_titles(d)
    assert "Sample (of 140) in each panel" in axis_titles(d)


def test_beats_by_class_is_a_grid_that_stretches():
    """One stretched view in a grid of up to three panels a row, not a stack of thin strips.

    Streamlit stretches a single view to the container with its axes inside; a concat's
    children it makes as wide as the container plus their axes, which overflowed.
    """
    beats = 0.5 + 0.3 * RNG.normal(size=(500, 140))
    d = spec(C.beats_by_class(beats, np.repeat([1, 2, 3, 4, 5], 100)))
    assert "layer" in d and not {"vconcat", "hconcat", "concat", "facet"} & set(d)
    boxes = rows_with(d, "x2")
    assert len(boxes) == 5
    # Three panels in the first row, two in the second, all of one size.
    rows = sorted({b["y"] for b in boxes}, reverse=True)
    assert [sum(b["y"] == y for b in boxes) for y in rows] == [3, 2]
    assert len({b["x2"] - b["x"] for b in boxes}) == 1
    assert len({b["y2"] - b["y"] for b in boxes}) == 1
    # Panels never overlap: each is shifted by whole panel widths plus a gap.
    lefts = sorted({b["x"] for b in boxes})
    width = boxes[0]["x2"] - boxes[0]["x"]
    assert all(b - a > width for a, b in zip(lefts, lefts[1:], strict=False))
    # The amplitude axis labels map each row's ticks back to real amplitudes.
    (frame,) = with_mark(d, "rect")
    axis = frame["encoding"]["y"]["axis"]
    assert len(axis["values"]) % 2 == 0 and "floor" in axis["labelExpr"]
    assert d["height"] == 2 * 150 + 60
    assert raw(C.beats_by_class(beats[:2], [1, 2]))["height"] == 150 + 60


def test_grid_columns_balance_the_rows():
    from anomagram.charts.beats import _grid_columns, _nice_ticks

    assert [_grid_columns(n) for n in range(1, 8)] == [1, 2, 3, 2, 3, 3, 3]
    assert _nice_ticks(-4.2, 3.1) == [-2.5, 0.0, 2.5]
    assert _nice_ticks(0.0, 1.0) == [0.0, 0.5, 1.0]


def test_beats_by_class_edge_cases():
    scaled = RNG.random((6, 140))
    d = raw(C.beats_by_class(scaled, np.array([5, 5, 5, 1, 1, 1]), per_class=10))
    assert [len(f) for f in _folds(d)] == [3, 3]
    assert "Amplitude (scaled 0-1)" in axis_titles(d)
    empty = spec(C.beats_by_class(np.zeros((0, 140)), np.array([])))
    assert message_rows(empty)
    broken = scaled.copy()
    broken[0, 3] = np.nan
    assert [len(f) for f in _folds(raw(C.beats_by_class(broken, np.ones(6))))] == [5]


def test_scaling_chart_side_by_side():
    raw = BEAT * 4 - 2
    d = spec(C.scaling_chart(raw, (raw - raw.min()) / (raw.max() - raw.min())))
    assert_common(d)
    assert len(d["hconcat"]) == 2
    assert n_rows(d) == 140
    panels = [c["title"]["text"] for c in d["hconcat"]]
    assert panels[0].startswith("Before") and panels[1].startswith("After")
    assert [c["encoding"]["y"]["title"] for c in d["hconcat"]] == [
        "Amplitude (z-normalised mV)",
        "Amplitude (scaled 0-1)",
    ]
    with pytest.raises(ValueError):
        C.scaling_chart(raw, raw[:10])
