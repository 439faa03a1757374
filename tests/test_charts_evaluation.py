"""Tests for confusion_matrix_chart and per_class_chart."""

import pytest
from test_charts import (
    assert_common,
    axis_titles,
    mark_types,
    raw,
    rows_with,
    scale_of,
    spec,
    walk,
    with_mark,
)

from anomagram import charts as C
from anomagram.data import SHORT_CLASS_NAMES


def test_confusion_matrix_chart():
    d = spec(C.confusion_matrix_chart(tp=40, fp=7, tn=90, fn=3))
    assert_common(d)
    assert {"Predicted by the model", "True label"} <= axis_titles(d)
    cells = {(r["true"], r["pred"]): r for r in rows_with(d, "count")}
    assert len(cells) == 4
    assert cells[("Normal", "Abnormal")]["count"] == 7
    assert cells[("Normal", "Abnormal")]["meaning"] == "False alarm"
    assert cells[("Abnormal", "Normal")]["count"] == 3
    assert cells[("Abnormal", "Abnormal")]["count"] == 40
    assert cells[("Normal", "Normal")]["share"] == pytest.approx(90 / 97)
    assert "text" in mark_types(d) and "rect" in mark_types(d)
    # The count scale and the per-cell ink colour must not share one scale: Vega fails on that.
    assert d["resolve"] == {"scale": {"color": "independent"}}
    # The share sits on its own line under the outcome: one line overflowed a phone's cell.
    assert cells[("Abnormal", "Abnormal")]["detail"] == "93.0 % of abnormal"
    assert {t["encoding"]["text"]["field"] for t in with_mark(d, "text")} == {
        "count",
        "meaning",
        "detail",
    }
    inks = [s["encoding"]["color"] for s in with_mark(d, "text")]
    assert inks and all(c == {"field": "ink", "type": "nominal", "scale": None} for c in inks)


def test_confusion_matrix_chart_edge_cases():
    d = raw(C.confusion_matrix_chart(0, 0, 0, 0))
    assert all(r["share"] is None for r in rows_with(d, "count"))
    with pytest.raises(ValueError):
        C.confusion_matrix_chart(-1, 0, 0, 0)


def test_per_class_chart():
    rates = {1: 0.05, 2: 0.9, 3: 0.5, 4: None, 5: float("nan")}
    d = spec(C.per_class_chart(rates, counts={1: 200, 2: 10, 3: 4, 4: 0, 5: 0}))
    assert_common(d)
    rows = {r["class"]: r for r in rows_with(d, "class")}
    assert list(rows) == [SHORT_CLASS_NAMES[k] for k in (1, 2, 3, 4, 5)]
    assert rows["Normal"]["pct"] == pytest.approx(5)
    assert "false alarm" in rows["Normal"]["label"].lower()
    assert "false alarm" in rows["Normal"]["meaning"].lower()
    assert rows["R-on-T PVC"]["pct"] == pytest.approx(90)
    assert rows["SVPB / ectopic"]["pct"] is None and rows["SVPB / ectopic"]["label"] == "no beats"
    assert rows["Unclassified"]["label"] == "no beats"
    # Bars skip classes without a rate; labels do not.
    (bar,) = with_mark(d, "bar")
    assert bar["transform"] == [{"filter": "isValid(datum.pct)"}]
    scale = scale_of(d, "color", "class")
    assert scale["range"][scale["domain"].index("PVC")] == C.CLASS_COLORS[3]
    assert scale_of(d, "x", "pos")["domain"] == [0, 100]
    # Shares in the app's one format, to one decimal like the tiles.
    assert rows["Normal"]["label"] == "5.0 % false alarms (of 200)"
    assert rows["R-on-T PVC"]["label"] == "90.0 % caught (of 10)"


def test_per_class_chart_keeps_every_row_label_at_any_height():
    """The Train page drew two of five row labels: Streamlit's theme hides labels it thinks
    overlap. The builder turns that off and sizes the chart per row, not in total."""
    d = spec(C.per_class_chart({c: 0.5 for c in range(1, 6)}))
    y_axes = [
        s["encoding"]["y"].get("axis", {})
        for s in walk(d)
        if isinstance(s.get("encoding"), dict)
        and s["encoding"].get("y", {}).get("field") == "class"
    ]
    assert y_axes and all(a.get("labelOverlap") is False for a in y_axes)
    assert all(a.get("labelLimit") == 0 for a in y_axes)  # long names never cut either
    assert d["height"] == {"step": 36}
    # A page that fixes the total height still gets every label (labelOverlap stays off).
    assert C.to_vega(C.per_class_chart({1: 0.1}), 220)["height"] == 220


def test_per_class_chart_accepts_percentages_and_partial_mappings():
    d = raw(C.per_class_chart({1: 12.5, 3: 80.0}))
    rows = {r["class"]: r for r in rows_with(d, "class")}
    assert rows["Normal"]["pct"] == pytest.approx(12.5)
    assert rows["PVC"]["pct"] == pytest.approx(80)
    assert rows["R-on-T PVC"]["label"] == "no beats"
    raw(C.per_class_chart({}))
