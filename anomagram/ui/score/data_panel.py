"""Step 1 of the Score page: the heartbeats to score (upload, paste or the example file) and
how to read them."""

from __future__ import annotations

import streamlit as st

from anomagram.data import SEQ_LEN
from anomagram.ui.common.text import escape_markdown
from anomagram.ui.common.uploads import widget_mb
from anomagram.ui.score import example, logic
from anomagram.ui.score.state import (
    EXAMPLE,
    PASTE,
    UPLOAD,
    forget_button,
    remember_upload,
    show_refused,
    sync_upload,
)
from anomagram.upload import MAX_BYTES, MAX_ROWS, MIN_LENGTH

UPLOAD_MB = -(-MAX_BYTES // 1_000_000)


def _use_example() -> None:
    st.session_state["score_source"] = EXAMPLE


def _uploaded():
    f = st.file_uploader(
        f"CSV file, one heartbeat per row (up to {MAX_ROWS:,} beats, {UPLOAD_MB} MB)",
        type=["csv", "txt", "tsv"],
        key="score_file",
        on_change=remember_upload,
        args=("score_file", "score_upload", logic.upload_too_large),
        max_upload_size=widget_mb(MAX_BYTES),
    )
    stored, refused = sync_upload(f, "score_upload", logic.upload_too_large)
    show_refused(refused, stored, "The results below are still those of {}.")
    if stored is None:
        st.button(
            "No file at hand? Try the example file", key="score_try_example", on_click=_use_example
        )
        return None
    if f is None or refused is not None:
        forget_button(stored, "score_upload", "score_forget_upload")
    # The display name is shown as markdown further down: escaped here, once.
    return "upload", escape_markdown(stored["name"]), stored["data"]


def _pasted():
    text = st.text_area(
        "Paste beats: one per line, values separated by commas, semicolons, tabs or spaces",
        key="score_paste",
        height=160,
        placeholder="-0.11, 0.35, 1.02, 1.64, …\n0.08, 0.41, 0.97, 1.55, …",
        persist_state="session",
    )
    st.caption("Press Ctrl+Enter or click outside the box to score what you pasted.")
    return ("paste", "pasted values", text) if text.strip() else None


def _reading_options() -> None:
    c1, c2 = st.columns(2)
    with c1:
        choice = st.selectbox(
            "Label column",
            logic.LABEL_CHOICES,
            key="score_label_choice",
            persist_state="session",
            help=(
                "Optional true labels, used to check the verdicts, as the model's data wrote "
                "them (step 2 says how they are read): for ECG5000's models 1-5 for its classes "
                "(1 = normal), or 1 = normal and 0 = abnormal; for a model of another dataset, "
                "that dataset's labels (-1 / 1 for ECG200) or class names. The words normal / "
                "abnormal work for every model. Automatic detection looks at the header and at "
                "the first and last column."
            ),
        )
        if choice == logic.LABEL_NUMBER:
            st.number_input(
                "Column number (1 = first column)",
                min_value=1,
                max_value=100_000,
                step=1,
                key="score_label_number",
                persist_state="session",
            )
    with c2:
        st.toggle(
            "Z-normalise each beat",
            key="score_znorm",
            persist_state="session",
            help=(
                "Subtract each beat's mean and divide by its standard deviation, which is how "
                "ECG5000 and the other built-in datasets were prepared. It follows the model "
                "chosen in step 2: on when its training beats were z-normalised, off for a "
                "model of a CSV taken as it was. Turn it if your beats are already on the "
                "model's scale, or not."
            ),
        )


def data_panel() -> tuple[str, str, object] | None:
    """The chosen input as (kind, display name as markdown, raw content), or None if none yet.

    The example file depends on the model (step 2): its raw content is a place on the page,
    filled by ``example.resolve`` once the model is known."""
    st.subheader("1 · Your heartbeats")
    source = st.segmented_control(
        "Where are your beats?",
        (UPLOAD, PASTE, EXAMPLE),
        key="score_source",
        required=True,
        persist_state="session",
        label_visibility="collapsed",
    )
    chosen = {UPLOAD: _uploaded, PASTE: _pasted}.get(source, example.place)()
    _reading_options()
    st.caption(
        "One beat per row, numbers only; a header row and a label column are optional. Beats "
        f"of any length (at least {MIN_LENGTH} values) are resampled to the model's beat length "
        f"(step 2; {SEQ_LEN} samples for ECG5000 models) by linear interpolation. Up to "
        f"{MAX_ROWS:,} beats and {UPLOAD_MB} MB per file."
    )
    return chosen
