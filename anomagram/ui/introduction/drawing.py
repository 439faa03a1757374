"""Section 2 of the Introduction, "Draw your own": draw a heartbeat, or edit a real one, and let
the pretrained model judge it. ``layered_signal`` turns the canvas's strokes into 140 samples.

``streamlit_drawable_canvas`` raises when imported outside a running app, so it is imported
inside the fragment only; the geometry helpers here stay importable anywhere (and testable).

How the drawing survives reruns and page switches: the canvas is keyed by a version number and
always gets the same ``initial_drawing`` (the *seed*) for one version, so it never reloads while
the user draws. The latest drawing lives in ``intro_drawing``. When the canvas's widget state is
missing (first visit, a button changed the version, or the user came back from another page,
which drops widget state), the seed is refreshed from ``intro_drawing``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from anomagram import charts
from anomagram.charts.introduction import canvas_background, verdict_html
from anomagram.data import SEQ_LEN, SHORT_CLASS_NAMES
from anomagram.signal import signal_to_drawing, strokes_from_json, strokes_to_signal
from anomagram.ui.introduction import page_data
from anomagram.ui.introduction.model_loading import model_or_defer
from anomagram.ui.introduction.views import BEAT_H, section_header, show, show_html

# The canvas has a fixed size in pixels (streamlit-drawable-canvas cannot stretch). 340 px fit
# a phone's column (358 px at 390 px wide) and the left column at 1280 px with the sidebar open
# (about 400 px); 440 px was cut off at sample ~110 on a phone.
CANVAS_W = 340
CANVAS_H = 220
STROKE = "#222222"
STROKE_W = 3

DRAWING = "intro_drawing"
VERSION = "intro_canvas_version"
SEED = "intro_canvas_seed"
SOURCE = "intro_draw_source"


def drawing() -> None:
    section_header(2, "Draw your own heartbeat", "draw")
    st.markdown(
        "Can you fool the model? Draw any shape and see whether it passes as a normal beat. "
        "Odd shapes are easy to spot; the interesting ones are beats that are *almost* normal."
    )
    _drawing()


def layered_signal(json_data: dict | None, width: float, height: float) -> np.ndarray | None:
    """The drawing as 140 values, where a later stroke replaces what lies under it.

    With one stroke this is exactly ``strokes_to_signal`` of its strokes. With several, pooling all
    points (that function's rule) would average a correction with the line it corrects, so
    a bump drawn over a loaded beat would come out at half height; here each stroke overwrites
    the samples its x range covers, and samples no stroke covers are interpolated.
    """
    strokes = strokes_from_json(json_data)
    if len(strokes) <= 1:
        return strokes_to_signal(strokes, width, height) if strokes else None
    values = np.full(SEQ_LEN, np.nan)
    for stroke in strokes:
        s = strokes_to_signal([stroke], width, height)
        if s is None:
            continue
        xs = stroke[:, 0]
        xs = np.clip(xs[np.isfinite(xs)], 0.0, width) / width * (SEQ_LEN - 1)
        # Same rounding as strokes_to_signal's bins: a point at u belongs to bin floor(u + 0.5).
        lo = int(np.floor(xs.min() + 0.5))
        hi = min(int(np.floor(xs.max() + 0.5)), SEQ_LEN - 1)
        values[lo : hi + 1] = s[lo : hi + 1]
    filled = np.flatnonzero(np.isfinite(values))
    if filled.size == 0:
        return None
    out = np.interp(np.arange(SEQ_LEN), filled, values[filled])
    return out.astype(np.float32)


def _new_canvas(seed: dict | None, source: str | None) -> None:
    st.session_state[VERSION] = st.session_state.get(VERSION, 0) + 1
    st.session_state[SEED] = seed
    st.session_state[DRAWING] = seed
    st.session_state[SOURCE] = source


def _clear() -> None:
    _new_canvas(None, None)


def _load_beat(abnormal: bool) -> None:
    ts = page_data.test_set()
    pool = np.flatnonzero(ts.abnormal if abnormal else ~ts.abnormal)
    counter = "intro_draw_next_abnormal" if abnormal else "intro_draw_next_normal"
    n = st.session_state.get(counter, 0)
    st.session_state[counter] = n + 1
    # A fixed, shuffled order: each click brings another beat, the same for everyone.
    order = np.random.default_rng(3 if abnormal else 2).permutation(pool)
    idx = int(order[n % len(order)])
    seed = signal_to_drawing(
        ts.raw[idx], CANVAS_W, CANVAS_H, stroke_color=STROKE, stroke_width=STROKE_W
    )
    name = SHORT_CLASS_NAMES.get(int(ts.classes[idx]), "?")
    _new_canvas(seed, f"test beat #{idx} ({name})")


@st.cache_data(show_spinner=False)
def _background() -> bytes:
    return canvas_background(CANVAS_W, CANVAS_H, page_data.mean_normal_beat())


def drawing_spec(scaled: np.ndarray, recon: np.ndarray | None) -> dict:
    title = (
        f"Your drawing as {SEQ_LEN} samples"
        if recon is None
        else "Your drawing and its reconstruction"
    )
    chart = charts.beat_chart(scaled, recon, title=title, y_domain=page_data.frame())
    return charts.to_vega(chart, BEAT_H)


@st.fragment
def _drawing() -> None:
    from streamlit_drawable_canvas import st_canvas

    state = st.session_state
    version = state.setdefault(VERSION, 0)
    key = f"intro_canvas_{version}"
    if key not in state:
        state[SEED] = state.get(DRAWING)

    left, right = st.columns([1, 1.15], gap="large")
    with left:
        # The canvas first: its toolbar pops up over the top edge, where it would cover
        # buttons placed above it.
        result = st_canvas(
            stroke_width=STROKE_W,
            stroke_color=STROKE,
            background_image=_background(),
            height=CANVAS_H,
            width=CANVAS_W,
            drawing_mode="freedraw",
            initial_drawing=state.get(SEED),
            key=key,
        )
        # Buttons sized to their labels, wrapping onto a second line in a narrow column
        # (fixed thirds of the column cut "Load a normal beat" short at 1280 px).
        buttons = st.container(horizontal=True, gap="small")
        buttons.button("🧹 Clear", key="intro_draw_clear", on_click=_clear)
        buttons.button(
            "Load a normal beat", key="intro_draw_normal", on_click=_load_beat, args=(False,)
        )
        buttons.button(
            "Load an abnormal one", key="intro_draw_abnormal", on_click=_load_beat, args=(True,)
        )
        st.caption(
            "Up and down: amplitude in the data's own units, from +2 at the top to −4 at the "
            f"bottom. Left to right: the {SEQ_LEN} samples of one beat. The faint blue band is the "
            "average normal beat. A new stroke replaces the part of the line beneath it."
        )
    json_data = getattr(result, "json_data", None)
    if isinstance(json_data, dict):
        state[DRAWING] = dict(json_data)

    with right:
        _drawing_result(state.get(DRAWING))


def _drawing_result(drawing: dict | None) -> None:
    signal = layered_signal(drawing, CANVAS_W, CANVAS_H)
    if signal is None:
        st.info(
            "✏️ **Draw a heartbeat on the canvas**: press, drag from left to right, release. "
            "Or start from a real beat with the buttons and change part of it. The verdict "
            "appears here as soon as you lift the pen."
        )
        return
    source = st.session_state.get(SOURCE)
    if not model_or_defer("The verdict on your drawing"):
        show(drawing_spec(page_data.shipped().scaler.transform(signal), None))
        return
    scaled, recon, error = page_data.reconstruct(signal)
    threshold = page_data.shipped().threshold
    subject = "your drawing" if source is None else f"your edit of {source}"
    show_html(verdict_html(error, threshold, subject=subject))
    show(drawing_spec(scaled, recon))
    st.caption(
        "Whatever you draw, the reconstruction tends to look like a normal beat: that is all "
        "the model knows how to draw. The further your beat is from that, the bigger the "
        "shaded gap."
    )
