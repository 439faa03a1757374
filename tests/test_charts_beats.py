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
    assert "mean squared error" in subtitle_text(d)


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
    assert n_rows(d) == 140  # wide table: one row per sample, folded in the browser
    folds = _folds(d)
    assert len(folds) == 4 and all(len(f) == 3 for f in folds)
    panel_titles = [c["title"]["text"] for c in d["vconcat"]]
    assert panel_titles[0].startswith("Normal") and not any(
        "Unclassified" in t for t in panel_titles
    )
    assert [c["mark"]["color"] for c in d["vconcat"]] == [C.CLASS_COLORS[k] for k in (1, 2, 3, 4)]
    assert "Amplitude (z-normalised mV)" in axis_titles(d)
    assert "Sample (of 140)" in axis_titles(d)


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
