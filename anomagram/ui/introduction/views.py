"""How the Introduction page puts things on screen: section headers, charts and HTML blocks.

The chart specs themselves live next to the panel that shows them. They are Vega-Lite dicts
cached with ``st.cache_data``: building and validating an Altair chart costs 50-250 ms on this
stack, so charts that never change are built once per process, and charts that follow a widget
(beat, epoch, threshold) once per value; going back to a value, or replaying an animation
frame, is then instant.
"""

from __future__ import annotations

import streamlit as st

# Total chart heights in px: Streamlit fits titles, legends and axes inside them.
BEAT_H = 255
HIST_H = 330
# Chapter 7's histogram and ROC: short enough to share one screen with the threshold slider
# above them (at 470 px they never did).
ROC_H = 340


def section_header(number: int, title: str, anchor: str) -> None:
    st.header(f"{number} · {title}", anchor=anchor, divider="gray")


def show(spec: dict, **kwargs):
    """Render a Vega-Lite dict across the container width (same look as st.altair_chart)."""
    return st.vega_lite_chart(spec=spec, width="stretch", **kwargs)


def show_html(body: str):
    """Render one of the page's own HTML blocks (verdict card, hero numbers, legend).

    ``st.html`` rather than ``st.markdown(unsafe_allow_html=True)``: raw HTML in markdown
    makes the browser fetch and run a 190 kB parser before it can draw the first screen,
    ``st.html`` a 30 kB sanitiser. The blocks carry their style inline; they hold no input.
    """
    return st.html(body)
