"""Tests for latent_scatter."""

import json
import re

import numpy as np
import pytest
from test_charts import (
    assert_common,
    axis_titles,
    message_rows,
    raw,
    rows_with,
    scale_of,
    spec,
    subtitle_text,
    title_text,
)

from anomagram import charts as C
from anomagram.data import SHORT_CLASS_NAMES

RNG = np.random.default_rng(42)


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
        SHORT_CLASS_NAMES[k]: C.CLASS_COLORS[k] for k in (1, 2, 3, 4, 5)
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


def test_latent_scatter_names_another_datasets_classes():
    from anomagram.sources import load_ucr

    ecg200 = load_ucr("ECG200")  # classes {-1: "Myocardial infarction", 1: "Normal"}
    style = C.ClassStyle.of(ecg200)
    latent = RNG.normal(size=(len(ecg200.y), 2))
    d = spec(C.latent_scatter(latent, ecg200.y, names=style))
    assert_common(d)
    assert title_text(d) == "Bottleneck (latent) space of test beats"
    assert {r["class"] for r in rows_with(d, "class")} == {"Normal", "Myocardial infarction"}
    color = scale_of(d, "color", "class")
    assert color == {
        "domain": ["Normal", "Myocardial infarction"],
        "range": [C.NORMAL_COLOR, C.CLASS_COLORS[2]],
    }
    assert scale_of(d, "shape", "class")["domain"] == ["Normal", "Myocardial infarction"]
    # The default names ECG5000's classes: ECG200's -1 would be "Class -1".
    plain = raw(C.latent_scatter(latent, ecg200.y))
    assert scale_of(plain, "color", "class")["domain"] == ["Normal", "Class -1"]


def test_latent_scatter_speaks_of_the_datas_rows():
    style = C.ClassStyle((0, 1), ("normal", "spiky"), (C.NORMAL_COLOR, "#D55E00"), 0, "windows")
    classes = np.r_[np.zeros(900, int), np.ones(100, int)]
    d = raw(C.latent_scatter(RNG.normal(size=(1000, 2)), classes, names=style))
    assert title_text(d) == "Bottleneck (latent) space of test windows"
    text = subtitle_text(d)
    assert text.startswith("Each dot is one test window; windows the model")
    assert "of 1000 windows shown" in text
    assert scale_of(d, "color", "class")["domain"] == ["normal", "spiky"]
