"""The autoencoder's architecture as a left-to-right diagram (a plain Vega-Lite dict)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import altair as alt

from anomagram.charts.style import TEXT_COLOR
from anomagram.data import SEQ_LEN
from anomagram.spec import layer_path

_GROUP_STYLE = {
    # group: (band fill, band border / box outline, box fill)
    "encoder": ("#EAF3FA", "#0072B2", "#B9D8EE"),
    "latent": ("#FDF3E0", "#E69F00", "#F6D38C"),
    "decoder": ("#E6F5EF", "#009E73", "#A9DCC9"),
    "io": ("#FFFFFF", "#555555", "#E6E6E6"),
}
_HIGHLIGHT_ALIASES = {
    "input": "input",
    "encoder": "encoder",
    "latent": "latent",
    "bottleneck": "latent",
    "z": "latent",
    "decoder": "decoder",
    "output": "output",
}


# Layout of the diagram, in x units (one box is _NET_BOX_W wide) and y units (0-100).
_NET_BOX_W = 0.7
_NET_BAND_MIN = 2.2  # so a one-box band still fits its label
_NET_MARGIN_PX = 12  # room at both ends for the "Input" / "Output" names
_NET_MAX_PX = 72  # px per x unit at most: few layers stay compact and centred
_NET_MID = 46.0  # vertical centre of the boxes
_NET_BOX_H = (14.0, 70.0)  # box height for 0 and for the biggest layer
_NET_HEIGHT = 240
_NET_CAPTION = "Numbers = values per layer; box height grows with the count"
_NET_ARROW = "M-1,-0.6L0,0L-1,0.6Z"  # arrowhead whose tip is the point's position
_NET_LINE = "#666666"


def _net_layer(mark: dict, values: list[dict], encoding: dict) -> dict:
    return {"data": {"values": values}, "mark": mark, "encoding": encoding}


def network_spec(
    hidden: Sequence[int],
    latent: int,
    *,
    input_size: int = SEQ_LEN,
    highlight: str | None = None,
) -> dict:
    """Vega-Lite dict of the autoencoder, drawn left to right.

    Input -> encoder layers -> bottleneck z -> decoder layers (the encoder mirrored) -> output,
    each layer a rounded box whose height grows with the square root of its units, on bands
    labelled Encoder / Bottleneck / Decoder. A plain dict (no Altair object, no schema
    validation) for ``st.vega_lite_chart(spec=..., width="stretch")``: it is rebuilt on every
    edit of the composer. The x scale is capped at ``_NET_MAX_PX`` px per unit, so small
    networks stay compact and centred however wide the container is.

    ``highlight`` is one of "input", "encoder", "latent" (or "bottleneck"/"z"), "decoder",
    "output"; that part gets a heavy outline so the UI can point at it while explaining.
    """
    layers = [int(h) for h in hidden]
    sizes = [int(input_size), *layers, int(latent)]
    if any(s < 1 for s in sizes):
        raise ValueError(f"layer sizes must be positive, got {sizes}")
    focus = None
    if highlight is not None:
        focus = _HIGHLIGHT_ALIASES.get(str(highlight).strip().lower())
        if focus is None:
            raise ValueError(
                f"highlight must be one of {sorted(_HIGHLIGHT_ALIASES)}, got {highlight!r}"
            )
    input_size, latent = int(input_size), int(latent)
    biggest = max(sizes)
    low, high = _NET_BOX_H
    # The composer's 6 layers must fit a half-page column (~400 px): fewer, shorter arrows.
    # Between two boxes (the arrow), and between a band's edge and its outer boxes.
    gap = 0.45 - 0.05 * min(max(len(layers) - 3, 0), 3)
    pad = 0.38 * gap

    boxes: list[dict] = []
    bands: list[dict] = []

    def box(x: float, part: str, group: str, units: int, name: str, tip: str) -> None:
        # Square-root scaling: 140 vs 2 units still reads as "much bigger" without the small
        # layers collapsing to slivers.
        h = low + (high - low) * math.sqrt(units / biggest)
        _, border, fill = _GROUP_STYLE[group]
        boxes.append(
            {
                "part": part,
                "x": round(x, 4),
                "x2": round(x + _NET_BOX_W, 4),
                "cx": round(x + _NET_BOX_W / 2, 4),
                "y": round(_NET_MID - h / 2, 3),
                "y2": round(_NET_MID + h / 2, 3),
                "units": units,
                "name": name,
                "tip": tip,
                "fill": fill,
                "stroke": border,
                "width": 3.5 if focus == part else 1.2,
            }
        )

    def band(cursor: float, group: str, title: str, subtitle: str, units: list[int]) -> float:
        """Boxes of one group on their band, from ``cursor``; returns the next box's x."""
        inner = len(units) * _NET_BOX_W + (len(units) - 1) * gap
        width = max(inner + 2 * pad, _NET_BAND_MIN)
        left = cursor - pad
        x = left + (width - inner) / 2
        for i, u in enumerate(units):
            tip = (
                f"Bottleneck: {u} numbers per beat"
                if group == "latent"
                else f"{title} layer {i + 1}: {u} units"
            )
            box(x, group, group, u, "", tip)
            x += _NET_BOX_W + gap
        bg, border, _ = _GROUP_STYLE[group]
        bands.append(
            {
                "x": round(left, 4),
                "x2": round(left + width, 4),
                "cx": round(left + width / 2, 4),
                "title": title,
                "subtitle": subtitle,
                "fill": bg,
                "stroke": border,
                "width": 3 if focus == group else 1,
            }
        )
        return left + width - pad + gap

    box(0.0, "input", "io", input_size, "Input", f"The heartbeat: {input_size} samples")
    cursor = _NET_BOX_W + gap
    if layers:
        cursor = band(cursor, "encoder", "Encoder", "(compresses)", layers)
    cursor = band(cursor, "latent", "Bottleneck", "(z)", [latent])
    if layers:
        cursor = band(cursor, "decoder", "Decoder", "(rebuilds)", layers[::-1])
    box(
        cursor,
        "output",
        "io",
        input_size,
        "Output",
        f"The reconstructed heartbeat: {input_size} samples",
    )
    arrows = [
        {"x": a["x2"], "x2": b["x"], "y": _NET_MID} for a, b in zip(boxes, boxes[1:], strict=False)
    ]

    # Centre the drawing with _NET_MARGIN_PX to spare at both ends, and widen the domain when
    # the container would stretch it past _NET_MAX_PX per unit.
    centre = (cursor + _NET_BOX_W) / 2
    half = (
        f"max({centre:.4f} * width / max(width - {2 * _NET_MARGIN_PX}, 1), "
        f"width / {2 * _NET_MAX_PX})"
    )
    x_scale = {
        "domainMin": {"expr": f"{centre:.4f} - {half}"},
        "domainMax": {"expr": f"{centre:.4f} + {half}"},
        "nice": False,
        "zero": False,
    }
    y_scale = {"domain": [0, 100], "nice": False, "zero": False}
    x = {"field": "x", "type": "quantitative", "axis": None, "scale": x_scale}
    x2 = {"field": "x2"}
    cx = {"field": "cx", "type": "quantitative", "axis": None, "scale": x_scale}
    y_field = {"field": "y", "type": "quantitative", "axis": None, "scale": y_scale}
    y_top = {"value": 0}  # the top edge of the plot, in pixels
    y_bottom = {"value": "height"}
    tooltip = {"field": "tip", "type": "nominal"}

    def style(field: str) -> dict:
        return {"field": field, "type": "nominal", "scale": None, "legend": None}

    # Pixels per x unit, for labels that must adapt to the container's width: a number wider
    # than its box turns vertical (boxes are always tall enough), band titles shrink a little.
    px = f"(width / (2 * {half}))"
    font = 11 if len(layers) >= 4 else 12
    turn = {
        "condition": {
            "test": f"{px} * {_NET_BOX_W} < length(datum.label) * {0.52 * font:.2f} + 4",
            "value": 270,
        },
        "value": 0,
    }
    band_px = f"{px} * {_NET_BAND_MIN}"
    title_font = f"{band_px} < 50 ? 9 : {band_px} < 57 ? 10 : {band_px} < 64 ? 11 : 12"
    named = [b for b in boxes if b["name"]]
    spec_layers = [
        _net_layer(
            {"type": "rect", "cornerRadius": 8},
            bands,
            {
                "x": x,
                "x2": x2,
                "y": y_top,
                "y2": y_bottom,
                "fill": style("fill"),
                "stroke": style("stroke"),
                "strokeWidth": {"field": "width", "type": "quantitative", "scale": None},
            },
        ),
        _net_layer(
            {
                "type": "text",
                "baseline": "top",
                "dy": 7,
                "fontSize": {"expr": title_font},
                "fontWeight": "bold",
            },
            bands,
            {
                "x": cx,
                "y": y_top,
                "text": {"field": "title", "type": "nominal"},
                "color": style("stroke"),
            },
        ),
        _net_layer(
            {"type": "text", "baseline": "top", "dy": 22, "fontSize": 11, "color": "#444444"},
            bands,
            {"x": cx, "y": y_top, "text": {"field": "subtitle", "type": "nominal"}},
        ),
        _net_layer(
            {"type": "rule", "color": _NET_LINE, "strokeWidth": 1.3},
            arrows,
            {"x": x, "x2": x2, "y": y_field},
        ),
        _net_layer(
            {
                "type": "point",
                "shape": _NET_ARROW,
                "filled": True,
                "opacity": 1,
                "size": 90,
                "color": _NET_LINE,
            },
            arrows,
            {
                "x": {**x, "field": "x2"},
                "y": y_field,
            },
        ),
        _net_layer(
            {"type": "rect", "cornerRadius": 5},
            boxes,
            {
                "x": x,
                "x2": x2,
                "y": y_field,
                "y2": {"field": "y2"},
                "fill": style("fill"),
                "stroke": style("stroke"),
                "strokeWidth": {"field": "width", "type": "quantitative", "scale": None},
                "tooltip": tooltip,
            },
        ),
        _net_layer(
            {"type": "text", "fontSize": font, "color": TEXT_COLOR},
            [{**b, "y": _NET_MID, "label": str(b["units"])} for b in boxes],
            {
                "x": cx,
                "y": y_field,
                "text": {"field": "label", "type": "nominal"},
                "angle": turn,
                "tooltip": tooltip,
            },
        ),
        _net_layer(
            {"type": "text", "baseline": "top", "dy": 4, "fontSize": 11, "color": TEXT_COLOR},
            named,
            {
                "x": cx,
                "y": y_field,
                "text": {"field": "name", "type": "nominal"},
                "tooltip": tooltip,
            },
        ),
    ]
    path = layer_path(layers, latent, length=input_size)
    return {
        "$schema": alt.SCHEMA_URL,
        "description": f"Autoencoder architecture: {path}",
        "title": {
            "text": _NET_CAPTION,
            "orient": "bottom",
            "anchor": "middle",
            "fontSize": 11,
            "fontWeight": "normal",
            "color": "#666666",
            "offset": 6,
        },
        "height": _NET_HEIGHT,
        "width": "container",
        "layer": spec_layers,
        "config": {"view": {"stroke": None}},
    }
