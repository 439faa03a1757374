"""Step 2 of the Score page: the model to score with (pretrained, trained in this session, or an
uploaded .keras file), described and offered for download."""

from __future__ import annotations

import dataclasses
import math

import streamlit as st

from anomagram import sources
from anomagram.model import MAX_MODEL_BYTES, ModelFileError
from anomagram.pretrained import PRETRAINED_SPEC
from anomagram.ui.common import resources, state
from anomagram.ui.common.navigation import page_link
from anomagram.ui.common.text import escape_markdown, user_text
from anomagram.ui.common.uploads import widget_mb
from anomagram.ui.score import logic, trained_on
from anomagram.ui.score.state import (
    OWN,
    PRETRAINED,
    SESSION,
    ZNORM_FOR,
    ZNORM_PENDING,
    forget_button,
    remember_upload,
    show_refused,
    sync_upload,
)

MODEL_MB = -(-MAX_MODEL_BYTES // 1_000_000)
# The last uploaded model that loaded, kept while a later file is refused.
LAST_GOOD_KEY = "score_model_last_good"


def _session_model_key(detector) -> tuple:
    # Changes whenever the Train page trains on or moves the threshold, so the beats are
    # scored again with the model as it is now.
    trainer = state.get_trainer()
    last = trainer.loss[-1] if trainer.loss else None
    return (SESSION, id(trainer), trainer.epochs_done, len(trainer.runs), last, detector.threshold)


def _load(stored: dict) -> dict:
    """The uploaded model loaded once per file: {"id", "detector", "error"}."""
    loaded = st.session_state.get("score_model_loaded")
    if loaded is None or loaded["id"] != stored["id"]:
        with st.spinner(f"Checking and loading {escape_markdown(stored['name'])}…"):
            try:
                detector, error = logic.load_uploaded_model(stored["name"], stored["data"]), None
            except ModelFileError as exc:
                detector, error = None, str(exc)
        loaded = {"id": stored["id"], "detector": detector, "error": error}
        st.session_state["score_model_loaded"] = loaded
    return loaded


def _uploaded_model():
    """(detector, key, name) of the uploaded model file, or None after showing why not."""
    f = st.file_uploader(
        f"A .keras file saved by Anomagram (up to {MODEL_MB} MB)",
        type=["keras"],
        key="score_model_file",
        on_change=remember_upload,
        args=("score_model_file", "score_model_upload", logic.model_too_large),
        max_upload_size=widget_mb(MAX_MODEL_BYTES),
    )
    stored, refused = sync_upload(f, "score_model_upload", logic.model_too_large)
    show_refused(refused, stored, "Still scoring with {}.")
    if stored is None:
        if refused is None:
            st.info(
                "Upload a model exported from this app (Train page or below) or from "
                "`python -m anomagram train --save`. Files are checked before anything in them "
                "runs."
            )
        return None
    loaded = _load(stored)
    if f is None or refused is not None:
        forget_button(stored, "score_model_upload", "score_forget_model")
    earlier = st.session_state.get(LAST_GOOD_KEY)
    if loaded["error"]:
        message = f"This model cannot be used. {loaded['error']}"
        if earlier is not None:
            # A refused file does not take away the model that was scoring the beats.
            message += f" Still scoring with {earlier['name']}."
        st.error(escape_markdown(message), icon="🚫")
        return None if earlier is None else earlier["chosen"]
    chosen = loaded["detector"], (OWN, stored["id"]), stored["name"]
    st.session_state[LAST_GOOD_KEY] = {"name": stored["name"], "chosen": chosen}
    return chosen


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _describe(detector, name: str) -> str:
    """One markdown line about the model; ``name`` is already escaped. ``info`` comes from the
    file, so only numbers are shown as numbers and the strategy is escaped."""
    info = detector.info or {}
    parts = [f"**{name}**: {detector.spec.describe()}"]
    if _number(info.get("epochs")) and info["epochs"] > 0:
        # Files from before train_rows was recorded trained on the spec's size (ECG5000).
        rows = info["train_rows"] if _number(info.get("train_rows")) else detector.spec.train_size
        unit = "windows" if detector.spec.dataset.startswith("csv:") else "beats"
        parts.append(f"trained {info['epochs']:g} epochs on {rows:,g} {unit}")
    if _number(info.get("auc")):
        parts.append(f"test AUC {info['auc']:.3f}")
    strategy = user_text(str(info.get("threshold_strategy", "")).replace("_", " "))
    parts.append(f"threshold {detector.threshold:.5g}" + (f" ({strategy})" if strategy else ""))
    return " · ".join(parts)


MAX_CLASSES_SHOWN = 8


def _classes(trained: trained_on.TrainedOn) -> str:
    parts = []
    for label, name, rows in trained.classes[:MAX_CLASSES_SHOWN]:
        shown = (
            user_text(name)
            if name == f"Class {label}"
            else f"{user_text(name)} ({user_text(label)})"
        )
        if label == trained.normal_class:
            shown += ", normal"
        parts.append(shown + (f": {rows:,}" if rows is not None else ""))
    more = len(trained.classes) - MAX_CLASSES_SHOWN
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def trained_on_text(trained: trained_on.TrainedOn) -> str:
    """Which data the model learned from, in one markdown line (its texts come from a file)."""
    text = f"Trained on **{user_text(trained.name)}**: {trained.length} samples per beat"
    if trained.rows:
        text += f" · {trained.rows:,} rows"
    if not trained.labelled:
        text += " · no labels (every training row counted as normal)"
    elif trained.classes:
        text += f" · classes: {_classes(trained)}"
    elif trained.normal_class:
        text += f" · normal class {user_text(trained.normal_class)}"
    if not trained.known:
        text += " · the file names this data but does not describe it"
    return text + "."


def _with_session_data(detector):
    """The session's model with what it was trained on (and its class names), when the model
    does not say: the trainer still holds the data."""
    if detector.dataset is not None and "class_names" in detector.dataset:
        return detector
    trainer = state.get_trainer()
    data = getattr(getattr(trainer, "prepared", None), "dataset", None)
    if data is None:
        return detector
    block = {**sources.describe(data), **(detector.dataset or {})}
    return dataclasses.replace(detector, dataset=block)


def _session_model(detector):
    if detector is None:
        st.info(
            "No model has been trained in this session yet. Train one on the "
            "**Train a model** page; it will then be offered here.",
            icon="🔒",
        )
        page_link("pages/train.py", "Go to the Train page", "🏋️")
        return None
    detector = _with_session_data(detector)
    return detector, _session_model_key(detector), "Model trained in this session"


def _download(detector, choice: str, name: str) -> None:
    file_name = {PRETRAINED: "anomagram-pretrained.keras", SESSION: "anomagram-model.keras"}
    st.download_button(
        "⬇️ Download this model (.keras)",
        data=lambda: logic.detector_bytes(detector),
        file_name=file_name.get(choice) or logic.safe_file_name(name),
        mime="application/octet-stream",
        key="score_model_download",
        on_click="ignore",
        help="Keras model plus Anomagram's scaler and threshold, in one file.",
    )


def _follow_scaling(detector) -> None:
    """Z-normalise beats by default exactly when the model's training rows were (as the
    command line does: ``sources.rows_normalised``). The switch is drawn in step 1, before the
    model is known, so a change takes effect on a rerun; it follows each newly chosen model
    once, and the user may still turn it."""
    if st.session_state.get(ZNORM_FOR) == detector.spec:
        return
    st.session_state[ZNORM_FOR] = detector.spec
    wanted = sources.rows_normalised(detector.spec)
    if bool(st.session_state.get("score_znorm")) != wanted:
        st.session_state[ZNORM_PENDING] = wanted
        st.rerun()


def model_panel():
    """(detector, key, name as markdown) of the chosen model, or None."""
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
    if choice == PRETRAINED:
        chosen = resources.pretrained(), (PRETRAINED,), "Pretrained model"
    elif choice == SESSION:
        chosen = _session_model(session_detector)
    else:
        chosen = _uploaded_model()
    if chosen is None:
        return None
    detector, key, name = chosen
    _follow_scaling(detector)
    # The name is shown as markdown (here and with the results): escaped once, here. The
    # download's file name is made safe from the raw name.
    shown = escape_markdown(name)
    st.caption(_describe(detector, shown))
    trained = trained_on.trained_on(detector)
    st.caption(trained_on_text(trained))
    note = trained_on.labels_note(trained_on.label_classes(detector), trained)
    if note:
        st.caption(note)
    _download(detector, choice, name)
    return detector, key, shown
