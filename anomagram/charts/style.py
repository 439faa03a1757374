"""Palette, titles, sizes and small helpers shared by every chart builder.

Design rules shared by all builders:

* Encodings use channel classes (``alt.Text(...)``, ``alt.X2(...)``) rather than shorthand
  strings or ``alt.value``: Altair resolves those through a schema lookup costing ~13 ms each,
  which adds up for charts rebuilt every epoch.
* Charts are redrawn every training epoch and shipped to the browser inline, so all binning and
  down-sampling happens in numpy and each chart carries at most a few hundred data rows.
* No fixed width: the app stretches every chart to the width of its container.
* One colour-blind-safe (Okabe-Ito) palette, used with the same meaning everywhere.
* Bad input (empty arrays, NaN/inf, absent classes) degrades to an emptier chart, never an
  exception; only contradictory input (mismatched lengths) raises ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeAlias

import altair as alt
import numpy as np
import pandas as pd

from anomagram.data import SHORT_CLASS_NAMES

AnyChart: TypeAlias = alt.Chart | alt.LayerChart | alt.HConcatChart | alt.VConcatChart

NORMAL_COLOR = "#0072B2"
ABNORMAL_COLOR = "#D55E00"

# Keyed like ``anomagram.data.SHORT_CLASS_NAMES``, the class names shown in every legend.
CLASS_COLORS = {
    1: "#0072B2",
    2: "#D55E00",
    3: "#CC79A7",
    4: "#E69F00",
    5: "#009E73",
}

TRAIN_COLOR = "#0072B2"
VAL_COLOR = "#E69F00"
INPUT_COLOR = "#222222"
RECON_COLOR = "#D55E00"
# A light tint of the reconstruction colour: the shaded gap must not compete with the lines.
ERROR_FILL = "#F5BE9C"
MODEL_COLOR = "#0072B2"
BASELINE_COLOR = "#7F7F7F"
CHANCE_COLOR = "#BBBBBB"
TEXT_COLOR = "#222222"

ERROR_AXIS_TITLE = "Reconstruction error (MSE, scaled units)"
LOSS_AXIS_TITLE = "Loss (MSE, scaled units)"
EPOCH_AXIS_TITLE = "Epoch"
SCALED_AMPLITUDE = "Amplitude (scaled 0-1)"
RAW_AMPLITUDE = "Amplitude (z-normalised mV)"

DEFAULT_HEIGHT = 260

_GROUP_DOMAIN = ["Normal", "Abnormal"]
_GROUP_RANGE = [NORMAL_COLOR, ABNORMAL_COLOR]


def to_vega(chart: alt.TopLevelMixin, height: int | None = None) -> dict:
    """A Vega-Lite dict for ``st.vega_lite_chart``, skipping Altair's schema validation.

    ``st.altair_chart`` validates the whole spec against the Vega-Lite JSON schema on every
    call (50-250 ms per chart here, a third of each live redraw); the builders are validated
    by the unit tests instead. The height is set on the dict because ``chart.properties``
    deep-copies and validates the whole chart.
    """
    spec = chart.to_dict(validate=False)
    view = spec.get("config", {}).get("view", {})
    # Altair's default theme sizes views at 300 px; Streamlit sizes them to the container.
    view.pop("continuousWidth", None)
    view.pop("continuousHeight", None)
    if height is not None:
        # Streamlit fits title, legend and axes into this height.
        spec["height"] = height
    return spec


def _sig(values: np.ndarray | Sequence[float], digits: int = 4) -> list[float | None]:
    """Round to significant digits.

    Inline JSON prints floats at full precision (~18 characters each); four significant digits
    are plenty for a chart and shrink the payload that is resent every epoch by ~3x.
    """
    out: list[float | None] = []
    for v in np.asarray(values, dtype=float).ravel():
        out.append(float(f"{v:.{digits}g}") if math.isfinite(v) else None)
    return out


def _as_float_1d(values: object) -> np.ndarray:
    if values is None:
        return np.zeros(0, dtype=float)
    arr = np.asarray(values, dtype=float)
    return arr.ravel()


def _finite_or_none(value: float | None) -> float | None:
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _class_name(c: object) -> str:
    try:
        key = int(c)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return f"Class {c}"
    return SHORT_CLASS_NAMES.get(key, f"Class {key}")


def _class_scale(present: Sequence[str] | None = None) -> alt.Scale:
    """Colour scale mapping class names to their fixed colours.

    The domain is limited to the classes actually shown so the legend never lists a class that
    is not on the chart; the name->colour pairing stays fixed regardless.
    """
    names = [SHORT_CLASS_NAMES[k] for k in sorted(SHORT_CLASS_NAMES)]
    colors = [CLASS_COLORS[k] for k in sorted(SHORT_CLASS_NAMES)]
    if present is not None:
        present_set = set(present)
        keep = [i for i, n in enumerate(names) if n in present_set]
        extra = [n for n in present if n not in names]
        names = [names[i] for i in keep] + sorted(extra)
        colors = [colors[i] for i in keep] + ["#999999"] * len(extra)
    return alt.Scale(domain=names, range=colors)


def _title(text: str, subtitle: str | Sequence[str] | None = None) -> alt.TitleParams:
    if subtitle:
        return alt.TitleParams(text=text, subtitle=subtitle, anchor="start")
    return alt.TitleParams(text=text, anchor="start")


def _message(text: str) -> alt.Chart:
    """A centred text layer used when there is nothing to plot yet.

    Positioned in pixels via expressions so it does not take part in (and distort) the data
    scales of the chart it is layered onto.
    """
    return (
        alt.Chart(pd.DataFrame({"message": [text]}))
        .mark_text(fontSize=13, color="#666666")
        .encode(
            x=alt.XValue(alt.expr("width / 2")),
            y=alt.YValue(alt.expr("height / 2")),
            text=alt.Text("message:N"),
        )
    )


def _even_indices(n: int, k: int) -> np.ndarray:
    """At most ``k`` evenly spaced indices into ``range(n)``, always keeping first and last."""
    if n <= k:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, k)).astype(int))
