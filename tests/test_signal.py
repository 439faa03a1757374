import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from common import drawing_to_signal
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from anomagram.data import SEQ_LEN
from anomagram.signal import (
    Y_BOTTOM,
    Y_TOP,
    resample,
    signal_to_drawing,
    strokes_from_json,
    strokes_to_signal,
    z_normalise,
)

W, H = 700.0, 300.0  # a typical canvas; deliberately not a multiple of 140
MID = (Y_TOP + Y_BOTTOM) / 2


def path_obj(points, kind="path"):
    """A freedraw object shaped like the canvas sends it: M, then Qs, then L."""
    cmds = [["M", *points[0]]]
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:-1], strict=False):
        cmds.append(["Q", x0, y0, x1, y1])
    if len(points) > 1:
        cmds.append(["L", *points[-1]])
    return {"type": kind, "path": cmds}


def drawing(*objects):
    return {"version": "4.4.0", "objects": list(objects)}


def line(x0, y0, x1, y1, k=50):
    return np.column_stack([np.linspace(x0, x1, k), np.linspace(y0, y1, k)])


# ---------------------------------------------------------------- strokes_from_json


def test_strokes_from_json_takes_end_points_and_ignores_control_points():
    data = drawing(
        {"type": "path", "path": [["M", 1, 2], ["Q", 99, 99, 3, 4], ["L", 5.5, 6]]},
        {"type": "Path", "path": [["M", 10, 20], ["L", 30, 40]]},
    )
    strokes = strokes_from_json(data)
    assert len(strokes) == 2
    np.testing.assert_array_equal(strokes[0], [[1, 2], [3, 4], [5.5, 6]])
    np.testing.assert_array_equal(strokes[1], [[10, 20], [30, 40]])
    assert all(s.dtype == np.float64 and s.shape[1] == 2 for s in strokes)


def test_strokes_from_json_ignores_non_path_objects():
    data = drawing(
        {"type": "rect", "left": 0, "top": 0, "width": 10, "height": 10},
        {"type": "circle", "left": 5, "top": 5, "radius": 3},
        {"type": "line", "x1": 0, "y1": 0, "x2": 700, "y2": 300},
        path_obj([(0, 150), (700, 150)]),
    )
    strokes = strokes_from_json(data)
    assert len(strokes) == 1
    np.testing.assert_array_equal(strokes[0], [[0, 150], [700, 150]])


def test_strokes_from_json_skips_malformed_commands_keeps_the_rest():
    data = drawing(
        {
            "type": "path",
            "path": [
                ["M", 1, 2],
                ["Z"],
                ["L", "a", 3],
                ["L", None, 3],
                ["L", True, 3],
                ["L", float("nan"), 3],
                ["L", float("inf"), 3],
                "L 4 5",
                None,
                ["L", 7],
                ["L", 8, 9],
            ],
        }
    )
    strokes = strokes_from_json(data)
    assert len(strokes) == 1
    np.testing.assert_array_equal(strokes[0], [[1, 2], [8, 9]])


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        [],
        "not json",
        42,
        {"objects": None},
        {"objects": "path"},
        {"objects": []},
        {"objects": [None, 3, "x", []]},
        {"objects": [{"type": "path"}]},
        {"objects": [{"type": "path", "path": None}]},
        {"objects": [{"type": "path", "path": []}]},
        {"objects": [{"type": "path", "path": [["Z"], ["M"], ["M", 1]]}]},
        {"objects": [{"type": None, "path": [["M", 1, 2]]}]},
        {"objects": [{"path": [["M", 1, 2]]}]},
        {"objects": [{"type": "rect", "left": 1, "top": 2}]},
    ],
)
def test_no_drawing_gives_none_without_raising(data):
    assert strokes_from_json(data) == []
    assert drawing_to_signal(data, W, H) is None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=5)
    | st.sampled_from(["M", "Q", "L", "path", "Path", "type", "objects"]),
    lambda children: (
        st.lists(children, max_size=6)
        | st.dictionaries(
            st.sampled_from(["type", "path", "objects", "left", "x"]) | st.text(max_size=3),
            children,
            max_size=4,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["objects", "version"]), json_values, max_size=2) | json_values
)
def test_strokes_from_json_never_raises_on_junk(data):
    strokes = strokes_from_json(data)
    assert isinstance(strokes, list)
    for s in strokes:
        assert s.ndim == 2 and s.shape[1] == 2 and len(s) >= 1
        assert np.isfinite(s).all()


# ---------------------------------------------------------------- strokes_to_signal


def test_horizontal_line_in_the_middle_is_the_middle_value():
    sig = strokes_to_signal([line(0, H / 2, W, H / 2)], W, H)
    assert sig.dtype == np.float32 and sig.shape == (SEQ_LEN,)
    np.testing.assert_allclose(sig, MID, atol=1e-6)
    assert pytest.approx(-1.0) == MID


def test_top_and_bottom_edges_map_to_y_top_and_y_bottom():
    np.testing.assert_allclose(strokes_to_signal([line(0, 0, W, 0)], W, H), Y_TOP)
    np.testing.assert_allclose(strokes_to_signal([line(0, H, W, H)], W, H), Y_BOTTOM)


def test_custom_value_range_and_length():
    sig = strokes_to_signal([line(0, H / 4, W, H / 4)], W, H, y_top=1.0, y_bottom=0.0, n=32)
    assert sig.shape == (32,)
    np.testing.assert_allclose(sig, 0.75, atol=1e-6)


def test_diagonal_two_points_is_an_exact_linear_ramp():
    sig = strokes_to_signal([np.array([[0.0, 0.0], [W, H]])], W, H)
    np.testing.assert_allclose(sig, np.linspace(Y_TOP, Y_BOTTOM, SEQ_LEN), atol=1e-5)


def test_diagonal_dense_stroke_is_a_linear_ramp():
    sig = strokes_to_signal([line(0, 0, W, H, k=333)], W, H)
    # Mean of points within half a bin either side: exact inside, <= a quarter step at the ends.
    step = (Y_TOP - Y_BOTTOM) / (SEQ_LEN - 1)
    np.testing.assert_allclose(sig, np.linspace(Y_TOP, Y_BOTTOM, SEQ_LEN), atol=0.3 * step)
    assert np.all(np.diff(sig) < 0)


def test_partial_drawing_holds_end_values():
    # Left half only, sloping from the top edge down to the middle.
    sig = strokes_to_signal([np.array([[0.0, 0.0], [W / 2, H / 2]])], W, H)
    last_drawn = int(np.floor((SEQ_LEN - 1) / 2 + 0.5))  # bin of x = W/2
    np.testing.assert_allclose(sig[last_drawn:], MID, atol=1e-5)
    assert sig[0] == pytest.approx(Y_TOP)
    assert np.all(np.diff(sig[: last_drawn + 1]) < 0)

    # Right third only: the start holds the first drawn value.
    sig = strokes_to_signal([line(2 * W / 3, H, W, H)], W, H)
    np.testing.assert_allclose(sig, Y_BOTTOM)


def test_reversed_stroke_equals_forward_stroke():
    rng = np.random.default_rng(0)
    xs = np.sort(rng.uniform(0, W, 60))
    pts = np.column_stack([xs, H / 2 + 100 * np.sin(xs / 50)])
    fwd = strokes_to_signal([pts], W, H)
    back = strokes_to_signal([pts[::-1]], W, H)
    np.testing.assert_allclose(back, fwd, atol=1e-6)
    assert np.ptp(fwd) > 1.0  # the sine actually shows up


def test_single_point_gives_constant_signal():
    sig = strokes_to_signal([np.array([[123.0, H / 3]])], W, H)
    np.testing.assert_allclose(sig, Y_TOP + (Y_BOTTOM - Y_TOP) / 3, atol=1e-6)
    # A bare (x, y) pair is also accepted as a one-point stroke.
    np.testing.assert_allclose(strokes_to_signal([np.array([5.0, 0.0])], W, H), Y_TOP)


def test_vertical_stroke_gives_constant_mean():
    pts = np.column_stack([np.full(11, 350.0), np.linspace(0, H, 11)])
    np.testing.assert_allclose(strokes_to_signal([pts], W, H), MID, atol=1e-6)
    uneven = np.array([[350.0, 0.0], [350.0, 0.0], [350.0, H]])  # two at top, one at bottom
    expected = (2 * Y_TOP + Y_BOTTOM) / 3
    np.testing.assert_allclose(strokes_to_signal([uneven], W, H), expected, atol=1e-6)


def test_two_strokes_on_disjoint_ranges_merge_and_gap_is_interpolated():
    left = line(0, 0, 0.25 * W, 0)  # Y_TOP over the first quarter
    right = line(0.75 * W, H, W, H)  # Y_BOTTOM over the last quarter
    sig = strokes_to_signal([right, left], W, H)  # order must not matter
    u = np.arange(SEQ_LEN)
    a, b = 0.25 * (SEQ_LEN - 1), 0.75 * (SEQ_LEN - 1)
    last_left, first_right = int(np.floor(a + 0.5)), int(np.floor(b + 0.5))
    np.testing.assert_allclose(sig[: last_left + 1], Y_TOP, atol=1e-6)
    np.testing.assert_allclose(sig[first_right:], Y_BOTTOM, atol=1e-6)
    gap = u[last_left : first_right + 1]
    expected = np.interp(gap, [last_left, first_right], [Y_TOP, Y_BOTTOM])
    np.testing.assert_allclose(sig[gap], expected, atol=1e-5)


def test_separate_strokes_are_not_joined_by_a_segment():
    # Pen lifts between strokes: if a and b were joined, their segment would drop Y_TOP
    # samples into every bin in between and drag the middle stroke's bins upward.
    a = np.array([[0.0, 0.0]])
    b = np.array([[W, 0.0]])
    mid = line(0.4 * W, H, 0.6 * W, H)
    sig = strokes_to_signal([a, b, mid], W, H)
    centre = SEQ_LEN // 2
    assert sig[centre] == pytest.approx(Y_BOTTOM)
    assert sig[0] == pytest.approx(Y_TOP) and sig[-1] == pytest.approx(Y_TOP)


def test_fast_stroke_fills_every_bin_it_crosses():
    # A two-point sweep along the top edge, plus a slow stroke at the bottom with exactly one
    # point per bin over the middle. If the sweep only counted at its end points, the middle
    # bins would read Y_BOTTOM; counting it in every bin it crosses averages them to MID.
    sweep = np.array([[0.0, 0.0], [W, 0.0]])
    idx = np.arange(50, 91)
    slow = np.column_stack([idx / (SEQ_LEN - 1) * W, np.full(idx.size, H)])
    sig = strokes_to_signal([sweep, slow], W, H)
    np.testing.assert_allclose(sig[idx], MID, atol=1e-5)
    np.testing.assert_allclose(sig[:50], Y_TOP, atol=1e-6)
    np.testing.assert_allclose(sig[91:], Y_TOP, atol=1e-6)


def test_sparse_spike_follows_the_stroke():
    pts = np.array([[10.0, H], [200.0, 0.0], [W, H]])
    sig = strokes_to_signal([pts], W, H)
    peak = int(np.floor(200 / W * (SEQ_LEN - 1) + 0.5))
    assert sig[peak] == pytest.approx(Y_TOP, abs=0.05)
    u = np.arange(SEQ_LEN) / (SEQ_LEN - 1) * W
    expected = np.interp(u, pts[:, 0], Y_TOP + pts[:, 1] / H * (Y_BOTTOM - Y_TOP))
    np.testing.assert_allclose(sig, expected, atol=0.06)


def test_overlapping_strokes_average():
    sig = strokes_to_signal([line(0, 0, W, 0), line(W, H, 0, H)], W, H)
    np.testing.assert_allclose(sig, MID, atol=1e-5)


def test_points_outside_canvas_are_clipped():
    pts = np.array([[-500.0, -1000.0], [W / 2, -50.0], [W + 300.0, H + 999.0]])
    sig = strokes_to_signal([pts], W, H)
    clipped = strokes_to_signal([np.array([[0.0, 0.0], [W / 2, 0.0], [W, H]])], W, H)
    np.testing.assert_allclose(sig, clipped, atol=1e-6)
    assert sig[0] == pytest.approx(Y_TOP) and sig[-1] == pytest.approx(Y_BOTTOM)
    assert sig.max() <= Y_TOP and sig.min() >= Y_BOTTOM


def test_non_finite_points_are_dropped():
    pts = np.array([[0.0, H / 2], [np.nan, 0.0], [W, H / 2], [np.inf, 3.0]])
    np.testing.assert_allclose(strokes_to_signal([pts], W, H), MID, atol=1e-6)
    assert strokes_to_signal([np.array([[np.nan, np.nan]])], W, H) is None


def test_no_points_gives_none():
    assert strokes_to_signal([], W, H) is None
    assert strokes_to_signal([np.empty((0, 2))], W, H) is None


@pytest.mark.parametrize(
    ("width", "height", "n"), [(0, 300, 140), (700, -1, 140), (float("nan"), 300, 140), (1, 1, 0)]
)
def test_bad_canvas_or_length_raises(width, height, n):
    with pytest.raises(ValueError):
        strokes_to_signal([line(0, 0, 1, 1)], width, height, n=n)


def test_n_equal_one():
    sig = strokes_to_signal([line(0, 0, W, H)], W, H, n=1)
    assert sig.shape == (1,)
    np.testing.assert_allclose(sig, MID, atol=1e-5)


def test_a_drawing_is_traced_along_its_path_only():
    data = drawing(path_obj([(0, 0), (350, 300), (700, 0)]), {"type": "rect", "left": 3})
    sig = drawing_to_signal(data, W, H)
    assert sig.shape == (SEQ_LEN,)
    assert sig[0] == pytest.approx(Y_TOP) and sig[-1] == pytest.approx(Y_TOP)
    assert sig[SEQ_LEN // 2] == pytest.approx(Y_BOTTOM, abs=0.05)


def test_strokes_to_signal_is_fast():
    rng = np.random.default_rng(1)
    strokes = [
        np.column_stack([rng.uniform(-10, W + 10, 400), rng.uniform(-10, H + 10, 400)])
        for _ in range(3)
    ]
    strokes_to_signal(strokes, W, H)  # warm-up
    t0 = time.perf_counter()
    for _ in range(20):
        strokes_to_signal(strokes, W, H)
    per_call = (time.perf_counter() - t0) / 20
    assert per_call < 5e-3, f"{per_call * 1e3:.2f} ms per call"


canvas_size = st.floats(min_value=20, max_value=2000, allow_nan=False, allow_infinity=False)


@st.composite
def stroke_sets(draw):
    width, height = draw(canvas_size), draw(canvas_size)
    coord = st.floats(min_value=-2.0, max_value=3.0, allow_nan=False, allow_infinity=False)
    point = st.tuples(coord, coord).map(lambda p: (p[0] * width, p[1] * height))
    strokes = draw(st.lists(st.lists(point, min_size=1, max_size=25), min_size=1, max_size=4))
    return [np.array(s, dtype=np.float64) for s in strokes], width, height


@settings(max_examples=80, deadline=None)
@given(stroke_sets())
def test_any_strokes_give_140_finite_values_in_range(case):
    strokes, width, height = case
    sig = strokes_to_signal(strokes, width, height)
    assert isinstance(sig, np.ndarray)
    assert sig.shape == (SEQ_LEN,) and sig.dtype == np.float32
    assert np.isfinite(sig).all()
    assert sig.min() >= Y_BOTTOM and sig.max() <= Y_TOP
    # Stroke order and direction are irrelevant.
    shuffled = [s[::-1] for s in strokes[::-1]]
    np.testing.assert_allclose(strokes_to_signal(shuffled, width, height), sig, atol=1e-5)


@settings(max_examples=40, deadline=None)
@given(
    canvas_size,
    canvas_size,
    st.floats(min_value=-10, max_value=10, allow_nan=False),
    st.floats(min_value=-10, max_value=10, allow_nan=False),
)
def test_odd_value_ranges_stay_within_bounds(width, height, y_top, y_bottom):
    strokes = [line(-5, -5, width + 5, height + 5, k=17), np.array([[width / 3, height * 0.7]])]
    sig = strokes_to_signal(strokes, width, height, y_top=y_top, y_bottom=y_bottom)
    if abs(y_top - y_bottom) > 1e-4:
        assert sig.min() >= min(y_top, y_bottom) and sig.max() <= max(y_top, y_bottom)
    else:
        # A (near-)empty range may hold no float32 at all; the nearest one is the answer.
        np.testing.assert_allclose(sig, y_top, atol=1e-4)


# ---------------------------------------------------------------- signal_to_drawing


def test_signal_to_drawing_round_trip():
    u = np.linspace(0, 1, SEQ_LEN)
    beat = (1.5 * np.exp(-(((u - 0.3) / 0.03) ** 2)) - 3.5 * u**2 + 0.5).astype(np.float32)
    data = signal_to_drawing(beat, W, H)
    back = drawing_to_signal(data, W, H)
    np.testing.assert_allclose(back, beat, atol=1e-5)


def test_signal_to_drawing_is_a_canvas_freedraw_object():
    beat = np.linspace(Y_TOP, Y_BOTTOM, SEQ_LEN)
    data = signal_to_drawing(beat, 280, 120, stroke_color="#ff0000", stroke_width=4)
    assert set(data) >= {"version", "objects"} and len(data["objects"]) == 1
    obj = data["objects"][0]
    assert obj["type"].lower() == "path"
    assert obj["stroke"] == "#ff0000" and obj["strokeWidth"] == 4
    cmds = obj["path"]
    assert len(cmds) == SEQ_LEN
    assert cmds[0] == ["M", 0.0, 0.0] and cmds[-1] == ["L", 280.0, 120.0]
    assert all(c[0] == "L" for c in cmds[1:])
    assert obj["left"] == pytest.approx(-2.0) and obj["top"] == pytest.approx(-2.0)
    assert obj["width"] == pytest.approx(280.0) and obj["height"] == pytest.approx(120.0)
    # Must be plain JSON-serialisable Python, not numpy scalars.
    assert json.loads(json.dumps(data)) == data


def test_signal_to_drawing_clips_out_of_range_values():
    beat = np.array([10.0, -10.0, 0.0])
    data = signal_to_drawing(beat, W, H)
    ys = [c[-1] for c in data["objects"][0]["path"]]
    assert ys[0] == 0.0 and ys[1] == H and 0 < ys[2] < H


def test_signal_to_drawing_single_value_is_a_flat_line():
    data = signal_to_drawing(np.array([MID]), W, H)
    np.testing.assert_allclose(drawing_to_signal(data, W, H), MID, atol=1e-3)
    assert len(data["objects"][0]["path"]) == 2


@pytest.mark.parametrize("bad", [np.array([]), np.array([0.0, np.nan]), np.array([np.inf])])
def test_signal_to_drawing_rejects_bad_signal(bad):
    with pytest.raises(ValueError):
        signal_to_drawing(bad, W, H)


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        np.float64, SEQ_LEN, elements=st.floats(min_value=Y_BOTTOM, max_value=Y_TOP, width=32)
    ),
    canvas_size,
    canvas_size,
)
def test_signal_to_drawing_round_trip_property(beat, width, height):
    back = drawing_to_signal(signal_to_drawing(beat, width, height), width, height)
    np.testing.assert_allclose(back, beat, atol=1e-5)


# ---------------------------------------------------------------- resample


def test_resample_length_and_endpoints():
    x = np.array([3.0, -1.0, 7.0, 2.5, 0.0])
    out = resample(x)
    assert out.shape == (SEQ_LEN,) and out.dtype == np.float64
    assert out[0] == 3.0 and out[-1] == 0.0


def test_resample_monotone_ramp_stays_linear():
    out = resample(np.linspace(-2, 5, 187), 140)
    np.testing.assert_allclose(out, np.linspace(-2, 5, 140), atol=1e-12)
    assert np.all(np.diff(out) > 0)


def test_resample_upsamples_linearly():
    np.testing.assert_allclose(resample([0.0, 10.0], 11), np.arange(11.0))
    np.testing.assert_allclose(resample([0.0, 2.0, 0.0], 5), [0, 1, 2, 1, 0])


def test_resample_identity_at_same_length():
    x = np.random.default_rng(2).normal(size=SEQ_LEN)
    np.testing.assert_allclose(resample(x), x, atol=1e-12)


def test_resample_single_value_is_constant():
    np.testing.assert_array_equal(resample(np.array([1.25]), 7), np.full(7, 1.25))


def test_resample_accepts_lists_and_single_rows():
    np.testing.assert_allclose(resample([[0.0, 1.0]], 3), [0.0, 0.5, 1.0])


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (np.array([]), "empty"),
        (np.array([1.0, np.nan, 2.0]), "position(s) 1"),
        (np.array([np.inf, 1.0]), "infinite"),
        (["a", "b"], "numbers"),
        (np.ones((2, 3)), "one-dimensional"),
    ],
)
def test_resample_rejects_bad_input_readably(bad, fragment):
    with pytest.raises(ValueError, match=r".*") as info:
        resample(bad)
    assert fragment in str(info.value)


def test_resample_rejects_bad_n():
    with pytest.raises(ValueError):
        resample([1.0, 2.0], 0)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
        min_size=1,
        max_size=400,
    ),
    st.integers(min_value=1, max_value=300),
)
def test_resample_property_n_finite_values_within_input_range(values, n):
    x = np.array(values)
    out = resample(x, n)
    assert out.shape == (n,)
    assert np.isfinite(out).all()
    assert out.min() >= x.min() and out.max() <= x.max()
    if n >= 2:
        assert out[0] == x[0] and out[-1] == x[-1]


# ---------------------------------------------------------------- z_normalise


def test_z_normalise_mean_zero_std_one():
    x = np.random.default_rng(3).normal(5.0, 3.0, SEQ_LEN)
    z = z_normalise(x)
    assert z.mean() == pytest.approx(0.0, abs=1e-12)
    assert z.std() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(z, (x - x.mean()) / x.std())


def test_z_normalise_constant_gives_zeros():
    for value in (0.0, 0.1, -3.7, 1e6):
        z = z_normalise(np.full(SEQ_LEN, value))
        np.testing.assert_array_equal(z, np.zeros(SEQ_LEN))
    np.testing.assert_array_equal(z_normalise(np.array([4.2])), [0.0])


def test_z_normalise_rows():
    rng = np.random.default_rng(4)
    x = np.vstack([rng.normal(2, 4, SEQ_LEN), np.full(SEQ_LEN, 7.0), rng.normal(-1, 0.1, SEQ_LEN)])
    z = z_normalise(x)
    assert z.shape == x.shape
    np.testing.assert_allclose(z.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=1), [1.0, 0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(z[0], z_normalise(x[0]))
    assert not np.isnan(z).any()


def test_z_normalise_is_scale_and_shift_invariant():
    x = np.sin(np.linspace(0, 6, SEQ_LEN))
    np.testing.assert_allclose(z_normalise(3 * x - 8), z_normalise(x), atol=1e-12)


@pytest.mark.parametrize(
    "bad", [np.array([]), np.array([1.0, np.nan]), np.ones((2, 2, 2)), np.empty((3, 0))]
)
def test_z_normalise_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        z_normalise(bad)


# ---------------------------------------------------------------- hygiene


def test_core_module_does_not_pull_in_ui_or_ml_libraries():
    code = (
        "import sys, anomagram.signal; "
        "bad = [m for m in ('streamlit', 'keras', 'tensorflow') if m in sys.modules]; "
        "sys.exit('imported: ' + ', '.join(bad) if bad else 0)"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, result.stderr
