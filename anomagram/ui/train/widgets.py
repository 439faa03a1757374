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


def _stable_dataset_names(spec: dict) -> None:
    """Name the spec's datasets by position instead of by a hash of their content.

    Altair names each dataset after its content, so every new epoch is a new spec and the
    browser rebuilds the whole chart. With names that stay, a chart whose spec is otherwise
    unchanged (the loss curve, the bottleneck) gets only its data replaced, in place.
    """
    datasets = spec.get("datasets")
    if not datasets:
        return
    names = {old: f"d{i}" for i, old in enumerate(datasets)}
    spec["datasets"] = {names[old]: rows for old, rows in datasets.items()}

    def rename(node) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and data.get("name") in names:
                data["name"] = names[data["name"]]
            for value in node.values():
                rename(value)
        elif isinstance(node, list):
            for value in node:
                rename(value)

    rename({k: v for k, v in spec.items() if k != "datasets"})


def show_plot(slot, chart, plot_height: int) -> None:
    """Draw a chart whose plot area (not the whole chart) is ``plot_height`` pixels tall.

    Streamlit's default ``fit`` autosize squeezes title, legend and axes into a fixed total
    height, and Vega then shrinks small charts' plots to a sliver (leaving a blank band under
    the title); ``fit-x`` fits only the width and adds the decorations around the plot.
    """
    spec = charts.to_vega(chart, plot_height)
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    _stable_dataset_names(spec)
    # No ARIA label per mark: Vega formats one for each of the ~500 bottleneck dots, which
    # cost the browser about 0.4 s per redraw here. The chart keeps its title and description.
    spec.setdefault("config", {}).setdefault("mark", {})["aria"] = False
    if isinstance(spec.get("title"), dict):
        # Streamlit's theme puts 26 px between the title and the chart; the grid needs them.
        spec["title"].setdefault("offset", 8)
    slot.vega_lite_chart(spec=spec, width="stretch")


def scroll_into_view(key: str, seconds: float = 3.0) -> None:
    """Scroll the page so the container with ``key`` sits at the top of the window.

    A script in an ``st.html`` element. When a run starts the page below the anchor may still
    be too short to scroll that far (the charts arrive a moment later), so the script keeps
    the anchor at the top for ``seconds``, unless the person scrolls or types meanwhile.
    """
    st.html(
        f"""<script>
        (() => {{
          const until = performance.now() + {seconds * 1000:.0f};
          let stop = false;
          const quit = () => {{ stop = true; }};
          for (const ev of ["wheel", "touchstart", "keydown", "mousedown"]) {{
            window.addEventListener(ev, quit, {{once: true, capture: true}});
          }}
          // This element is empty: hidden, it adds no gap to the layout.
          const box = document.currentScript?.closest("[data-testid='stElementContainer']");
          if (box) box.style.display = "none";
          // Streamlit's header is transparent: the bar may sit at the very top, except on a
          // phone, where the header holds the sidebar button at the left and would cover it.
          const margin = window.innerWidth < 640 ? 56 : 4;
          const go = () => {{
            if (stop || performance.now() > until) return;
            const el = document.querySelector(".st-key-{key}");
            if (el && Math.abs(el.getBoundingClientRect().top - margin) > 2) {{
              el.style.scrollMarginTop = margin + "px";
              el.scrollIntoView({{block: "start"}});
            }}
            setTimeout(go, 50);
          }};
          go();
        }})();
        </script>""",
        unsafe_allow_javascript=True,
    )
