"""Small drawing helpers shared by the Train page's chart grid and evaluation panel."""

from __future__ import annotations

import streamlit as st

from anomagram import charts


def persisted(widget_key: str, key: str, default):
    """Seed a widget from its saved value (widget state is dropped when the page is left)."""
    value = st.session_state.get(key, default)
    st.session_state[widget_key] = value
    return value


def show(slot, chart, height: int | None = None) -> None:
    """Draw an Altair chart into ``slot`` (a placeholder, a column or ``st``)."""
    slot.vega_lite_chart(spec=charts.to_vega(chart, height), width="stretch")
