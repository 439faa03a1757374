"""The panels of the "Score your data" page: data in, model choice, results.

The page (pages/score.py) only lays them out. Everything is kept in session state under
``score_`` keys, so uploads, choices and results survive reruns and visits to other pages.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from anomagram import charts
from anomagram.metrics import metrics_at
from anomagram.model import MAX_MODEL_BYTES, ModelFileError
from anomagram.pretrained import PRETRAINED_SPEC
from anomagram.ui import score_logic as logic
from anomagram.ui.common import resources, state
from anomagram.ui.common.navigation import page_link
from anomagram.ui.common.tiles import confusion_caption, metric_tiles
from anomagram.upload import MAX_BYTES, MAX_ROWS, MIN_LENGTH, SEQ_LEN, UploadError, parse_beats

UPLOAD, PASTE, EXAMPLE = "📤 Upload a CSV", "📋 Paste values", "🧪 Example file"
PRETRAINED, SESSION, OWN = "pretrained", "session", "upload"
# Streamlit counts a chart's title and legend inside its height: leave room for the plot.
CHART_HEIGHT = 360
UPLOAD_MB = -(-MAX_BYTES // 1_000_000)
MODEL_MB = -(-MAX_MODEL_BYTES // 1_000_000)


def init_state() -> None:
    """Defaults for the page's widgets (set once, so no widget also gets a default value)."""
    for key, default in {
        "score_source": UPLOAD,
        "score_paste": "",
        "score_label_choice": logic.LABEL_AUTO,
        "score_label_number": 1,
        "score_znorm": True,
        "score_model_choice": PRETRAINED,
    }.items():
        st.session_state.setdefault(key, default)


@st.cache_data(show_spinner=False)
def example_text() -> str:
    return logic.example_csv(resources.ecg())


# --- callbacks ----------------------------------------------------------------------------------


def _remember(uploader_key: str, store_key: str) -> None:
    # Uploaded files vanish from the widget when the user visits another page; keeping the bytes
    # ourselves keeps the upload. Only an explicit removal (this callback with None) forgets it.
    f = st.session_state.get(uploader_key)
    if f is None:
        st.session_state.pop(store_key, None)
    else:
        st.session_state[store_key] = {"name": f.name, "data": f.getvalue(), "id": f.file_id}


def _sync_upload(f, store_key: str) -> None:
    stored = st.session_state.get(store_key)
    if f is not None and (stored is None or stored["id"] != f.file_id):
        st.session_state[store_key] = {"name": f.name, "data": f.getvalue(), "id": f.file_id}


def _use_example() -> None:
    st.session_state["score_source"] = EXAMPLE


def _forget(store_key: str) -> None:
    st.session_state.pop(store_key, None)


# --- 1 · data -----------------------------------------------------------------------------------


def data_panel() -> tuple[str, str, bytes | str] | None:
    """The chosen input as (kind, display name, raw content), or None when there is none yet."""
    st.subheader("1 · Your heartbeats")
    source = st.segmented_control(
        "Where are your beats?",
        (UPLOAD, PASTE, EXAMPLE),
        key="score_source",
        required=True,
        persist_state="session",
        label_visibility="collapsed",
    )
    chosen = None
    if source == UPLOAD:
        f = st.file_uploader(
            f"CSV file, one heartbeat per row (up to {MAX_ROWS:,} beats, {UPLOAD_MB} MB)",
            type=["csv", "txt", "tsv"],
            key="score_file",
            on_change=_remember,
            args=("score_file", "score_upload"),
            max_upload_size=UPLOAD_MB,
        )
        _sync_upload(f, "score_upload")
        stored = st.session_state.get("score_upload")
        if stored is not None:
            if f is None:
                c1, c2 = st.columns([3, 1], vertical_alignment="center")
                c1.caption(f"Using **{stored['name']}**, uploaded earlier.")
                c2.button(
                    "Forget it", key="score_forget_upload", on_click=_forget, args=("score_upload",)
                )
            chosen = ("upload", stored["name"], stored["data"])
        else:
            st.button(
                "No file at hand? Try the example file",
                key="score_try_example",
                on_click=_use_example,
            )
    elif source == PASTE:
        text = st.text_area(
            "Paste beats: one per line, values separated by commas, semicolons, tabs or spaces",
            key="score_paste",
            height=160,
            placeholder="-0.11, 0.35, 1.02, 1.64, …\n0.08, 0.41, 0.97, 1.55, …",
            persist_state="session",
        )
        st.caption("Press Ctrl+Enter or click outside the box to score what you pasted.")
        if text.strip():
            chosen = ("paste", "pasted values", text)
    else:
        example = example_text()
        counts = ", ".join(f"{n} {logic.LABEL_NAMES[c]}" for c, n in logic.EXAMPLE_CLASSES.items())
        st.markdown(
            f"{sum(logic.EXAMPLE_CLASSES.values())} ECG5000 test beats ({counts}) with their "
            f"class in the first column, plus one broken row (line {logic.EXAMPLE_BAD_LINE}) to "
            "show how problems are reported. The model never trained on these beats."
        )
        st.download_button(
            "⬇️ Download it as a template",
            data=example,
            file_name="anomagram-example.csv",
            mime="text/csv",
            key="score_example_download",
            on_click="ignore",
        )
        chosen = ("example", "the example file", example)

    c1, c2 = st.columns(2)
    with c1:
        choice = st.selectbox(
            "Label column",
            logic.LABEL_CHOICES,
            key="score_label_choice",
            persist_state="session",
            help=(
                "Optional true labels, used to check the verdicts: 1-5 for the ECG5000 classes "
                "(1 = normal), the words normal / abnormal, or 1 = normal and 0 = abnormal. "
                "Automatic detection looks at the header and at the first and last column."
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
                "ECG5000 was prepared. Leave it on unless your beats are already on that scale."
            ),
        )
    st.caption(
        "One beat per row, numbers only; a header row and a label column are optional. Beats "
        f"of any length (at least {MIN_LENGTH} values) are resampled to {SEQ_LEN} samples by "
        f"linear interpolation. Up to {MAX_ROWS:,} beats and {UPLOAD_MB} MB per file."
    )
    return chosen


# --- 2 · model ----------------------------------------------------------------------------------


def _session_model_key(detector) -> tuple:
    trainer = state.get_trainer()
    last = trainer.loss[-1] if trainer.loss else None
    return (SESSION, id(trainer), trainer.epochs_done, len(trainer.runs), last, detector.threshold)


def _uploaded_model():
    """(detector, key, name) of the uploaded model file, or None after showing why not."""
    f = st.file_uploader(
        f"A .keras file saved by Anomagram (up to {MODEL_MB} MB)",
        type=["keras"],
        key="score_model_file",
        on_change=_remember,
        args=("score_model_file", "score_model_upload"),
        max_upload_size=MODEL_MB,
    )
    _sync_upload(f, "score_model_upload")
    stored = st.session_state.get("score_model_upload")
    if stored is None:
        st.info(
            "Upload a model exported from this app (Train page or below) or from "
            "`python -m anomagram train --save`. Files are checked before anything in them runs."
        )
        return None
    loaded = st.session_state.get("score_model_loaded")
    if loaded is None or loaded["id"] != stored["id"]:
        with st.spinner(f"Checking and loading {stored['name']}…"):
            try:
                detector, error = logic.load_uploaded_model(stored["name"], stored["data"]), None
            except ModelFileError as exc:
                detector, error = None, str(exc)
        loaded = {"id": stored["id"], "detector": detector, "error": error}
        st.session_state["score_model_loaded"] = loaded
    if f is None:
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        c1.caption(f"Using **{stored['name']}**, uploaded earlier.")
        c2.button(
            "Forget it", key="score_forget_model", on_click=_forget, args=("score_model_upload",)
        )
    if loaded["error"]:
        st.error(f"This model cannot be used. {loaded['error']}", icon="🚫")
        return None
    return loaded["detector"], (OWN, stored["id"]), stored["name"]


def _describe(detector, name: str) -> str:
    info = detector.info or {}
    parts = [f"**{name}**: {detector.spec.describe()}"]
    if info.get("epochs"):
        parts.append(f"trained {info['epochs']} epochs on {detector.spec.train_size:,} beats")
    if isinstance(info.get("auc"), int | float):
        parts.append(f"test AUC {info['auc']:.3f}")
    strategy = str(info.get("threshold_strategy", "")).replace("_", " ")
    parts.append(f"threshold {detector.threshold:.5g}" + (f" ({strategy})" if strategy else ""))
    return " · ".join(parts)


def model_panel():
    """(detector, key, name) of the chosen model, or None."""
    st.subheader("2 · Model")
    session_detector = state.session_detector()
    names = {
        PRETRAINED: "Pretrained model",
        SESSION: "Model trained in this session" + ("" if session_detector else " (none yet)"),
        OWN: "Upload a .keras model file",
    }
    choice = st.radio(
        "Score with",
        (PRETRAINED, SESSION, OWN),
        format_func=names.get,
        key="score_model_choice",
        persist_state="session",
        captions=(
            f"Ships with the app: trained on {PRETRAINED_SPEC.train_size:,} normal ECG5000 beats.",
            "From the Train page." if session_detector else "Train one on the Train page first.",
            "Saved by this app or its command line.",
        ),
    )
    chosen = None
    if choice == PRETRAINED:
        chosen = resources.pretrained(), (PRETRAINED,), "Pretrained model"
    elif choice == SESSION:
        if session_detector is None:
            st.info(
                "No model has been trained in this session yet. Train one on the "
                "**Train a model** page; it will then be offered here.",
                icon="🔒",
            )
            page_link("pages/train.py", "Go to the Train page", "🏋️")
        else:
            key = _session_model_key(session_detector)
            chosen = session_detector, key, "Model trained in this session"
    else:
        chosen = _uploaded_model()
    if chosen is not None:
        detector, _, name = chosen
        st.caption(_describe(detector, name))
        file_name = (
            "anomagram-pretrained.keras" if choice == PRETRAINED else "anomagram-model.keras"
        )
        if choice == OWN:
            file_name = logic.safe_file_name(name)
        st.download_button(
            "⬇️ Download this model (.keras)",
            data=lambda: logic.detector_bytes(detector),
            file_name=file_name,
            mime="application/octet-stream",
            key="score_model_download",
            on_click="ignore",
            help="Keras model plus Anomagram's scaler and threshold, in one file.",
        )
    return chosen


# --- 3 · results --------------------------------------------------------------------------------


def _parse(chosen) -> dict:
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
    parts = [
        f"Read **{len(parsed.beats):,}** beat{'s' if len(parsed.beats) != 1 else ''} from {name}"
    ]
    if parsed.has_header:
        parts.append("header row skipped")
    parts.append(logic.describe_label_column(parsed.label_column))
    delimiter = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar", " ": "space"}
    parts.append(f"{delimiter.get(parsed.delimiter, parsed.delimiter)}-separated")
    return " · ".join(parts)


def _with_legend_title(chart, title: str):
    # error_histogram names its colours "True label"; without labels they are the verdicts.
    for layer in chart.layer:
        encoding = layer.encoding
        if encoding is not alt.Undefined and encoding.color is not alt.Undefined:
            encoding.color.title = title
    return chart


def results_panel(chosen_data, chosen_model) -> None:
    st.subheader("3 · Results")
    if chosen_data is None:
        st.info(
            "Upload a CSV file, paste some beats or pick the example file above: the scores "
            "appear here."
        )
        return
    cached = _parse(chosen_data)
    if cached["error"] is not None:
        error = cached["error"]
        st.error(str(error), icon="🚫")
        if error.rejected:
            with st.expander(f"Why each of the {len(error.rejected)} rows was refused"):
                _rejected_table(error.rejected)
        return
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
    if chosen_model is None:
        st.info("Choose a model in step 2 to score these beats.")
        return

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
            f"{scored.far_outside:.0%} of the values are far outside the range the model was "
            "trained on, so most beats will look abnormal. If your beats are not z-normalised "
            "yet, turn on **Z-normalise each beat**.",
            icon="📏",
        )
    results_fragment()


def _reset_threshold() -> None:
    st.session_state["score_threshold"] = st.session_state["score_scored"]["scored"].model_threshold


def _table_key() -> str:
    # A new table per result: a row selected in the previous result must not carry over.
    return f"score_table_{st.session_state.get('score_result_no', 0)}"


def _selected_index(scored: logic.Scored) -> int | None:
    """The row the user picked in the table, remembered across pages by its file line."""
    widget = st.session_state.get(_table_key())
    if widget is not None:
        rows = widget["selection"]["rows"]
        if rows and rows[0] < scored.n:
            st.session_state["score_selected_line"] = int(scored.lines[rows[0]])
        else:
            st.session_state.pop("score_selected_line", None)
    line = st.session_state.get("score_selected_line")
    if line is None:
        return None
    hits = np.flatnonzero(scored.lines == line)
    return int(hits[0]) if hits.size else None


@st.fragment
def results_fragment() -> None:
    current = st.session_state["score_scored"]
    scored: logic.Scored = current["scored"]
    hi, step, number_format = logic.slider_range(scored)
    if st.session_state.get("score_threshold_for") != current["key"]:
        st.session_state["score_threshold"] = min(scored.model_threshold, hi)
        st.session_state["score_threshold_for"] = current["key"]
        st.session_state["score_result_no"] = st.session_state.get("score_result_no", 0) + 1
        st.session_state.pop("score_selected_line", None)
    st.session_state["score_threshold"] = min(
        max(float(st.session_state["score_threshold"]), 0.0), hi
    )

    c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
    threshold = c1.slider(
        "Threshold: a beat whose reconstruction error is above it is flagged abnormal",
        min_value=0.0,
        max_value=hi,
        step=step,
        format=number_format,
        key="score_threshold",
        persist_state="session",
        help="Moving it only re-labels the beats; nothing is scored again.",
    )
    c2.button(
        "↺ Reset",
        key="score_reset_threshold",
        help=f"Back to the model's own threshold, {scored.model_threshold:.5g}.",
        on_click=_reset_threshold,
        disabled=abs(threshold - scored.model_threshold) < step / 2,
        width="stretch",
    )

    flagged = logic.verdicts(scored.errors, threshold)
    summary = logic.label_summary(scored, threshold)
    rejected = len(st.session_state["score_parsed"]["parsed"].rejected)
    cols = st.columns(4)
    cols[0].metric("Beats scored", f"{scored.n:,}")
    cols[1].metric(
        "Flagged abnormal",
        f"{int(flagged.sum()):,}",
        f"{flagged.mean():.0%} of the beats" if scored.n else None,
        delta_color="off",
        delta_arrow="off",
    )
    cols[2].metric("Rows not scored", f"{rejected:,}", help="Listed above, with the reason.")
    own = abs(threshold - scored.model_threshold) < step / 2
    cols[3].metric(
        "Threshold",
        f"{threshold:.4g}",
        "the model's own" if own else f"model's own: {scored.model_threshold:.4g}",
        delta_color="off",
        delta_arrow="off",
        help=f"Scored with: {current['model']}.",
    )

    if summary is not None:
        known = scored.labelled()
        left, right = st.columns(2, gap="large")
        with left:
            st.altair_chart(
                charts.error_histogram(
                    scored.errors[known],
                    scored.is_abnormal()[known],
                    threshold=threshold,
                    title="Reconstruction error of your labelled beats",
                ),
                width="stretch",
                key="score_hist",
                height=CHART_HEIGHT,
            )
            st.caption(
                "Each bar counts beats with a similar error, coloured by their label. Everything "
                "right of the dashed line is flagged abnormal."
            )
        with right:
            st.altair_chart(
                charts.per_class_chart(summary.per_class, summary.class_counts),
                width="stretch",
                key="score_per_class",
                height=CHART_HEIGHT,
            )
            notes = []
            if summary.abnormal_no_class:
                notes.append(
                    f'{summary.abnormal_no_class} beats labelled only "abnormal" count in the '
                    "metrics below but have no class bar."
                )
            if summary.unknown:
                notes.append(f"{summary.unknown} beats without a readable label are left out.")
            if notes:
                st.caption(" ".join(notes))

        st.markdown(
            f"**How the verdicts compare with your labels** ({summary.count:,} labelled beats)"
        )
        previous = None
        if abs(threshold - scored.model_threshold) >= step / 2:
            previous = metrics_at(
                scored.is_abnormal()[known], scored.errors[known], scored.model_threshold
            )
        metric_tiles(summary.metrics, summary.auc, previous=previous)
        caption = confusion_caption(summary.metrics)
        if previous is not None:
            caption += " · the small numbers compare with the model's own threshold"
        st.caption(caption)
    else:
        st.altair_chart(
            _with_legend_title(
                charts.error_histogram(
                    scored.errors,
                    flagged,
                    threshold=threshold,
                    title="Reconstruction error of your beats",
                ),
                "Verdict",
            ),
            width="stretch",
            key="score_hist",
            height=CHART_HEIGHT,
        )
        st.caption(
            "Each bar counts beats with a similar error, coloured by verdict. Everything right "
            "of the dashed line is flagged abnormal: move the threshold to see the verdicts "
            "change. Add a label column (1 = normal, 2-5 = abnormal classes, or normal / "
            "abnormal) to also see accuracy, precision, recall and which classes get caught."
        )

    st.markdown("**Beat by beat**")
    index = _selected_index(scored)
    left, right = st.columns([6, 5], gap="large")
    with left:
        st.dataframe(
            logic.results_table(scored, threshold),
            key=_table_key(),
            on_select="rerun",
            selection_mode="single-row",
            selection_default={"selection": {"rows": [index]}} if index is not None else None,
            hide_index=True,
            width="stretch",
            height="auto" if scored.n <= 10 else CHART_HEIGHT,
            column_config={
                "Line": st.column_config.NumberColumn(
                    "Line", help="Line in your file", format="%d", width=60
                ),
                "Error": st.column_config.ProgressColumn(
                    "Error",
                    help="Reconstruction error (mean squared error, scaled units)",
                    format="%.5f",
                    min_value=0.0,
                    max_value=hi,
                    width=140,
                ),
                "Verdict": st.column_config.TextColumn("Verdict", width=100),
                "Matches label": st.column_config.TextColumn(
                    "Match", help="Does the verdict agree with your label?", width=60
                ),
            },
        )
        st.caption("Click a row to see that beat; click a column header to sort.")
    with right:
        finite = np.where(np.isfinite(scored.errors), scored.errors, -np.inf)
        shown = index if index is not None else int(np.argmax(finite))
        verdict = "flagged abnormal" if flagged[shown] else "normal"
        line, error = int(scored.lines[shown]), scored.errors[shown]
        st.altair_chart(
            charts.beat_chart(
                scored.scaled[shown],
                scored.recon[shown],
                title=f"Line {line}: {verdict} (error {error:.5f})",
                y_title=charts.SCALED_AMPLITUDE,
            ),
            width="stretch",
            key="score_beat",
            height=CHART_HEIGHT,
        )
        if index is None:
            st.caption(
                "Showing the beat with the largest error; click a row of the table to pick another."
            )
        else:
            st.caption("Black: your beat as the model sees it. Orange: the model's reconstruction.")

    st.download_button(
        "⬇️ Download the scores (CSV)",
        data=lambda: logic.scores_csv_text(scored, threshold),
        file_name="anomagram-scores.csv",
        mime="text/csv",
        key="score_download",
        on_click="ignore",
        type="primary",
        help="One row per scored beat: file line, error, verdict at this threshold, and label.",
    )
