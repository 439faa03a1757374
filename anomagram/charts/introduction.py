"""Visuals only the Introduction page uses: the clickable beat gallery, threshold rules on the
error histogram, the hero's numbers, the coloured verdict card and the drawing canvas's grid.

Pure functions (no streamlit import), in the palette of ``anomagram.charts``.
"""

from __future__ import annotations

import functools
import html
import io
import json
import math
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from anomagram import charts
from anomagram.data import CLASS_IDS, NORMAL, SEQ_LEN, SHORT_CLASS_NAMES
from anomagram.signal import Y_BOTTOM, Y_TOP

GALLERY_SELECTION = "pick"
SELECTED_FILL = "#E6F0FA"
PANEL_FILL = "#FAFBFC"
PANEL_STROKE = "#D5DCE4"
SELECTED_STROKE = charts.NORMAL_COLOR

_ROW_H = 1.5  # panel (1) + title band + gap, in data units of the gallery chart
_COL_W = 1.12
_TITLE_Y = 1.22


@functools.lru_cache(maxsize=8)
def _gallery_template(rows: int, columns: int, row_height: int) -> str:
    """The gallery's spec without data, as JSON (built once: Altair takes ~0.4 s to build it)."""
    y_scale = alt.Scale(domain=[-(rows - 1) * _ROW_H - 0.1, 1.4], nice=False, zero=False)
    x_scale = alt.Scale(domain=[-0.02, columns * _COL_W - 0.1], nice=False, zero=False)
    boxes = alt.NamedData(name="gallery_boxes")
    pick = alt.selection_point(name=GALLERY_SELECTION, fields=["beat"], on="click", empty=False)
    tooltip = [
        alt.Tooltip("title:N", title="Test beat"),
        alt.Tooltip("verdict:N", title="Verdict"),
        alt.Tooltip("error:Q", title="Reconstruction error", format=".4f"),
    ]
    selected = "datum.selected"
    panel = (
        alt.Chart(boxes)
        .mark_rect(cornerRadius=6, cursor="pointer")
        .encode(
            x=alt.X("x:Q", axis=None, scale=x_scale),
            x2="x2:Q",
            y=alt.Y("y:Q", axis=None, scale=y_scale),
            y2="y2:Q",
            fill=alt.condition(selected, alt.value(SELECTED_FILL), alt.value(PANEL_FILL)),
            stroke=alt.condition(selected, alt.value(SELECTED_STROKE), alt.value(PANEL_STROKE)),
            strokeWidth=alt.condition(selected, alt.value(2.5), alt.value(1)),
            tooltip=tooltip,
        )
        .add_params(pick)
    )
    class_names = [SHORT_CLASS_NAMES[k] for k in CLASS_IDS]
    class_colors = [charts.CLASS_COLORS[k] for k in CLASS_IDS]
    trace = (
        alt.Chart(alt.NamedData(name="gallery_lines"))
        .mark_line(strokeWidth=1.6, cursor="pointer")
        .encode(
            x=alt.X("x:Q", axis=None, scale=x_scale),
            y=alt.Y("y:Q", axis=None, scale=y_scale),
            detail="beat:N",
            color=alt.Color(
                "cls:N", scale=alt.Scale(domain=class_names, range=class_colors), legend=None
            ),
        )
    )
    title = (
        alt.Chart(boxes)
        .mark_text(align="left", baseline="middle", fontSize=11, cursor="pointer")
        .encode(
            x=alt.X("tx:Q", scale=x_scale),
            y=alt.Y("ty:Q", scale=y_scale),
            text="title:N",
            color=alt.condition(selected, alt.value(SELECTED_STROKE), alt.value(charts.TEXT_COLOR)),
            tooltip=tooltip,
        )
    )
    dot = (
        alt.Chart(boxes)
        .mark_circle(size=70, opacity=1, cursor="pointer")
        .encode(
            x=alt.X("dx:Q", scale=x_scale),
            y=alt.Y("ty:Q", scale=y_scale),
            color=alt.Color(
                "verdict:N",
                scale=alt.Scale(
                    domain=["Model says normal", "Model says abnormal"],
                    range=[charts.NORMAL_COLOR, charts.ABNORMAL_COLOR],
                ),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    chart = (
        alt.layer(panel, trace, title, dot)
        .resolve_scale(color="independent")
        .properties(height=rows * row_height)
        .configure_view(strokeWidth=0)
    )
    return json.dumps(charts.to_vega(chart))


def gallery_spec(
    scaled: np.ndarray,
    indices: Sequence[int],
    classes: Sequence[int],
    flagged: Sequence[bool],
    errors: Sequence[float],
    *,
    selected: int | None = None,
    frame: tuple[float, float] = (0.0, 1.0),
    columns: int = 3,
    row_height: int = 86,
) -> dict:
    """Small multiples of beats in one Vega-Lite chart; clicking a panel selects its beat.

    One Vega view instead of a dozen keeps the browser fast, and a panel-sized rectangle makes
    the whole panel a click target (a 1.5 px line alone is hard to hit). Lines are coloured by
    true class, the dot in each corner by the model's verdict. Only the data changes from call
    to call, so the spec is a cached template plus two small datasets.
    """
    beats = np.asarray(scaled, float)
    n = len(indices)
    rows = max(1, math.ceil(n / columns))
    spec = json.loads(_gallery_template(rows, columns, row_height))
    lines, boxes = [], []
    samples = np.arange(0, beats.shape[1], 2)  # every other sample: same shape, half the data
    xs = 0.03 + 0.94 * samples / max(beats.shape[1] - 1, 1)
    for k, (idx, cls, flag, err) in enumerate(zip(indices, classes, flagged, errors, strict=True)):
        col, row = k % columns, k // columns
        x0, y0 = col * _COL_W, -row * _ROW_H
        lo, hi = frame
        values = np.clip((beats[k, samples] - lo) / (hi - lo), -0.05, 1.05)
        name = SHORT_CLASS_NAMES.get(int(cls), f"class {cls}")
        lines += [
            {"beat": int(idx), "x": round(x0 + x, 4), "y": round(y0 + v, 3), "cls": name}
            for x, v in zip(xs.tolist(), values.tolist(), strict=True)
        ]
        boxes.append(
            {
                "beat": int(idx),
                "x": x0,
                "x2": x0 + 1.0,
                "y": y0 - 0.08,
                "y2": y0 + 1.38,
                "tx": x0 + 0.05,
                "ty": y0 + _TITLE_Y,
                "dx": x0 + 0.92,
                "title": f"#{idx} · {name}",
                "verdict": f"Model says {'abnormal' if flag else 'normal'}",
                "error": float(err),
                "selected": int(idx) == selected,
            }
        )
    spec["datasets"] = {"gallery_lines": lines, "gallery_boxes": boxes}
    return spec


def threshold_chart(
    errors: np.ndarray,
    abnormal: np.ndarray,
    rules: Sequence[tuple[str, float, str]],
    *,
    x_max: float | None = None,
    title: str = "Where each strategy puts the threshold",
) -> alt.LayerChart:
    """The error histogram with one vertical rule per (label, threshold, colour), in a legend.

    Thresholds often sit close together, so they are named in a legend rather than by text
    next to each rule, which would overlap.
    """
    hist = charts.error_histogram(errors, abnormal, bins=40, x_max=x_max, title=title)
    kept = [(label, float(t), color) for label, t, color in rules if math.isfinite(t)]
    if not kept:
        return hist
    df = pd.DataFrame(kept, columns=["label", "threshold", "color"])
    rule = (
        alt.Chart(df)
        .mark_rule(strokeWidth=2.5, strokeDash=[6, 3])
        .encode(
            x="threshold:Q",
            color=alt.Color(
                "label:N",
                title="Threshold",
                scale=alt.Scale(domain=[k[0] for k in kept], range=[k[2] for k in kept]),
                legend=alt.Legend(orient="right", symbolType="stroke", labelLimit=260),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Strategy"),
                alt.Tooltip("threshold:Q", title="Threshold", format=".4f"),
            ],
        )
    )
    return alt.layer(hist, rule).resolve_scale(color="independent")


def stats_html(stats: list[tuple[str, str, str]]) -> str:
    """Key numbers in one compact row, each with a label and an optional note (the hero).

    Four across at any width (a phone's 358 px leave about 85 px each), so the row costs one
    line of big numbers and never pushes the gallery below the first screen.
    """
    cells = "".join(
        f"<div title='{html.escape(note)}'>"
        f"<div style='font-size:.78rem;color:#555;line-height:1.2'>{html.escape(label)}</div>"
        f"<div style='font-size:1.6rem;line-height:1.15;color:{charts.TEXT_COLOR}'>"
        f"{html.escape(value)}</div>"
        + (
            f"<div style='font-size:.7rem;color:#777;line-height:1.2'>{html.escape(note)}</div>"
            if note
            else ""
        )
        + "</div>"
        for label, value, note in stats
    )
    return (
        "<div class='intro-stats' style='display:grid;"
        f"grid-template-columns:repeat({len(stats)},minmax(0,1fr));column-gap:.8rem'>{cells}</div>"
    )


def verdict_html(
    error: float, threshold: float, *, true_class: int | None = None, subject: str = "this beat"
) -> str:
    """A coloured card with the verdict; colour and wording carry it, not colour alone."""
    flagged = bool(error > threshold)
    color = charts.ABNORMAL_COLOR if flagged else charts.NORMAL_COLOR
    tint = "#FBEDE4" if flagged else "#E6F0FA"
    word = "Abnormal" if flagged else "Normal"
    icon = "⚠️" if flagged else "✅"
    ratio = error / threshold if threshold > 0 else float("inf")
    compare = "above" if flagged else "below"
    detail = (
        f"Reconstruction error <b>{error:.4f}</b> is {ratio:.1f}× the threshold "
        f"{threshold:.4f}, so {html.escape(subject)} is {compare} the line."
    )
    truth = ""
    if true_class is not None:
        name = SHORT_CLASS_NAMES.get(int(true_class), f"class {true_class}")
        actually_abnormal = int(true_class) != NORMAL
        right = actually_abnormal == flagged
        verdict_check = "✔ the model is right" if right else "✘ the model is wrong here"
        truth = (
            f"<div style='margin-top:.25rem'>True label: <b>{html.escape(name)}</b> "
            f"({'abnormal' if actually_abnormal else 'normal'}) · {verdict_check}</div>"
        )
    return (
        f"<div class='intro-verdict' style='border-left:6px solid {color};background:{tint};"
        f"padding:.6rem .9rem;border-radius:6px;margin:.2rem 0 0 0'>"
        f"<div style='font-size:1.3rem;font-weight:700;color:{color}'>"
        f"{icon} Verdict: {word}</div><div>{detail}</div>{truth}</div>"
    )


def canvas_background(
    width: int,
    height: int,
    guide: np.ndarray | None = None,
    *,
    y_top: float = Y_TOP,
    y_bottom: float = Y_BOTTOM,
) -> bytes:
    """PNG for the drawing canvas: amplitude grid with labels, sample ticks, a faint guide beat.

    Drawn into the canvas itself so the axis lines up with the pixels exactly.
    """
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGBA", (width, height), (255, 255, 255, 255))
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.load_default(size=11)
    except (TypeError, OSError):  # Pillow without FreeType: the bitmap font is still legible
        font = ImageFont.load_default()

    def y_px(v: float) -> float:
        return (v - y_top) / (y_bottom - y_top) * (height - 1)

    levels = range(math.ceil(y_bottom), math.floor(y_top) + 1)
    for v in levels:
        color = (160, 170, 182, 255) if v == 0 else (226, 231, 237, 255)
        draw.line([(0, y_px(v)), (width, y_px(v))], fill=color, width=1)
    for s in range(20, SEQ_LEN, 20):
        x = s / (SEQ_LEN - 1) * (width - 1)
        draw.line([(x, 0), (x, height)], fill=(236, 240, 244, 255), width=1)
        draw.text((x + 3, height - 14), str(s), fill=(150, 158, 168, 255), font=font)
    if guide is not None:
        g = np.clip(np.asarray(guide, float), y_bottom, y_top)
        pts = [
            (i / (len(g) - 1) * (width - 1), y_px(float(v))) for i, v in enumerate(g) if len(g) > 1
        ]
        overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
        ImageDraw.Draw(overlay).line(pts, fill=(0, 114, 178, 70), width=6, joint="curve")
        img = Image.alpha_composite(img, overlay)
        draw = ImageDraw.Draw(img)
    # The amplitude labels last, each on a white chip: a normal beat starts with a deep dip at
    # the left edge, and a guide band drawn after them hid the labels -1 to -4.
    for v in levels:
        label = f"{v:+d}" if v else "0"
        xy = (4, min(max(y_px(v) - 13, 1), height - 14))
        left, top, right, bottom = draw.textbbox(xy, label, font=font)
        draw.rectangle([left - 2, top - 1, right + 2, bottom + 1], fill=(255, 255, 255, 235))
        draw.text(xy, label, fill=(100, 110, 122, 255), font=font)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="PNG", optimize=True)
    return buf.getvalue()
