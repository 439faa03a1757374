"""Tests for anomagram.charts.introduction: the Introduction page's gallery, threshold rules,
HTML blocks and canvas background. They check specs and markup, not pixels."""

import io

import numpy as np
import pytest
from PIL import Image

from anomagram import charts
from anomagram.charts.introduction import (
    GALLERY_SELECTION,
    canvas_background,
    gallery_spec,
    stats_html,
    threshold_chart,
    verdict_html,
)
from anomagram.data import CLASS_IDS, SEQ_LEN, SHORT_CLASS_NAMES

RNG = np.random.default_rng(7)


def _gallery(n: int = 5, selected: int | None = None, **kwargs) -> dict:
    beats = RNG.random((n, SEQ_LEN))
    indices = [10 + i for i in range(n)]
    classes = [CLASS_IDS[i % len(CLASS_IDS)] for i in range(n)]
    flagged = [c != 1 for c in classes]
    errors = RNG.random(n) / 100
    return gallery_spec(beats, indices, classes, flagged, errors, selected=selected, **kwargs)


def _layers_with(spec: dict, dataset: str) -> list[dict]:
    return [layer for layer in spec["layer"] if layer.get("data", {}).get("name") == dataset]


def test_gallery_has_one_box_per_beat_and_half_the_samples_per_line():
    spec = _gallery(5, selected=12)
    boxes, lines = spec["datasets"]["gallery_boxes"], spec["datasets"]["gallery_lines"]
    assert [b["beat"] for b in boxes] == [10, 11, 12, 13, 14]
    assert [b["selected"] for b in boxes] == [False, False, True, False, False]
    assert len(lines) == 5 * len(range(0, SEQ_LEN, 2))
    assert {b["verdict"] for b in boxes} == {"Model says normal", "Model says abnormal"}
    assert boxes[0]["title"] == f"#10 · {SHORT_CLASS_NAMES[CLASS_IDS[0]]}"


def test_gallery_panels_are_the_click_target():
    spec = _gallery(3)
    (param,) = spec["params"]
    assert param["name"] == GALLERY_SELECTION
    assert param["select"]["fields"] == ["beat"] and param["select"]["on"] == "click"
    # The selection lives on the panel rectangles (a whole panel is easier to hit than a line).
    (view,) = param["views"]
    (panel,) = [layer for layer in spec["layer"] if layer.get("name") == view]
    assert panel["mark"]["type"] == "rect" and panel["data"]["name"] == "gallery_boxes"


def test_gallery_line_colours_cover_every_class_in_the_shared_palette():
    spec = _gallery(5)
    (trace,) = _layers_with(spec, "gallery_lines")
    scale = trace["encoding"]["color"]["scale"]
    assert scale["domain"] == [SHORT_CLASS_NAMES[k] for k in CLASS_IDS]
    assert scale["range"] == [charts.CLASS_COLORS[k] for k in CLASS_IDS]
    assert {row["cls"] for row in spec["datasets"]["gallery_lines"]} <= set(scale["domain"])


def test_gallery_rows_and_height_follow_the_beat_count():
    assert _gallery(3, columns=3, row_height=80)["height"] == 80
    assert _gallery(7, columns=3, row_height=80)["height"] == 3 * 80
    # Built from a cached template: a call must not leak data into the next one.
    assert len(_gallery(2)["datasets"]["gallery_boxes"]) == 2


def test_gallery_clips_beats_to_the_frame():
    spec = gallery_spec(
        np.full((1, SEQ_LEN), 10.0), [0], [1], [False], [0.0], frame=(0.0, 1.0), columns=1
    )
    ys = [row["y"] for row in spec["datasets"]["gallery_lines"]]
    assert max(ys) == pytest.approx(1.05)


def test_threshold_chart_names_each_finite_rule_in_a_legend():
    errors = RNG.random(200) / 50
    abnormal = RNG.random(200) > 0.6
    rules = [("A", 0.01, "#111111"), ("B", float("nan"), "#222222"), ("C", 0.02, "#333333")]
    spec = threshold_chart(errors, abnormal, rules, x_max=0.03).to_dict()
    rule = spec["layer"][-1]
    assert rule["mark"]["type"] == "rule"
    assert rule["encoding"]["color"]["scale"] == {
        "domain": ["A", "C"],
        "range": ["#111111", "#333333"],
    }


def test_threshold_chart_without_finite_rules_is_the_histogram():
    errors = RNG.random(50) / 50
    abnormal = RNG.random(50) > 0.5
    chart = threshold_chart(errors, abnormal, [("inf", float("inf"), "#000000")])
    plain = charts.error_histogram(errors, abnormal, bins=40)
    assert chart.to_dict()["layer"] == plain.to_dict()["layer"][: len(chart.to_dict()["layer"])]


def test_stats_html_escapes_and_skips_empty_notes():
    body = stats_html([("A <b>", "1 & 2", ""), ("B", "3", "note")])
    assert "A &lt;b&gt;" in body and "1 &amp; 2" in body
    assert body.count("font-size:.7rem") == 1  # one note: the empty one is skipped
    assert "intro-stats" in body


@pytest.mark.parametrize(
    ("error", "true_class", "word", "check"),
    [
        (0.02, 2, "Abnormal", "the model is right"),
        (0.005, 1, "Normal", "the model is right"),
        (0.005, 3, "Normal", "the model is wrong here"),
    ],
)
def test_verdict_says_the_verdict_in_words_and_colour(error, true_class, word, check):
    body = verdict_html(error, 0.01, true_class=true_class)
    assert f"Verdict: {word}" in body and check in body
    colour = charts.ABNORMAL_COLOR if word == "Abnormal" else charts.NORMAL_COLOR
    assert colour in body
    assert SHORT_CLASS_NAMES[true_class] in body


def test_verdict_without_a_label_names_the_subject():
    body = verdict_html(0.03, 0.01, subject="your <drawing>")
    assert "your &lt;drawing&gt;" in body and "3.0×" in body
    assert "True label" not in body


def test_canvas_background_is_a_png_of_the_canvas_size():
    guide = np.sin(np.linspace(0, 6, SEQ_LEN))
    for g in (None, guide):
        png = canvas_background(440, 240, g)
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size == (440, 240)
    assert canvas_background(440, 240, guide) != canvas_background(440, 240, None)


def test_canvas_amplitude_labels_sit_above_the_guide_band():
    # A guide along -3 runs right through the "-3" label at the left edge, as a normal beat's
    # opening dip does for -1 to -4: the label must stay on a clean white chip, untinted.
    w, h = 340, 220
    image = np.asarray(
        Image.open(io.BytesIO(canvas_background(w, h, np.full(SEQ_LEN, -3.0)))).convert("RGB"),
        dtype=int,
    )
    y = round((-3 - 2) / (-4 - 2) * (h - 1))  # the -3 grid line (y_top=+2, y_bottom=-4)
    label = image[y - 13 : y - 1, 3:16]
    blue = (label[..., 2] - label[..., 0]) > 30  # the band's tint
    assert not blue.any()
    assert label.min() < 140 and label.max() > 240  # dark text on white
    band = image[y - 2 : y + 3, 60:300]
    assert ((band[..., 2] - band[..., 0]) > 30).any()  # the band itself is still drawn
