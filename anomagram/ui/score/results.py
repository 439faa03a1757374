"""Step 3 of the Score page: read the beats, report what could not be read, score them once per
(data, model) pair, and hand over to the threshold fragment."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

from anomagram.data import SEQ_LEN
from anomagram.ui.common.text import escape_markdown
from anomagram.ui.common.tiles import share
from anomagram.ui.score import example, logic, trained_on
from anomagram.ui.score.verdicts import results_fragment
from anomagram.upload import UploadError, parse_beats

_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar", " ": "space"}
# The last input that could be read: a file that cannot be read does not take its results away.
LAST_READ_KEY = "score_parsed_last_good"
IN_USE_KEY = "score_parsed_in_use"  # what the results below were read from


def _parse(chosen, length: int, classes) -> dict:
    """The chosen data parsed with the page's options into beats of ``length`` samples (the
    model's), labels read as ``classes`` (the model's, ``trained_on.label_classes``), cached by
    content, options, length and classes."""
    kind, name, raw = chosen
    label_col = logic.label_column(
        st.session_state["score_label_choice"], st.session_state.get("score_label_number")
    )
    znorm = bool(st.session_state["score_znorm"])
    key = (kind, logic.fingerprint(raw), label_col, znorm, length, classes)
    cached = st.session_state.get("score_parsed")
    if cached is None or cached["key"] != key:
        try:
            parsed = parse_beats(
                raw, label_column=label_col, z_normalise=znorm, n=length, classes=classes
            )
            error = None
        except UploadError as exc:
            parsed, error = None, exc
        cached = {
            "key": key,
            "name": name,
            "parsed": parsed,
            "error": error,
            "length": length,
            "classes": classes,
        }
        st.session_state["score_parsed"] = cached
        if error is None:
            st.session_state[LAST_READ_KEY] = cached
    return cached


def _rows(record, keep: np.ndarray):
    """A copy of a dataclass with only the ``keep`` rows of each of its per-beat arrays."""
    n = len(keep)
    return dataclasses.replace(
        record,
        **{
            f.name: value[keep]
            for f in dataclasses.fields(record)
            if isinstance(value := getattr(record, f.name), np.ndarray) and value.shape[:1] == (n,)
        },
    )


def _score(detector, parsed) -> tuple[logic.Scored, tuple[int, ...]]:
    """The scores of the beats the model could score, and the file lines of those it could not.

    A beat whose reconstruction error is NaN or infinite has no verdict (compared with the
    threshold, NaN would read "normal"): it is listed like a row that could not be read and
    kept out of every count, chart and metric below.
    """
    scored = logic.score(detector, parsed)
    finite = np.isfinite(scored.errors)
    if finite.all():
        return scored, ()
    unscored = tuple(int(line) for line in scored.lines[~finite])
    # Scored again without them, so the AUC and the other numbers come from logic.score alone.
    return logic.score(detector, _rows(parsed, finite)), unscored


def _report_unscored(unscored: tuple[int, ...], scored: logic.Scored) -> None:
    k = len(unscored)
    lines = ", ".join(str(line) for line in unscored[:20]) + (" …" if k > 20 else "")
    what = "beat" if k == 1 else "beats"
    st.warning(
        f"{k} {what} could not be scored (line{'s' if k > 1 else ''} {lines}): the model's "
        "reconstruction error for them is not a finite number, so they have no verdict and are "
        f"left out of the counts and the accuracy{' below' if scored.n else ''}.",
        icon="⚠️",
    )


def _rejected_table(rejected) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                "Line": [r.line for r in rejected],
                "Why it was not scored": [r.reason for r in rejected],
            }
        ),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rejected), 300),
    )


def _read_summary(parsed, name: str) -> str:
    n = len(parsed.beats)
    parts = [f"Read **{n:,}** beat{'s' if n != 1 else ''} from {name}"]
    if parsed.has_header:
        parts.append("header row skipped")
    parts.append(logic.describe_label_column(parsed.label_column))
    parts.append(f"{_DELIMITERS.get(parsed.delimiter, parsed.delimiter)}-separated")
    return " · ".join(parts)


def _report_reading(cached: dict) -> bool:
    """Say what was read and what was not; False when nothing can be scored."""
    error = cached["error"]
    if error is not None:
        st.error(escape_markdown(str(error)), icon="🚫")  # it may quote the file's cells
        if error.rejected:
            with st.expander(f"Why each of the {len(error.rejected)} rows was refused"):
                _rejected_table(error.rejected)
        return False
    parsed = cached["parsed"]
    st.markdown(_read_summary(parsed, cached["name"]))
    if parsed.rejected:
        k = len(parsed.rejected)
        st.warning(
            f"{k} row{' was' if k == 1 else 's were'} not scored (see the lines below); "
            f"the other {len(parsed.beats):,} were.",
            icon="⚠️",
        )
        with st.expander(f"Rows not scored ({k})", expanded=k <= 5):
            _rejected_table(parsed.rejected)
    if parsed.warnings:
        st.info("\n".join(f"- {escape_markdown(w)}." for w in parsed.warnings), icon="ℹ️")
    return True


def results_panel(chosen_data, chosen_model) -> None:
    st.subheader("3 · Results")
    if chosen_data is not None and chosen_data[0] == example.KIND:
        chosen_data = example.resolve(chosen_data, chosen_model)
        if chosen_data is None:
            st.info("This model has no example file (see step 1): upload or paste its beats.")
            return
    if chosen_data is None:
        st.info(
            "Upload a CSV file, paste some beats or pick the example file above: the scores "
            "appear here."
        )
        return
    # Beats are resampled to the model's length and labels read as its classes; ECG5000's
    # until a model is chosen.
    length = chosen_model[0].spec.length if chosen_model is not None else SEQ_LEN
    classes = trained_on.label_classes(chosen_model[0]) if chosen_model is not None else None
    cached = _parse(chosen_data, length, classes)
    earlier = st.session_state.get(LAST_READ_KEY)
    read_for = (length, classes)
    if earlier is not None and (earlier.get("length"), earlier.get("classes")) != read_for:
        earlier = None  # read for another model: not beats (or labels) this one can score
    if cached["error"] is not None and earlier is not None:
        # Refused, but beats read before are still worth showing: say whose results they are.
        _report_reading(cached)
        st.info(f"The results below are still those of {earlier['name']}.", icon="↩️")
        cached = earlier
    st.session_state[IN_USE_KEY] = cached
    if not _report_reading(cached):
        return
    if chosen_model is None:
        st.info("Choose a model in step 2 to score these beats.")
        return

    parsed = cached["parsed"]
    detector, model_key, model_name = chosen_model
    key = (cached["key"], model_key)
    scored_state = st.session_state.get("score_scored")
    if scored_state is None or scored_state["key"] != key:
        with st.spinner(f"Scoring {len(parsed.beats):,} beats…"):
            scored, unscored = _score(detector, parsed)
        st.session_state["score_scored"] = {
            "key": key,
            "scored": scored,
            "model": model_name,
            "unscored": unscored,
        }
    scored = st.session_state["score_scored"]["scored"]
    unscored = st.session_state["score_scored"].get("unscored", ())
    if unscored:
        _report_unscored(unscored, scored)
    if not scored.n:
        st.error("None of the beats could be scored with this model; try another model.", icon="🚫")
        return
    if logic.looks_off_scale(scored):
        st.warning(
            f"{share(scored.far_outside)} of the values are far outside the range the model was "
            "trained on, so most beats will look abnormal. If your beats are not z-normalised "
            "yet, turn on **Z-normalise each beat**.",
            icon="📏",
        )
    results_fragment()
