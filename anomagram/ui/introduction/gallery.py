"""Section 1 of the Introduction, "Try it": a gallery of real test beats to click, and the
inference panel that shows how the model redraws the picked beat and what it decides.

The section is an ``st.fragment``: picking a beat reruns it alone, not the chart-heavy page.
Widget values use ``persist_state="session"`` so a visitor finds the gallery as they left it
after visiting another page.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from anomagram import charts
from anomagram.charts.introduction import GALLERY_SELECTION, gallery_spec, verdict_html
from anomagram.data import CLASS_IDS, CLASS_NAMES, SHORT_CLASS_NAMES
from anomagram.ui.introduction import page_data
from anomagram.ui.introduction.model_loading import model_or_defer
from anomagram.ui.introduction.views import BEAT_H, section_header, show, show_html

FILTER_ALL = 0
# 4 rows of 76 px: with the hero above, the gallery ends inside a 1440x900 first screen.
GALLERY_ROW_H = 76


def gallery() -> None:
    section_header(1, "Try it: is this heartbeat normal?", "try-it")
    _gallery()


# --- chart specs ---------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=600)
def beat_spec(index: int) -> tuple[dict, float]:
    """Input vs reconstruction of one test beat, and its error (needs the model)."""
    ts = page_data.test_set()
    scaled, recon, error = page_data.reconstruct(ts.raw[index])
    chart = charts.beat_chart(
        scaled, recon, title="Input and reconstruction", y_domain=page_data.frame()
    )
    return charts.to_vega(chart, BEAT_H), error


@st.cache_data(show_spinner=False, max_entries=600)
def beat_input_spec(index: int) -> dict:
    """The picked beat alone, shown until the model has loaded."""
    ts = page_data.test_set()
    chart = charts.beat_chart(
        ts.scaled[index], title="Input beat (scaled)", y_domain=page_data.frame()
    )
    return charts.to_vega(chart, BEAT_H)


# --- widgets' callbacks --------------------------------------------------------------------------


def _filter_label(code: int) -> str:
    ts = page_data.test_set()
    if code == FILTER_ALL:
        return f"All ({len(ts.classes)})"
    return f"{SHORT_CLASS_NAMES[code]} ({int((ts.classes == code).sum())})"


def _first_shown() -> int:
    state = st.session_state
    return page_data.gallery_indices(
        state.get("intro_filter") or FILTER_ALL, state.get("intro_shuffle", 0)
    )[0]


def _on_filter() -> None:
    st.session_state["intro_shuffle"] = 0
    st.session_state["intro_beat"] = _first_shown()


def _on_shuffle() -> None:
    st.session_state["intro_shuffle"] = st.session_state.get("intro_shuffle", 0) + 1


def _on_gallery_click(chart_key: str) -> None:
    event = st.session_state.get(chart_key)
    try:
        points = event["selection"][GALLERY_SELECTION]
    except (KeyError, TypeError):
        return
    if points:
        st.session_state["intro_beat"] = int(points[0]["beat"])


# --- the section ---------------------------------------------------------------------------------


@st.fragment
def _gallery() -> None:
    state = st.session_state
    ts = page_data.test_set()
    threshold = page_data.shipped().threshold
    st.markdown(
        "Real test beats the model never saw; an **anomaly** is any beat that is not normal. "
        "**Click one** to see how the model redraws it."
    )
    code = st.segmented_control(
        "Show test beats of class",
        options=[FILTER_ALL, *CLASS_IDS],
        format_func=_filter_label,
        default=FILTER_ALL,
        required=True,
        key="intro_filter",
        on_change=_on_filter,
        persist_state="session",
        # The options say what they filter; the label stays for screen readers only, and
        # the line it took is a row of beats more in the first screen.
        label_visibility="collapsed",
    )
    code = FILTER_ALL if code is None else code
    shown = page_data.gallery_indices(code, state.get("intro_shuffle", 0))
    choices = page_data.members(code)
    if state.get("intro_beat") not in choices:
        state["intro_beat"] = shown[0]
    beat = int(state["intro_beat"])

    left, right = st.columns([1, 1.15], gap="large")
    with left:
        # The legend sits between the class filter and the chart. When the pointer is on the
        # chart, its toolbar (112x44 px) pops up over the band above the chart's top-right
        # corner: there it covers only the empty right end of these two short lines, never
        # the filter (which it covered when the filter sat right above the chart).
        show_html(
            "<div class='intro-legend' style='font-size:.8rem;color:#555;line-height:1.35'>"
            "<div><span>Line colour: the true class</span></div><div><span>Dot: verdict "
            f"<span style='color:{charts.NORMAL_COLOR}'>●</span> normal "
            f"<span style='color:{charts.ABNORMAL_COLOR}'>●</span> abnormal</span></div></div>"
        )
        spec = gallery_spec(
            ts.scaled[shown],
            shown,
            ts.classes[shown],
            ts.flagged[shown],
            ts.errors[shown],
            selected=beat,
            frame=page_data.frame(),
            row_height=GALLERY_ROW_H,
        )
        # A new key per selection: the chart starts with no selection, so clicking any panel
        # (even the one clicked last time) is a change that fires the callback.
        chart_key = f"intro_gallery_{code}_{state.get('intro_shuffle', 0)}_{beat}"
        show(
            spec,
            key=chart_key,
            on_select=partial(_on_gallery_click, chart_key),
            selection_mode=GALLERY_SELECTION,
        )
        row = st.container(horizontal=True, gap="small")
        # In a popover the picker is mounted only when opened, so the first screen does not
        # wait for the browser to fetch and run the selectbox's scripts.
        with row.popover("🔢 Pick a beat by number", width="stretch"):
            st.selectbox(
                "Any test beat of this class",
                options=choices,
                format_func=lambda i: f"#{i} · {SHORT_CLASS_NAMES[int(ts.classes[i])]}",
                key="intro_beat",
                persist_state="session",
            )
        row.button("🔀 Other beats", key="intro_shuffle_btn", on_click=_on_shuffle, width="stretch")
    with right:
        _inference_panel(beat, threshold)


def _inference_panel(beat: int, threshold: float) -> None:
    """The picked beat, the model's reconstruction of it and the verdict."""
    ts = page_data.test_set()
    true_class = int(ts.classes[beat])
    st.subheader(f"Test beat #{beat} · {CLASS_NAMES.get(true_class, '?')}")
    if not model_or_defer("The model's reconstruction"):
        show(beat_input_spec(beat))
        return
    spec, error = beat_spec(beat)
    show_html(verdict_html(error, threshold, true_class=true_class))
    show(spec)
