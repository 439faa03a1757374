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
    subtitle_text,
    title_text,
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


def test_per_class_chart_default_is_ecg5000s_classes():
    rates, counts = {1: 0.05, 2: 0.9, 3: 0.5}, {1: 200, 2: 10, 3: 4}
    default = raw(C.per_class_chart(rates, counts))
    assert default == raw(C.per_class_chart(rates, counts, C.ClassStyle.ecg5000()))
    assert scale_of(default, "color", "class") == {
        "domain": [SHORT_CLASS_NAMES[k] for k in (1, 2, 3, 4, 5)],
        "range": [C.CLASS_COLORS[k] for k in (1, 2, 3, 4, 5)],
    }
    assert subtitle_text(default) == (
        "Normal row: false alarms (want low). Other rows: abnormal beats caught (want high)."
    )


def test_per_class_chart_names_another_datasets_classes():
    from anomagram.sources import load_ucr, with_normal

    ecg200 = load_ucr("ECG200")  # classes {-1: "Myocardial infarction", 1: "Normal"}
    style = C.ClassStyle.of(ecg200)
    d = spec(C.per_class_chart({-1: 0.8, 1: 0.1}, {-1: 17, 1: 33}, style))
    assert_common(d)
    rows = {r["class"]: r for r in rows_with(d, "class")}
    assert list(rows) == ["Normal", "Myocardial infarction"]
    assert rows["Normal"]["label"] == "10.0 % false alarms (of 33)"
    assert rows["Normal"]["meaning"].startswith("False alarm rate: normal beats wrongly flagged")
    assert rows["Myocardial infarction"]["label"] == "80.0 % caught (of 17)"
    assert scale_of(d, "color", "class") == {
        "domain": ["Normal", "Myocardial infarction"],
        "range": [C.NORMAL_COLOR, C.CLASS_COLORS[2]],
    }
    assert "Normal row: false alarms" in subtitle_text(d)
    # With the other class as normal, its row comes first and counts false alarms.
    flipped = raw(
        C.per_class_chart({-1: 0.1, 1: 0.8}, None, C.ClassStyle.of(with_normal(ecg200, "-1")))
    )
    rows = {r["class"]: r for r in rows_with(flipped, "class")}
    assert list(rows) == ["Myocardial infarction", "Normal"]
    assert rows["Myocardial infarction"]["label"] == "10.0 % false alarms"
    assert "myocardial infarction beats wrongly flagged" in rows["Myocardial infarction"]["meaning"]
    assert rows["Normal"]["label"] == "80.0 % caught"
    assert subtitle_text(flipped).startswith("Myocardial infarction row: false alarms")


def test_per_class_chart_speaks_of_the_datas_rows():
    style = C.ClassStyle((0, 1), ("normal", "spiky"), (C.NORMAL_COLOR, "#D55E00"), 0, "windows")
    d = raw(C.per_class_chart({0: 0.02, 1: None}, {0: 50, 1: 0}, style))
    assert title_text(d) == "Which windows get flagged, by class"
    assert "abnormal windows caught" in subtitle_text(d)
    assert "Flagged abnormal (% of the class's windows)" in axis_titles(d)
    rows = {r["class"]: r for r in rows_with(d, "class")}
    assert rows["normal"]["meaning"].startswith("False alarm rate: normal windows wrongly")
    assert rows["spiky"]["label"] == "no windows"
    # A class id the style does not list still gets its row, last and grey.
    extra = raw(C.per_class_chart({0: 0.5, 1: 0.5, 7: 0.5}, None, style))
    assert [r["class"] for r in rows_with(extra, "class")] == ["normal", "spiky", "Class 7"]
    assert scale_of(extra, "color", "class")["range"][-1] == C.OTHER_CLASS_COLOR


# --- the leaderboard and the ROC overlay ------------------------------------------------------


def _rows():
    from anomagram.baselines import Row, leaderboard

    rows = leaderboard(0.977, {"pca": 0.991, "knn": 0.995, "iforest": 0.936}, ae_seconds=1.5)
    return rows + [Row("lof", "Local Outlier Factor", float("nan"), None, False)]


def test_leaderboard_chart_keeps_the_order_and_marks_the_autoencoder():
    from anomagram.charts.evaluation import leaderboard_chart

    d = spec(leaderboard_chart(_rows(), {"Local Outlier Factor": "still fitting"}))
    assert_common(d)
    rows = sorted(rows_with(d, "order"), key=lambda r: r["order"])
    assert [r["name"] for r in rows] == [
        "k-nearest neighbours",
        "PCA reconstruction",
        "Autoencoder",
        "Isolation Forest",
        "Local Outlier Factor",
    ]
    assert [r["label"] for r in rows] == ["0.995", "0.991", "0.977", "0.936", "still fitting"]
    assert [r["model"] for r in rows].count("Autoencoder") == 1
    assert rows[2]["model"] == "Autoencoder" and rows[2]["seconds"] == 1.5
    colors = scale_of(d, "color", "model")
    assert colors["domain"] == ["Autoencoder", "Classic detector"]
    assert colors["range"] == [C.MODEL_COLOR, C.BASELINE_COLOR]
    # The y axis keeps the leaderboard's order, and the axis label of the autoencoder is bold.
    y = next(s["encoding"]["y"] for s in walk(d) if "encoding" in s and "y" in s["encoding"])
    assert y["sort"] == [r["name"] for r in rows]
    assert "Autoencoder" in y["axis"]["labelFontWeight"]["expr"]
    # Dots, on an axis from just below the lowest AUC to 1: the fitting row has no dot.
    (dots,) = with_mark(d, "circle")
    assert dots["transform"] == [{"filter": "isValid(datum.auc)"}]
    x = dots["encoding"]["x"]
    assert x["scale"]["domain"] == [0.92, 1.0]
    assert rows[-1]["at"] == 0.92  # its note sits at the left edge


def test_leaderboard_chart_takes_recorded_dicts_and_survives_no_aucs():
    from anomagram.charts.evaluation import leaderboard_chart

    recorded = [
        {
            "key": "autoencoder",
            "name": "Autoencoder",
            "auc": 0.98,
            "seconds": None,
            "is_autoencoder": True,
        },
        {
            "key": "pca",
            "name": "PCA reconstruction",
            "auc": 0.99,
            "seconds": 0.01,
            "is_autoencoder": False,
        },
    ]
    d = spec(leaderboard_chart(recorded))
    assert [r["label"] for r in rows_with(d, "order")] == ["0.980", "0.990"]
    empty = spec(
        leaderboard_chart(
            [{"name": "Autoencoder", "auc": None, "seconds": None, "is_autoencoder": True}]
        )
    )
    assert [r["label"] for r in rows_with(empty, "order")] == ["no AUC"]


def test_roc_chart_names_the_detector_it_overlays():
    d = spec(
        C.roc_chart(
            [0, 0.1, 1],
            [0, 0.9, 1],
            0.9,
            baseline=([0, 0.05, 1], [0, 0.95, 1], 0.97),
            baseline_name="Local Outlier Factor",
        )
    )
    domain = scale_of(d, "color", "series")["domain"]
    assert domain == [
        "Autoencoder (AUC 0.900)",
        "Local Outlier Factor (AUC 0.970)",
        "Random guess (AUC 0.5)",
    ]
