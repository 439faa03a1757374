"""The example file of the Score page, which depends on the model chosen in step 2.

ECG5000 models get ECG5000 test beats, as always. A model of another dataset gets beats of its
own dataset and length when that data is at hand (a built-in dataset, or the CSV uploaded on
the Train page in this session); otherwise no example, and the page says why: scoring
140-sample ECG5000 beats with, say, a 96-sample ECG200 model would only resample them into
beats the model never learned anything about.

Step 1 is drawn before step 2, so the data panel keeps a place (:func:`place`) that
:func:`resolve` fills once the model is known.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from anomagram import sources
from anomagram.data import SEQ_LEN, DataError
from anomagram.ui.common import resources
from anomagram.ui.common.datasets import dataset_for, uploaded
from anomagram.ui.common.text import escape_markdown, user_text
from anomagram.ui.score import logic, trained_on

KIND = "example"
NAME = "the example file"


@dataclass(frozen=True)
class Offer:
    """What the example is for a model: its text and a sentence about it, or why there is none
    (``text`` None)."""

    text: str | None
    about: str
    file_name: str = "anomagram-example.csv"


@st.cache_data(show_spinner=False)
def ecg5000_text() -> str:
    return logic.example_csv(resources.ecg())


def _ecg5000() -> Offer:
    counts = ", ".join(f"{n} {trained_on.LABEL_NAMES[c]}" for c, n in logic.EXAMPLE_CLASSES.items())
    return Offer(
        ecg5000_text(),
        f"{sum(logic.EXAMPLE_CLASSES.values())} ECG5000 test beats ({counts}) with their "
        f"class in the first column, plus one broken row (line {logic.EXAMPLE_BAD_LINE}) to "
        "show how problems are reported. The model never trained on these beats.",
    )


def _none(trained: trained_on.TrainedOn, why: str) -> Offer:
    return Offer(
        None,
        f"No example file for this model: it was trained on {user_text(trained.name)}, beats of "
        f"{trained.length} samples, and {why} The ECG5000 example (beats of {SEQ_LEN} samples) "
        f"is not offered: upload or paste beats like those it was trained on.",
    )


def offer(detector) -> Offer:
    """The example for ``detector`` (None: no model chosen yet, so the ECG5000 one)."""
    if detector is None:
        return _ecg5000()
    trained = trained_on.trained_on(detector)
    spec = detector.spec
    if spec.dataset == sources.ECG5000_KEY and spec.length == SEQ_LEN:
        return _ecg5000()
    if spec.dataset.startswith(sources.CSV_PREFIX) and not _uploaded(spec):
        return _none(trained, "that file is not in this session (upload it on the Train page).")
    try:
        ds = dataset_for(spec)
        if ds.length != spec.length:
            return _none(trained, f"{user_text(ds.name)}'s beats here have {ds.length} samples.")
        example = logic.dataset_example(ds, spec)
    except (DataError, ValueError) as exc:  # SourceError is a DataError: one sentence
        return _none(trained, f"its data cannot be read here: {user_text(exc, 300)}")
    name = user_text(ds.name)
    if example.labelled:
        held = f"{example.normal} normal and {example.abnormal} abnormal"
        own = ", ".join(user_text(ds.label_text[c]) for c in sorted(ds.counts))
        labels = f"labelled as {name} labels them ({own}) in the first column"
    else:
        held = f"{example.normal}"
        labels = "without labels, as the data has none"
    return Offer(
        example.text,
        f"{held} {name} beats of {ds.length} samples, {labels}, plus one broken row (line "
        f"{logic.EXAMPLE_BAD_LINE}) to show how problems are reported. They come from the test "
        "set this model's settings and seed draw, so a model trained with them never saw them.",
        logic.safe_file_name(f"anomagram-example-{ds.name}", ".csv"),
    )


def _uploaded(spec) -> bool:
    upload = uploaded()
    return upload is not None and upload.key == spec.dataset


def place():
    """The data panel's place for the example (filled by :func:`resolve`), as step 1's choice."""
    return KIND, NAME, st.container()


def resolve(chosen, chosen_model):
    """Step 1's example choice for the model of step 2: ``(kind, name, text)``, or None (with
    the reason shown in step 1) when this model has no example."""
    _, name, slot = chosen
    found = offer(None if chosen_model is None else chosen_model[0])
    with slot:
        if found.text is None:
            st.info(found.about, icon="ℹ️")
            return None
        st.markdown(found.about)
        st.download_button(
            "⬇️ Download it as a template",
            data=found.text,
            file_name=found.file_name,
            mime="text/csv",
            key="score_example_download",
            on_click="ignore",
        )
    return KIND, escape_markdown(name), found.text
