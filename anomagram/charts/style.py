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
* Classes are named, coloured and ordered by a ``ClassStyle``: ECG5000's by default, any
  other dataset's by ``ClassStyle.of(dataset)``.
* Titles are never cut: Vega-Lite ends a title line that does not fit the chart with "…", so
  ``_title`` breaks every line longer than ``TITLE_LINE_PX`` into several lines. Count axes
  (``_count_axis``) show whole numbers only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TypeAlias

import altair as alt
import numpy as np
import pandas as pd

from anomagram.data import ECG5000_KEY, NORMAL, SHORT_CLASS_NAMES, Dataset, distinct_names

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
OTHER_CLASS_COLOR = "#999999"  # classes beyond the palette, and codes a chart was not told of

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

# Vega-Lite cuts a title line longer than about the chart's width less 43 px with "…". Measured
# in headless Chromium with Streamlit's theme: the narrowest charts are the phone's (390 px
# viewport, 358 px chart, lines up to 315 px) and the Train page's half-width ones at 1366 px
# (389 px chart, 345 px). Width estimates are within ~1 % (see text_px), hence 310.
TITLE_LINE_PX = 310
TITLE_FONT_PX = 16  # Streamlit's theme: titles 16 px semi-bold, subtitles 12 px regular
SUBTITLE_FONT_PX = 12

# Advance widths of Streamlit's chart font (Source Sans, regular) in em, measured with canvas
# measureText in Chromium and grouped by width; semi-bold is ~3 % wider. Estimates of whole
# lines from this table are within ~3 % of the widths Chromium renders.
_EM_GROUPS = {
    " ": 0.20,
    "iljI|.,:;'·": 0.25,
    "!f()[]{}-": 0.30,
    "rt/\\": 0.35,
    'sz*?"': 0.42,
    "cxvyJFLY–_": 0.47,
    "0123456789aegk+=<>~^#$±": 0.50,
    "XVZESTA": 0.53,
    "bdhnopquCKPR": 0.55,
    "B&DG": 0.61,
    "HNOQU": 0.65,
    "wM": 0.72,
    "W—": 0.79,
    "m%@": 0.83,
    "…": 0.95,
}
_EM = {ch: em for chars, em in _EM_GROUPS.items() for ch in chars}
_EM_DEFAULT = 0.60

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


@dataclass(frozen=True)
class ClassStyle:
    """How the charts name, colour and order one dataset's classes.

    ``codes`` are the class ids in the order charts list them, ``names`` and ``colors`` go with
    them one for one, ``normal`` is the id that counts as normal and ``unit`` what one row is
    called ("beats", "windows"). ``ClassStyle.ecg5000()`` is the default of ``per_class_chart``
    and ``latent_scatter``; ``ClassStyle.of(dataset)`` describes any dataset.
    """

    codes: tuple[int, ...]
    names: tuple[str, ...]
    colors: tuple[str, ...]
    normal: int
    unit: str = "beats"

    def __post_init__(self) -> None:
        if not len(self.codes) == len(self.names) == len(self.colors):
            raise ValueError("codes, names and colors must have the same length")
        # One name per class: a legend or a row label cannot tell two equal names apart.
        if len(set(self.codes)) != len(self.codes) or len(set(self.names)) != len(self.names):
            raise ValueError("class codes and names must be unique")

    @classmethod
    def ecg5000(cls) -> ClassStyle:
        """ECG5000's five classes in id order, class 1 "Normal" in the normal colour."""
        return _ecg5000()

    @classmethod
    def of(cls, ds: Dataset) -> ClassStyle:
        """The classes of ``ds``: its normal class first in the normal colour, then the others
        from the largest to the smallest in ECG5000's abnormal colours, grey beyond those.

        ECG5000 with its own normal class keeps ``ecg5000()``: the same names and colours as
        the Introduction's charts.
        """
        if ds.key == ECG5000_KEY and ds.normal == NORMAL:
            return cls.ecg5000()
        counts = ds.counts
        others = sorted((c for c in counts if c != ds.normal), key=lambda c: (-counts[c], c))
        codes = (ds.normal, *others)
        return cls.ranked(codes, [ds.class_name(c) for c in codes], unit=ds.unit)

    @classmethod
    def ranked(cls, codes: Sequence[int], names: Sequence[str], unit: str = "beats") -> ClassStyle:
        """Classes in chart order, the first of them normal: it gets the normal colour, the
        others ECG5000's abnormal colours in turn, grey beyond those."""
        palette = [CLASS_COLORS[k] for k in sorted(CLASS_COLORS) if k != NORMAL]
        others = len(codes) - 1
        colors = [palette[i] if i < len(palette) else OTHER_CLASS_COLOR for i in range(others)]
        return cls(
            codes=tuple(codes),
            names=distinct_names(list(names)),
            colors=(NORMAL_COLOR, *colors),
            normal=codes[0],
            unit=unit,
        )

    @cached_property
    def _by_code(self) -> dict[int, str]:
        return dict(zip(self.codes, self.names, strict=True))

    def name(self, code: object) -> str:
        """The name of a class id; "Class N" for an id the style does not list."""
        try:
            key = int(code)  # type: ignore[call-overload]
        except (TypeError, ValueError, OverflowError):
            return f"Class {code}"
        return self._by_code.get(key, f"Class {key}")

    @property
    def normal_name(self) -> str:
        return self.name(self.normal)

    def scale(self, present: Sequence[str] | None = None) -> alt.Scale:
        """Colour scale mapping class names to their fixed colours.

        The domain is limited to the classes actually shown (``present``) so the legend never
        lists a class that is not on the chart; the name->colour pairing stays fixed regardless.
        Names the style does not know come last, in grey.
        """
        names, colors = list(self.names), list(self.colors)
        if present is not None:
            present_set = set(present)
            keep = [i for i, n in enumerate(names) if n in present_set]
            extra = [n for n in present if n not in names]
            names = [names[i] for i in keep] + sorted(extra)
            colors = [colors[i] for i in keep] + [OTHER_CLASS_COLOR] * len(extra)
        return alt.Scale(domain=names, range=colors)


@cache
def _ecg5000() -> ClassStyle:
    # One instance: its name lookup is built once for every chart drawn with the default.
    codes = tuple(sorted(SHORT_CLASS_NAMES))
    return ClassStyle(
        codes=codes,
        names=tuple(SHORT_CLASS_NAMES[c] for c in codes),
        colors=tuple(CLASS_COLORS[c] for c in codes),
        normal=NORMAL,
    )


def _class_name(c: object) -> str:
    """ECG5000's name of a class id (the beat charts draw ECG5000's classes only)."""
    return ClassStyle.ecg5000().name(c)


def _lower_first(name: str) -> str:
    """``name`` inside a sentence: "Normal" -> "normal", but "PVC" and "R-on-T PVC" stay."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def text_px(text: str, font_px: float, bold: bool = False) -> float:
    """Estimated rendered width of ``text`` in the charts' font, in pixels."""
    em = sum(_EM.get(ch, _EM_DEFAULT) for ch in text)
    return em * font_px * (1.03 if bold else 1.0)


def _fit_lines(text: str | Sequence[str], font_px: float, bold: bool = False) -> list[str]:
    """The lines of ``text``, each broken at spaces until it fits ``TITLE_LINE_PX``."""
    out: list[str] = []
    for line in [text] if isinstance(text, str) else list(text):
        current = ""
        for word in re.split(r"(?<= )", line):  # keeps each word's trailing space
            if current and text_px((current + word).rstrip(), font_px, bold) > TITLE_LINE_PX:
                out.append(current.rstrip())
                current = word
            else:
                current += word
        if current.strip():
            out.append(current.rstrip())
    return out


def _one_or_lines(lines: list[str]) -> str | list[str]:
    return lines[0] if len(lines) == 1 else lines


def _title(
    text: str | Sequence[str],
    subtitle: str | Sequence[str] | None = None,
    **kwargs: object,
) -> alt.TitleParams:
    """A chart title whose lines all fit (see ``TITLE_LINE_PX``); extra ``TitleParams`` pass on.

    ``fontSize`` in ``kwargs`` sets the size of the title line (panel titles use 12 px).
    """
    title_px = float(kwargs.get("fontSize", TITLE_FONT_PX))  # type: ignore[arg-type]
    params: dict[str, object] = {"anchor": "start", **kwargs}
    params["text"] = _one_or_lines(_fit_lines(text, title_px, bold=True))
    if subtitle:
        params["subtitle"] = _one_or_lines(_fit_lines(subtitle, SUBTITLE_FONT_PX))
    return alt.TitleParams(**params)


def _count_axis(**kwargs: object) -> alt.Axis:
    """Axis for counts of beats: whole numbers only (never 0.5 or 1.5 beats)."""
    return alt.Axis(format="d", tickMinStep=1, **kwargs)


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
