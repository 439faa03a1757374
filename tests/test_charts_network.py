"""Tests for network_spec, the architecture diagram."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hyp_st

from anomagram import charts as C
from anomagram.charts import network as N
from anomagram.spec import MAX_LATENT, MAX_LAYERS, MAX_UNITS


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
    assert colours["Bottleneck"] == N._GROUP_STYLE["latent"][:2]
    if hidden:
        assert colours["Encoder"] == N._GROUP_STYLE["encoder"][:2]
        assert colours["Decoder"] == N._GROUP_STYLE["decoder"][:2]
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
    low, high = N._NET_BOX_H
    assert h[140] == pytest.approx(high, abs=0.01)
    assert h[35] == pytest.approx(low + (high - low) / 2, abs=0.01)  # sqrt(1/4)
    assert h[2] > low + (high - low) * 0.1  # 2 of 140 still visible
    assert all(b["y"] < N._NET_MID < b["y2"] for b in boxes)  # centred on one line
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
