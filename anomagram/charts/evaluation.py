"""Summaries of a model: the confusion matrix, the share flagged per class, the leaderboard."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from anomagram.charts.style import (
    BASELINE_COLOR,
    MODEL_COLOR,
    TEXT_COLOR,
    AnyChart,
    ClassStyle,
    _finite_or_none,
    _lower_first,
    _title,
)

_ROW_PX = 36  # per class row of ``per_class_chart``: a 12 px label and the bar, with air


def confusion_matrix_chart(tp: int, fp: int, tn: int, fn: int) -> AnyChart:
    """2x2 confusion matrix: rows are the true label, columns the model's prediction."""
    counts = {"tp": tp, "fp": fp, "tn": tn, "fn": fn}
    for key, value in counts.items():
        if value is None or not math.isfinite(float(value)) or float(value) < 0:
            raise ValueError(f"{key} must be a non-negative count, got {value!r}")
    tp, fp, tn, fn = (int(counts[k]) for k in ("tp", "fp", "tn", "fn"))
    n_normal, n_abnormal = tn + fp, tp + fn
    cells = [
        ("Normal", "Normal", tn, "Correctly passed", n_normal),
        ("Normal", "Abnormal", fp, "False alarm", n_normal),
        ("Abnormal", "Normal", fn, "Missed", n_abnormal),
        ("Abnormal", "Abnormal", tp, "Caught", n_abnormal),
    ]
    peak = max(tp, fp, tn, fn, 1)
    rows = []
    for true, pred, count, meaning, row_total in cells:
        share = count / row_total if row_total else None
        rows.append(
            {
                "true": true,
                "pred": pred,
                "count": count,
                "meaning": meaning,
                "share": share,
                # Its own line under the outcome: one line of both overflows a phone's cell.
                "detail": f"{100 * share:.1f} % of {true.lower()}" if share is not None else "",
                # Dark cells need light text; decided here so no conditional spec is needed.
                "ink": "white" if count > 0.5 * peak else TEXT_COLOR,
            }
        )
    df = pd.DataFrame(rows)
    order = ["Normal", "Abnormal"]
    base = alt.Chart().encode(
        x=alt.X(
            "pred:N",
            sort=order,
            title="Predicted by the model",
            axis=alt.Axis(orient="top", labelAngle=0),
        ),
        y=alt.Y("true:N", sort=order, title="True label"),
        tooltip=[
            alt.Tooltip("true:N", title="True label"),
            alt.Tooltip("pred:N", title="Predicted"),
            alt.Tooltip("meaning:N", title="Outcome"),
            alt.Tooltip("count:Q", title="Beats"),
            alt.Tooltip("share:Q", title="Share of true label", format=".1%"),
        ],
    )
    heat = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "count:Q",
            title="Beats",
            scale=alt.Scale(scheme="blues", domain=[0, peak]),
            legend=None,
        )
    )
    ink = alt.Color("ink:N", scale=None)
    number = base.mark_text(fontSize=22, fontWeight="bold", dy=-12).encode(
        text=alt.Text("count:Q"), color=ink
    )
    words = base.mark_text(fontSize=11, dy=9).encode(text=alt.Text("meaning:N"), color=ink)
    share_text = base.mark_text(fontSize=10, dy=22).encode(text=alt.Text("detail:N"), color=ink)
    total = tp + fp + tn + fn
    # Counts and ink colours are different scales; sharing one breaks Vega's rendering.
    return (
        alt.layer(heat, number, words, share_text, data=df)
        .resolve_scale(color="independent")
        .properties(
            title=_title("Confusion matrix of test beats", f"{total} beats; darker = more beats"),
            height=290,  # three lines of text per cell need ~60 px cells
        )
    )


def per_class_chart(
    rates: Mapping[int, float | None],
    counts: Mapping[int, int] | None = None,
    classes: ClassStyle | None = None,
) -> AnyChart:
    """Share of each true class flagged as abnormal.

    ``rates`` are fractions in [0, 1]. If any value exceeds 1 the mapping is taken to be in
    percent already, so both conventions render the same. ``classes`` names, colours and
    orders the rows (default ECG5000's); a class id it does not list comes last as "Class N".
    """
    classes = classes or ClassStyle.ecg5000()
    unit = classes.unit
    # Keys may arrive as numpy ints or strings (e.g. from JSON); normalise to int.
    rates = {int(k): v for k, v in rates.items()}
    counts = None if counts is None else {int(k): v for k, v in counts.items()}
    codes = [*classes.codes, *sorted(set(rates) - set(classes.codes))]
    raw = {c: _finite_or_none(rates.get(c)) for c in codes}
    finite_vals = [v for v in raw.values() if v is not None]
    factor = 1.0 if finite_vals and max(finite_vals) > 1.0 else 100.0
    normal_rows = f"{_lower_first(classes.normal_name)} {unit}"
    rows = []
    for c in codes:
        n = None if counts is None else counts.get(c)
        rate = raw[c]
        if n is not None and int(n) == 0:
            rate = None
        pct = None if rate is None else min(max(rate * factor, 0.0), 100.0)
        name = classes.name(c)
        if c == classes.normal:
            meaning = f"False alarm rate: {normal_rows} wrongly flagged (lower is better)"
            label = f"no {unit}" if pct is None else f"{pct:.1f} % false alarms"
        else:
            meaning = f"Detection rate: abnormal {unit} correctly flagged (higher is better)"
            label = f"no {unit}" if pct is None else f"{pct:.1f} % caught"
        if pct is not None and n is not None:
            label += f" (of {int(n)})"
        rows.append(
            {
                "class": name,
                "pct": pct,
                "pos": 0.0 if pct is None else pct,
                "label": label,
                "meaning": meaning,
                "beats": None if n is None else int(n),
                "inside": pct is not None and pct > 55,
            }
        )
    df = pd.DataFrame(rows)
    names = [r["class"] for r in rows]
    # Every class keeps its row label whatever height the page gives the chart: Streamlit's
    # theme hides labels it thinks overlap, which dropped two of the five rows at ~30 px a row.
    y_enc = alt.Y(
        "class:N", sort=names, title="True class", axis=alt.Axis(labelOverlap=False, labelLimit=0)
    )
    x_enc = alt.X(
        "pos:Q",
        title=f"Flagged abnormal (% of the class's {unit})",
        scale=alt.Scale(domain=[0, 100]),
    )
    tooltip = [
        alt.Tooltip("class:N", title="Class"),
        alt.Tooltip("pct:Q", title="Flagged as abnormal (%)", format=".1f"),
        alt.Tooltip("beats:Q", title=f"Test {unit}"),
        alt.Tooltip("meaning:N", title="What the bar means"),
    ]
    base = alt.Chart()
    bars = (
        base.transform_filter("isValid(datum.pct)")
        .mark_bar(height={"band": 0.7})
        .encode(
            x=x_enc,
            y=y_enc,
            color=alt.Color("class:N", scale=classes.scale(names), legend=None),
            tooltip=tooltip,
        )
    )
    # Labels sit outside short bars and inside long ones so they never run off the 100% edge.
    outside = (
        base.transform_filter("!datum.inside")
        .mark_text(align="left", dx=4, color=TEXT_COLOR)
        .encode(x=x_enc, y=y_enc, text=alt.Text("label:N"), tooltip=tooltip)
    )
    inside = (
        base.transform_filter("datum.inside")
        .mark_text(align="right", dx=-4, color="white", fontWeight="bold")
        .encode(x=x_enc, y=y_enc, text=alt.Text("label:N"), tooltip=tooltip)
    )
    return alt.layer(bars, outside, inside, data=df).properties(
        title=_title(
            f"Which {unit} get flagged, by class",
            [
                f"{classes.normal_name} row: false alarms (want low).",
                f"Other rows: abnormal {unit} caught (want high).",
            ],
        ),
        # A height per row (not in total) keeps the rows readable; a page may still fix the
        # total with ``to_vega(chart, height)``.
        height=alt.Step(_ROW_PX),
    )


_LEADER_ROW_PX = 30


def leaderboard_chart(rows: Sequence, notes: Mapping[str, str] | None = None) -> AnyChart:
    """AUC of the autoencoder and each classic detector, best first, one dot per model.

    ``rows`` are ``anomagram.baselines.Row``s (or mappings with the same fields: ``name``,
    ``auc``, ``seconds``, ``is_autoencoder``), already in leaderboard order. A row whose AUC is
    not known yet shows its note instead (``notes`` by name, e.g. "still fitting"). Dots, not bars:
    the AUCs differ in the second decimal, so the axis starts near the lowest one, and a bar
    cut off at that start would exaggerate the gaps.
    """
    notes = dict(notes or {})
    records = []
    for i, row in enumerate(rows):
        get = row.get if isinstance(row, Mapping) else lambda k, r=row: getattr(r, k)
        name, auc = str(get("name")), _finite_or_none(get("auc"))
        seconds = _finite_or_none(get("seconds"))
        ae = bool(get("is_autoencoder"))
        label = f"{auc:.3f}" if auc is not None else notes.get(name, "no AUC")
        records.append(
            {
                "order": i,
                "name": name,
                "auc": auc,
                "label": label,
                "seconds": seconds,
                "model": "Autoencoder" if ae else "Classic detector",
            }
        )
    df = pd.DataFrame(records, columns=["order", "name", "auc", "label", "seconds", "model"])
    known = [r["auc"] for r in records if r["auc"] is not None]
    # Whole hundredths below the lowest AUC, so the gaps read at a glance; never past 1.
    low = math.floor((min(known) - 0.01) * 100) / 100 if known else 0.5
    low = min(max(low, 0.0), 0.99)
    df["at"] = [low if r["auc"] is None else r["auc"] for r in records]
    names = [r["name"] for r in records]
    y_enc = alt.Y(
        "name:N",
        sort=names,
        title=None,
        axis=alt.Axis(
            labelLimit=0,
            labelFontWeight=alt.ExprRef("datum.value == 'Autoencoder' ? 'bold' : 'normal'"),
        ),
    )
    x_enc = alt.X(
        "at:Q",
        title="AUC on this split's test beats (1 = perfect)",
        scale=alt.Scale(domain=[low, 1.0], nice=False),
        axis=alt.Axis(format=".2f", tickCount=5),
    )
    tooltip = [
        alt.Tooltip("name:N", title="Model"),
        alt.Tooltip("auc:Q", title="AUC", format=".3f"),
        alt.Tooltip("seconds:Q", title="Seconds to fit", format=".2f"),
    ]
    color = alt.Color(
        "model:N",
        title=None,
        scale=alt.Scale(
            domain=["Autoencoder", "Classic detector"], range=[MODEL_COLOR, BASELINE_COLOR]
        ),
        legend=None,
    )
    base = alt.Chart()
    dots = (
        base.transform_filter("isValid(datum.auc)")
        .mark_circle(opacity=1)
        .encode(
            x=x_enc,
            y=y_enc,
            color=color,
            size=alt.Size(
                "model:N",
                scale=alt.Scale(domain=["Autoencoder", "Classic detector"], range=[200, 90]),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    labels = base.mark_text(align="left", dx=10, color=TEXT_COLOR).encode(
        x=x_enc, y=y_enc, text=alt.Text("label:N"), tooltip=tooltip
    )
    return alt.layer(dots, labels, data=df).properties(
        title=_title(
            "Leaderboard: AUC on the same split",
            "Blue: the autoencoder. Grey: classic detectors fitted on the same training beats.",
        ),
        height=alt.Step(_LEADER_ROW_PX),
    )
