"""Step 3 of the Score page: read the beats, report what could not be read, score them once per
(data, model) pair, and hand over to the threshold fragment."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from anomagram.ui.common.tiles import share
from anomagram.ui.score import logic
from anomagram.ui.score.verdicts import results_fragment
from anomagram.upload import UploadError, parse_beats

_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar", " ": "space"}


def _parse(chosen) -> dict:
    """The chosen data parsed with the page's options, cached by content and options."""
    kind, name, raw = chosen
    label_col = logic.label_column(
        st.session_state["score_label_choice"], st.session_state.get("score_label_number")
    )
    znorm = bool(st.session_state["score_znorm"])
    key = (kind, logic.fingerprint(raw), label_col, znorm)
    cached = st.session_state.get("score_parsed")
    if cached is None or cached["key"] != key:
        try:
            parsed, error = parse_beats(raw, label_column=label_col, z_normalise=znorm), None
        except UploadError as exc:
            parsed, error = None, exc
        cached = {"key": key, "name": name, "parsed": parsed, "error": error}
        st.session_state["score_parsed"] = cached
    return cached


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
        st.error(str(error), icon="🚫")
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
        st.info("\n".join(f"- {w}." for w in parsed.warnings), icon="ℹ️")
    return True


def results_panel(chosen_data, chosen_model) -> None:
    st.subheader("3 · Results")
    if chosen_data is None:
        st.info(
            "Upload a CSV file, paste some beats or pick the example file above: the scores "
            "appear here."
        )
        return
    cached = _parse(chosen_data)
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
            scored = logic.score(detector, parsed)
        st.session_state["score_scored"] = {"key": key, "scored": scored, "model": model_name}
    scored = st.session_state["score_scored"]["scored"]
    if logic.looks_off_scale(scored):
        st.warning(
            f"{share(scored.far_outside)} of the values are far outside the range the model was "
            "trained on, so most beats will look abnormal. If your beats are not z-normalised "
            "yet, turn on **Z-normalise each beat**.",
            icon="📏",
        )
    results_fragment()
