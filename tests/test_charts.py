"""Tests for anomagram.charts: check the Vega-Lite dicts, not pixels.

``chart.to_dict()`` validates against the Vega-Lite schema, so every call below also asserts
that the spec is valid.
"""

import ast
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hyp_st

from anomagram import charts as C
from anomagram.spec import MAX_LATENT, MAX_LAYERS, MAX_UNITS

RNG = np.random.default_rng(42)


# --------------------------------------------------------------------------------------------
# Helpers to look inside a Vega-Lite dict
# --------------------------------------------------------------------------------------------


def spec(chart) -> dict:
    return chart.to_dict()  # validates against the Vega-Lite schema


def raw(chart) -> dict:
    """Unvalidated dict, for variants whose spec structure is already validated elsewhere.

    Altair's validation costs ~50 ms per chart; skipping it where it adds nothing keeps the
    file well under its time budget.
    """
    return chart.to_dict(validate=False)


def walk(obj):
    """Every dict nested anywhere in a spec."""
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from walk(v)


def datasets(d: dict) -> list[list[dict]]:
    out = list(d.get("datasets", {}).values())
    out += [sub["data"]["values"] for sub in walk(d) if "values" in sub.get("data", {})]
    return out


def n_rows(d: dict) -> int:
    return sum(len(rows) for rows in datasets(d))


def rows_with(d: dict, key: str) -> list[dict]:
    """All data rows (over all datasets) that carry ``key``."""
    return [r for rows in datasets(d) for r in rows if key in r]


def title_text(d: dict) -> str:
    t = d.get("title")
    return t["text"] if isinstance(t, dict) else (t or "")


def subtitle_text(d: dict) -> str:
    t = d.get("title")
    return t.get("subtitle", "") if isinstance(t, dict) else ""


def axis_titles(d: dict) -> set[str]:
    titles = set()
    for sub in walk(d):
        enc = sub.get("encoding")
        if not isinstance(enc, dict):
            continue
        for ch in ("x", "y"):
            if isinstance(enc.get(ch), dict) and enc[ch].get("title"):
                titles.add(enc[ch]["title"])
    return titles


def with_mark(d: dict, mark: str) -> list[dict]:
    """Unit specs drawing ``mark``."""
    out = []
    for sub in walk(d):
        m = sub.get("mark")
        if m == mark or (isinstance(m, dict) and m.get("type") == mark):
            out.append(sub)
    return out


def mark_types(d: dict) -> list[str]:
    out = []
    for sub in walk(d):
        m = sub.get("mark")
        if isinstance(m, str):
            out.append(m)
        elif isinstance(m, dict) and "type" in m:
            out.append(m["type"])
    return out


def color_scales(d: dict) -> list[dict]:
    return [
        sub["encoding"]["color"]["scale"]
        for sub in walk(d)
        if isinstance(sub.get("encoding"), dict)
        and isinstance(sub["encoding"].get("color"), dict)
        and isinstance(sub["encoding"]["color"].get("scale"), dict)
    ]


def scale_of(d: dict, channel: str, field: str) -> dict:
    for sub in walk(d):
        enc = sub.get("encoding")
        ch = enc.get(channel) if isinstance(enc, dict) else None
        if isinstance(ch, dict) and ch.get("field") == field and "scale" in ch:
            return ch["scale"]
    raise AssertionError(f"no {channel} scale for field {field!r}")


def message_rows(d: dict) -> list[dict]:
    return rows_with(d, "message")


def assert_common(d: dict) -> None:
    """Rules every chart follows: a title, no fixed width (the app stretches charts)."""
    assert title_text(d).strip()
    assert not [sub for sub in walk(d) if "width" in sub]


# --------------------------------------------------------------------------------------------
# Module-level contract
# --------------------------------------------------------------------------------------------


def test_module_imports_no_streamlit_or_keras():
    tree = ast.parse(Path(C.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported.isdisjoint({"streamlit", "keras", "tensorflow", "torch"}), imported


def test_palette_is_okabe_ito_and_consistent():
    assert C.NORMAL_COLOR == "#0072B2" and C.ABNORMAL_COLOR == "#D55E00"
    assert set(C.CLASS_NAMES) == set(C.CLASS_COLORS) == {1, 2, 3, 4, 5}
    assert C.CLASS_COLORS == {
        1: "#0072B2",
        2: "#D55E00",
        3: "#CC79A7",
        4: "#E69F00",
        5: "#009E73",
    }
    assert C.CLASS_COLORS[1] == C.NORMAL_COLOR
    assert len(set(C.CLASS_COLORS.values())) == 5


# --------------------------------------------------------------------------------------------
# loss_chart
# --------------------------------------------------------------------------------------------


def test_loss_chart_basic():
    d = spec(C.loss_chart([1, 2, 3], [0.3, 0.2, 0.1], [0.35, 0.25, 0.15], total_epochs=20))
    assert_common(d)
    assert {"Epoch", "Loss (MSE, scaled units)"} <= axis_titles(d)
    assert n_rows(d) == 6
    assert scale_of(d, "x", "epoch")["domain"] == [1, 20]
    colors = scale_of(d, "color", "series")
    assert colors["range"] == [C.TRAIN_COLOR, C.VAL_COLOR] == ["#0072B2", "#E69F00"]
    val = sorted(r["loss"] for r in rows_with(d, "series") if r["series"] == "Validation loss")
    assert val == [0.15, 0.25, 0.35]
    assert d["height"] >= 200


def test_loss_chart_domain_without_total_and_edge_cases():
    d = raw(C.loss_chart([1, 2, 3, 4], [4, 3, 2, 1], [4, 3, 2, 1]))
    assert scale_of(d, "x", "epoch")["domain"] == [1, 4]

    empty = spec(C.loss_chart([], [], [], total_epochs=10))
    assert_common(empty)
    assert rows_with(empty, "series") == []
    assert message_rows(empty), "an empty loss chart should say it is waiting"
    assert scale_of(empty, "x", "epoch")["domain"] == [1, 10]

    one = raw(C.loss_chart([1], [0.5], []))  # no validation split yet
    assert [r["series"] for r in rows_with(one, "series")] == ["Training loss"]
    lo, hi = scale_of(one, "x", "epoch")["domain"]
    assert lo < 1 < hi  # the single point is not squashed onto an axis edge


def test_loss_chart_drops_nan_and_downsamples_long_runs():
    d = raw(C.loss_chart([1, 2, 3], [0.3, float("nan"), 0.1], [0.3, 0.2, float("inf")]))
    assert n_rows(d) == 4

    n = 1000
    d = raw(C.loss_chart(range(1, n + 1), np.linspace(1, 0, n), np.linspace(1, 0, n)))
    assert n_rows(d) <= 300
    epochs = {r["epoch"] for r in rows_with(d, "epoch")}
    assert {1, n} <= epochs  # first and latest epoch always shown


# --------------------------------------------------------------------------------------------
# error_histogram
# --------------------------------------------------------------------------------------------


def test_error_histogram_bins_server_side():
    errors = RNG.gamma(2.0, 0.01, 10_000)
    abnormal = RNG.random(10_000) < 0.3
    d = spec(C.error_histogram(errors, abnormal, threshold=0.03, bins=40))
    assert_common(d)
    assert title_text(d) == "Reconstruction error of test beats"
    assert {"Reconstruction error (MSE, scaled units)", "Number of beats"} <= axis_titles(d)
    bars = rows_with(d, "count")
    assert 0 < len(bars) <= 2 * 40
    assert n_rows(d) <= 2 * 40 + 2
    by_group = {g: sum(r["count"] for r in bars if r["group"] == g) for g in ("Normal", "Abnormal")}
    assert by_group == {"Normal": int((~abnormal).sum()), "Abnormal": int(abnormal.sum())}
    assert scale_of(d, "color", "group")["range"] == [C.NORMAL_COLOR, C.ABNORMAL_COLOR]
    widths = [r["bin_end"] - r["bin_start"] for r in bars]
    assert widths == pytest.approx([errors.max() / 40] * len(bars), rel=1e-3)


def test_error_histogram_threshold_rule_present_only_when_given():
    errors, abnormal = RNG.random(200) * 0.1, RNG.random(200) < 0.5
    with_thr = spec(C.error_histogram(errors, abnormal, threshold=0.042))
    assert "rule" in mark_types(with_thr)
    thr_rows = rows_with(with_thr, "threshold")
    assert thr_rows and thr_rows[0]["threshold"] == pytest.approx(0.042)
    assert any("0.042" in r["label"] for r in thr_rows)

    without = spec(C.error_histogram(errors, abnormal))
    assert "rule" not in mark_types(without)
    assert rows_with(without, "threshold") == []
    nan_thr = raw(C.error_histogram(errors, abnormal, threshold=float("nan")))
    assert "rule" not in mark_types(nan_thr)


def test_error_histogram_fixed_x_max_keeps_every_beat():
    errors = np.array([0.01, 0.02, 0.5, 2.0])
    d = raw(C.error_histogram(errors, np.array([0, 0, 1, 1]), x_max=0.1, bins=10))
    bars = rows_with(d, "count")
    assert sum(r["count"] for r in bars) == 4
    assert max(r["bin_end"] for r in bars) == pytest.approx(0.1)
    assert scale_of(d, "x", "bin_start")["domain"] == [0, 0.1]
    # A threshold beyond x_max widens the axis so the rule stays visible.
    d = raw(C.error_histogram(errors, np.array([0, 0, 1, 1]), x_max=0.1, threshold=0.2))
    assert scale_of(d, "x", "bin_start")["domain"][1] >= 0.2


@pytest.mark.parametrize(
    "errors, abnormal, expected_total",
    [
        (np.array([]), np.array([], dtype=bool), 0),
        (np.full(50, 0.25), np.zeros(50, dtype=bool), 50),
        (np.zeros(7), np.ones(7, dtype=bool), 7),
        (np.array([np.nan, np.inf, -np.inf, 0.1, 0.2]), np.array([0, 1, 0, 1, 0]), 2),
        (np.full(5, np.nan), np.zeros(5), 0),
    ],
)
def test_error_histogram_edge_cases(errors, abnormal, expected_total):
    # Empty inputs add a message layer, so validate those; the rest share a validated structure.
    d = (spec if expected_total == 0 else raw)(C.error_histogram(errors, abnormal, threshold=0.1))
    assert_common(d)
    assert sum(r["count"] for r in rows_with(d, "count")) == expected_total
    domain = scale_of(d, "x", "bin_start")["domain"]
    assert domain[0] == 0 and domain[1] > 0
    if expected_total == 0:
        assert message_rows(d)


def test_error_histogram_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        C.error_histogram(np.ones(3), np.ones(4))


# --------------------------------------------------------------------------------------------
# roc_chart
# --------------------------------------------------------------------------------------------


def _smooth_roc(n: int) -> tuple[np.ndarray, np.ndarray]:
    fpr = np.sort(RNG.random(n))
    fpr[0], fpr[-1] = 0.0, 1.0
    return fpr, fpr**0.25


def _curve(d: dict, label_start: str) -> list[dict]:
    rows = [r for r in rows_with(d, "series") if r["series"].startswith(label_start)]
    return sorted(rows, key=lambda r: r["i"])


def test_roc_chart_downsamples_and_keeps_shape():
    fpr, tpr = _smooth_roc(5000)
    d = spec(C.roc_chart(fpr, tpr, 0.91, max_points=120))
    assert_common(d)
    assert "AUC 0.910" in title_text(d)
    assert {
        "False positive rate (share of normal beats flagged)",
        "True positive rate (share of abnormal beats caught)",
    } <= axis_titles(d)
    model = _curve(d, "Autoencoder")
    assert len(model) <= 120
    assert n_rows(d) <= 120 + 3
    xs = np.array([r["fpr"] for r in model])
    ys = np.array([r["tpr"] for r in model])
    assert (xs[0], ys[0]) == (0.0, 0.0) and (xs[-1], ys[-1]) == (1.0, 1.0)
    assert np.all(np.diff(xs) >= 0) and np.all(np.diff(ys) >= 0)
    # The thinned curve must stay on the original one.
    assert np.max(np.abs(ys - np.interp(xs, fpr, tpr))) < 0.05
    chance = _curve(d, "Random guess")
    assert [(r["fpr"], r["tpr"]) for r in chance] == [(0.0, 0.0), (1.0, 1.0)]


def test_roc_chart_small_curve_kept_exactly():
    d = raw(C.roc_chart(np.array([0.0, 0.1, 0.1, 1.0]), np.array([0.0, 0.5, 0.9, 1.0]), 0.95))
    pts = [(r["fpr"], r["tpr"]) for r in _curve(d, "Autoencoder")]
    assert (0.1, 0.5) in pts and (0.1, 0.9) in pts  # corners of the step survive
    order = scale_of(d, "color", "series")["domain"]
    assert order[0].startswith("Autoencoder") and order[-1].startswith("Random")


def test_roc_chart_baseline_and_threshold_marker():
    fpr, tpr = _smooth_roc(500)
    d = spec(C.roc_chart(fpr, tpr, 0.9, baseline=(fpr, np.sqrt(fpr), 0.8), point=(0.2, 0.7)))
    colors = scale_of(d, "color", "series")
    assert "PCA baseline (AUC 0.800)" in colors["domain"]
    assert colors["range"][colors["domain"].index("PCA baseline (AUC 0.800)")] == C.BASELINE_COLOR
    assert len(_curve(d, "PCA baseline")) <= 120
    marker = [r for r in rows_with(d, "label") if r["label"] == "Current threshold"]
    assert marker and (marker[0]["fpr"], marker[0]["tpr"]) == (0.2, 0.7)

    plain = raw(C.roc_chart(fpr, tpr, 0.9))
    assert not any("PCA" in s for s in scale_of(plain, "color", "series")["domain"])
    assert not [r for r in rows_with(plain, "label") if r["label"] == "Current threshold"]


def test_roc_chart_edge_cases():
    d = spec(C.roc_chart(np.array([]), np.array([]), float("nan")))
    assert "n/a" in title_text(d)
    assert _curve(d, "Autoencoder") == []
    d = raw(C.roc_chart(np.array([np.nan, 0.5]), np.array([0.2, np.inf]), 0.5, point=(np.nan, 1)))
    assert [(r["fpr"], r["tpr"]) for r in _curve(d, "Autoencoder")] == []
    with pytest.raises(ValueError):
        C.roc_chart(np.ones(3), np.ones(2), 0.5)


# --------------------------------------------------------------------------------------------
# latent_scatter
# --------------------------------------------------------------------------------------------


def _latent_data(n: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    classes = RNG.choice([1, 2, 3, 4], size=n, p=[0.6, 0.25, 0.1, 0.05])
    classes[:20] = 5  # a rare class, like ECG5000's "Unclassified"
    return RNG.normal(size=(n, dim)) + classes[:, None], classes


@pytest.mark.parametrize(
    "dim, x_title, y_title",
    [
        (1, "z1", "jitter"),
        (2, "z1", "z2"),
        (5, "PC1 of latent", "PC2 of latent"),
    ],
)
def test_latent_scatter_dimensions(dim, x_title, y_title):
    latent, classes = _latent_data(5000, dim)
    d = spec(C.latent_scatter(latent, classes))
    assert_common(d)
    assert title_text(d) == "Bottleneck (latent) space of test beats"
    titles = axis_titles(d)
    assert any(t.startswith(x_title) for t in titles), titles
    assert any(y_title.lower() in t.lower() for t in titles), titles
    rows = rows_with(d, "class")
    assert 500 <= len(rows) <= 600
    assert "5000" in subtitle_text(d)
    # Stratified thinning keeps every one of the 20 rare beats.
    assert sum(r["class"] == "Unclassified" for r in rows) == 20
    scale = scale_of(d, "color", "class")
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        C.CLASS_NAMES[k]: C.CLASS_COLORS[k] for k in (1, 2, 3, 4, 5)
    }


def test_latent_scatter_is_deterministic_and_pca_is_correct():
    latent, classes = _latent_data(300, 4)
    latent[:, 0] *= 10  # dominant direction = PC1
    a = raw(C.latent_scatter(latent, classes))
    b = raw(C.latent_scatter(latent, classes))
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    xs = np.array([r["x"] for r in rows_with(a, "class")])
    centred = latent[:, 0] - latent[:, 0].mean()
    assert abs(np.corrcoef(xs, centred)[0, 1]) > 0.99
    assert any(re.match(r"PC1 of latent \(\d+% of variance\)", t) for t in axis_titles(a))

    j1 = raw(C.latent_scatter(latent[:, :1], classes))
    jitter = [r["y"] for r in rows_with(j1, "class")]
    assert max(jitter) <= 1 and min(jitter) >= -1 and np.std(jitter) > 0.1


def test_latent_scatter_edge_cases():
    latent, classes = _latent_data(50, 2)
    latent[3] = np.nan
    latent[7, 1] = np.inf
    d = raw(C.latent_scatter(latent, classes))
    assert len(rows_with(d, "class")) == 48
    only_normal = raw(C.latent_scatter(RNG.normal(size=(10, 2)), np.ones(10)))
    assert scale_of(only_normal, "color", "class")["domain"] == ["Normal"]
    empty = spec(C.latent_scatter(np.zeros((0, 3)), np.array([])))
    assert rows_with(empty, "class") == [] and message_rows(empty)
    one = raw(C.latent_scatter(np.ones((1, 6)), np.array([2])))
    assert len(rows_with(one, "class")) == 1
    flat = raw(C.latent_scatter(np.ones((20, 3)), np.full(20, 3)))  # zero variance
    assert len(rows_with(flat, "class")) == 20
    with pytest.raises(ValueError):
        C.latent_scatter(np.zeros((4, 2)), np.ones(3))


# --------------------------------------------------------------------------------------------
# beat_chart, beat_sparkline
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# confusion_matrix_chart, per_class_chart
# --------------------------------------------------------------------------------------------


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
    assert list(rows) == [C.CLASS_NAMES[k] for k in (1, 2, 3, 4, 5)]
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


def test_per_class_chart_accepts_percentages_and_partial_mappings():
    d = raw(C.per_class_chart({1: 12.5, 3: 80.0}))
    rows = {r["class"]: r for r in rows_with(d, "class")}
    assert rows["Normal"]["pct"] == pytest.approx(12.5)
    assert rows["PVC"]["pct"] == pytest.approx(80)
    assert rows["R-on-T PVC"]["label"] == "no beats"
    raw(C.per_class_chart({}))


# --------------------------------------------------------------------------------------------
# sweep_chart
# --------------------------------------------------------------------------------------------


def test_sweep_chart_with_baseline():
    df = pd.DataFrame(
        {
            "value": [16, 2, 4],
            "auc_mean": [0.95, 0.90, 0.93],
            "auc_std": [0.01, 0.02, np.nan],
            "baseline_auc": [0.88, 0.88, 0.88],
        }
    )
    d = spec(C.sweep_chart(df, param_title="Latent size"))
    assert_common(d)
    assert {"Latent size", "AUC (area under ROC curve)"} <= axis_titles(d)
    assert "Latent size" in title_text(d)
    x_sorts = [s["encoding"]["x"].get("sort") for s in walk(d) if "encoding" in s]
    assert ["16", "2", "4"] in x_sorts  # the df's order, not sorted
    rows = {r["setting"]: r for r in rows_with(d, "setting")}
    assert (rows["16"]["lo"], rows["16"]["hi"]) == (pytest.approx(0.94), pytest.approx(0.96))
    assert rows["4"]["lo"] == rows["4"]["hi"] == pytest.approx(0.93)  # NaN std -> no bar
    assert "errorbar" in mark_types(d)
    colors = scale_of(d, "color", "series")
    assert colors["domain"] == ["Autoencoder", "PCA baseline"]
    assert colors["range"][1] == C.BASELINE_COLOR
    assert scale_of(d, "strokeDash", "series")["range"][1] != [1, 0]  # dashed baseline


def test_sweep_chart_without_baseline_and_other_metric():
    df = pd.DataFrame({"value": ["relu", "tanh"], "f1_mean": [0.8, 0.7], "f1_std": [0.1, 0.1]})
    d = spec(C.sweep_chart(df, param_title="Activation", metric="f1"))
    assert "F1 score" in axis_titles(d)
    assert scale_of(d, "color", "series")["domain"] == ["Autoencoder"]
    all_nan = df.assign(baseline_auc=np.nan, auc_mean=[0.8, 0.9])
    d = raw(C.sweep_chart(all_nan, param_title="Activation"))
    assert scale_of(d, "color", "series")["domain"] == ["Autoencoder"]
    spec(C.sweep_chart(pd.DataFrame({"value": [], "auc_mean": []}), param_title="x"))
    with pytest.raises(ValueError):
        C.sweep_chart(df, param_title="Activation", metric="auc")


# --------------------------------------------------------------------------------------------
# network_spec
# --------------------------------------------------------------------------------------------


def _net_data(d: dict, mark: str, field: str) -> list[dict]:
    """The rows of the first layer with this mark type whose rows carry ``field`` and, for
    text, whose text is that field."""
    for layer in d["layer"]:
        rows = layer["data"]["values"]
        text = layer["encoding"].get("text", {}).get("field", field)
        if layer["mark"]["type"] == mark and rows and field in rows[0] and text == field:
            return rows
    raise AssertionError(f"no {mark} layer with {field!r}")


def _net_boxes(d: dict) -> list[dict]:
    return sorted(_net_data(d, "rect", "tip"), key=lambda r: r["x"])


def _net_bands(d: dict) -> list[dict]:
    return sorted(_net_data(d, "rect", "title"), key=lambda r: r["x"])


layer_lists = hyp_st.lists(hyp_st.integers(1, MAX_UNITS), max_size=MAX_LAYERS)


@settings(max_examples=60, deadline=None)
@given(layer_lists, hyp_st.integers(1, MAX_LATENT))
def test_network_spec_boxes_in_order(hidden, latent):
    d = C.network_spec(hidden, latent)
    json.loads(json.dumps(d))  # plain JSON, no Altair objects
    assert d["width"] == "container" and 200 <= d["height"] <= 280
    boxes = _net_boxes(d)
    n = len(hidden)
    assert [b["part"] for b in boxes] == (
        ["input"] + ["encoder"] * n + ["latent"] + ["decoder"] * n + ["output"]
    )
    # The decoder mirrors the encoder.
    assert [b["units"] for b in boxes] == [140, *hidden, latent, *hidden[::-1], 140]
    assert [b["tip"] for b in boxes] == [
        "The heartbeat: 140 samples",
        *(f"Encoder layer {i}: {u} units" for i, u in enumerate(hidden, 1)),
        f"Bottleneck: {latent} numbers per beat",
        *(f"Decoder layer {i}: {u} units" for i, u in enumerate(hidden[::-1], 1)),
        "The reconstructed heartbeat: 140 samples",
    ]
    # Left to right, not overlapping, one arrow between consecutive boxes.
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert a["x"] < a["x2"] < b["x"] < b["x2"]
    arrows = _net_data(d, "rule", "x2")
    assert [(r["x"], r["x2"]) for r in arrows] == [
        (a["x2"], b["x"]) for a, b in zip(boxes, boxes[1:], strict=False)
    ]
    # Bands: labelled, in order, each around exactly its own boxes.
    bands = _net_bands(d)
    names = ["Encoder", "Bottleneck", "Decoder"] if hidden else ["Bottleneck"]
    assert [b["title"] for b in bands] == names
    part = {"Encoder": "encoder", "Bottleneck": "latent", "Decoder": "decoder"}
    for band in bands:
        inside = [b["part"] for b in boxes if band["x"] <= b["x"] and b["x2"] <= band["x2"]]
        assert inside == [part[band["title"]]] * (1 if band["title"] == "Bottleneck" else n)
    for a, b in zip(bands, bands[1:], strict=False):
        assert a["x2"] < b["x"]
    colours = {band["title"]: (band["fill"], band["stroke"]) for band in bands}
    assert colours["Bottleneck"] == C._GROUP_STYLE["latent"][:2]
    if hidden:
        assert colours["Encoder"] == C._GROUP_STYLE["encoder"][:2]
        assert colours["Decoder"] == C._GROUP_STYLE["decoder"][:2]
    # Every box is drawn with the same height rule: taller for more units, never a sliver.
    heights = {b["units"]: b["y2"] - b["y"] for b in boxes}
    ordered = [heights[u] for u in sorted(heights)]
    assert ordered == sorted(ordered) and len(set(ordered)) == len(ordered)
    assert min(ordered) >= 14 and max(ordered) <= 100
    assert "140 → " in d["description"]


def test_network_spec_valid_vega_lite_and_plain():
    import altair as alt

    for hidden in ([], [7, 3], [MAX_UNITS] * MAX_LAYERS):
        d = C.network_spec(hidden, 2, highlight="encoder")
        alt.LayerChart.from_dict(d, validate=True)  # valid against the Vega-Lite schema
        assert "box height grows" in d["title"]["text"]
        assert d["config"]["view"]["stroke"] is None
        for layer in d["layer"]:
            for enc in layer["encoding"].values():
                assert enc.get("axis", None) is None and enc.get("legend", None) is None


def test_network_spec_sqrt_heights_and_labels():
    d = C.network_spec([140, 35], 2)
    boxes = _net_boxes(d)
    h = {b["units"]: b["y2"] - b["y"] for b in boxes}
    low, high = C._NET_BOX_H
    assert h[140] == pytest.approx(high, abs=0.01)
    assert h[35] == pytest.approx(low + (high - low) / 2, abs=0.01)  # sqrt(1/4)
    assert h[2] > low + (high - low) * 0.1  # 2 of 140 still visible
    assert all(b["y"] < C._NET_MID < b["y2"] for b in boxes)  # centred on one line
    names = _net_data(d, "text", "name")
    assert [(r["part"], r["name"]) for r in names] == [("input", "Input"), ("output", "Output")]
    labels = sorted(_net_data(d, "text", "label"), key=lambda r: r["x"])
    assert [r["label"] for r in labels] == ["140", "140", "35", "2", "35", "140", "140"]


@pytest.mark.parametrize(
    ("highlight", "parts"),
    [
        ("input", {"input"}),
        ("Encoder", {"encoder"}),
        ("bottleneck", {"latent"}),
        (" z ", {"latent"}),
        ("latent", {"latent"}),
        ("decoder", {"decoder"}),
        ("output", {"output"}),
        (None, set()),
    ],
)
def test_network_spec_highlight(highlight, parts):
    d = C.network_spec([64, 16], 3, highlight=highlight)
    plain = {b["width"] for b in _net_boxes(C.network_spec([64, 16], 3))}
    assert len(plain) == 1
    (thin,) = plain
    heavy_boxes = {b["part"] for b in _net_boxes(d) if b["width"] > thin}
    assert heavy_boxes == parts
    heavy_bands = {b["title"] for b in _net_bands(d) if b["width"] > 1}
    band_of = {"encoder": "Encoder", "latent": "Bottleneck", "decoder": "Decoder"}
    assert heavy_bands == {band_of[p] for p in parts if p in band_of}


def test_network_spec_rejects_bad_input():
    with pytest.raises(ValueError, match="highlight"):
        C.network_spec([64], 2, highlight="nonsense")
    for hidden, latent, size in (([0], 2, 140), ([8], 0, 140), ([8], 2, 0), ([8, -1], 2, 140)):
        with pytest.raises(ValueError, match="positive"):
            C.network_spec(hidden, latent, input_size=size)


def test_network_spec_fits_its_width():
    """Small networks stay compact: the x domain widens with the container past a px cap."""
    d = C.network_spec([], 2)
    scale = d["layer"][0]["encoding"]["x"]["scale"]
    assert "width" in scale["domainMin"]["expr"] and "width" in scale["domainMax"]["expr"]
    # Numbers wider than their box turn vertical, each on its own (a "1" stays upright).
    (numbers,) = [
        lay for lay in d["layer"] if lay["encoding"].get("text", {}).get("field") == "label"
    ]
    test = numbers["encoding"]["angle"]["condition"]["test"]
    assert "width" in test and "datum.label" in test
    boxes = _net_boxes(C.network_spec([MAX_UNITS] * MAX_LAYERS, MAX_LATENT))
    # At the composer's maximum the drawing spans < 20 x units: ~30 px per unit at 600 px.
    assert boxes[-1]["x2"] - boxes[0]["x"] < 20
