"""Which data the Train page trains on, kept consistent with the session's Spec.

The spec names the data (``dataset``, ``normal_class``, ``window``, ``stride``, ``normalise``)
and carries its ``length``. A change of data - a pick in the data panel, an upload, a shared
link - is only adopted once the data loads and leaves enough normal rows to train on; until
then the page keeps the data it had (and so its spec and its trained model), and says why.

A trained model remembers the data it was trained on (``tag_trainer``): two uploads of one file
name are different data, so a model trained on the first is stale on the second.
"""

from __future__ import annotations

import streamlit as st

from anomagram import sources
from anomagram.data import DataError, Dataset, Sizes, split_sizes
from anomagram.spec import DATA_FIELDS, Spec, SpecError
from anomagram.ui.common import datasets
from anomagram.ui.common.state import get_spec, set_spec
from anomagram.ui.common.text import escape_markdown

GOOD_KEY = "train_data_good"  # the data fields of the last spec whose data loaded
ERROR_KEY = "train_data_error"  # why the last change of data was not adopted (plain text)
PENDING_KEY = "train_data_pending"  # a link's CSV settings, waiting for the file
TRAINER_DATA_KEY = "train_trainer_data"  # (trainer token, data_id of its data)
EDITED_KEY = "train_spec_edited"  # shared with composer: the URL lags one run behind an edit


def data_fields(spec: Spec) -> dict:
    return {name: getattr(spec, name) for name in DATA_FIELDS}


def kind(spec: Spec) -> str:
    """``ecg5000``, ``ucr`` or ``csv``: where the spec's data comes from."""
    if spec.dataset.startswith(sources.CSV_PREFIX):
        return "csv"
    return "ucr" if spec.dataset.startswith(sources.UCR_PREFIX) else "ecg5000"


def _checked(spec: Spec, ds: Dataset) -> Spec:
    """``spec`` fitted to ``ds`` (its key and length), once its split leaves enough to train."""
    fitted = sources.for_data(spec, ds)
    split_sizes(ds, fitted.train_size, fitted.test_size, fitted.abnormal_pct)  # DataError
    return fitted


def _kept(spec: Spec) -> Spec:
    # Record what works, so a later failure has something to fall back on.
    st.session_state[GOOD_KEY] = data_fields(spec)
    return spec


def adopt(candidate: Spec, *, file_name: str = "", data: bytes | None = None) -> bool:
    """Train on ``candidate``'s data from now on, if it can be used; returns whether it was.

    With ``data`` (a new upload), the file is read first and kept for the session only if it
    can be used. Otherwise the spec, the upload and the trained model stay as they were, and
    ``error()`` says why.
    """
    try:
        if data is None:
            ds = datasets.dataset_for(candidate)
        else:
            ds = datasets.read_upload(candidate, file_name, data)
        spec = _checked(candidate, ds)
    except (DataError, SpecError) as exc:
        st.session_state[ERROR_KEY] = str(exc)
        return False
    if data is not None:
        datasets.remember_upload(file_name, data)
    set_spec(_kept(spec))
    st.session_state[EDITED_KEY] = True
    st.session_state.pop(ERROR_KEY, None)
    st.session_state.pop(PENDING_KEY, None)
    return True


def error() -> str | None:
    return st.session_state.get(ERROR_KEY)


def pending() -> dict | None:
    """The data settings of a link to a CSV of the visitor's, waiting for the file."""
    return st.session_state.get(PENDING_KEY)


def forget_pending() -> None:
    st.session_state.pop(PENDING_KEY, None)


def from_link(linked: Spec, current: Spec) -> Spec:
    """The spec a link asks for, with data that loads: the link's, or the current one.

    A link to a CSV cannot carry the file: its settings wait (``pending``) for an upload. Any
    other data that cannot be used is reported (``error``) and the current data stays.
    """
    if linked.data_key == current.data_key:
        return linked.replace(length=current.length)
    try:
        spec = _checked(linked, datasets.dataset_for(linked))
    except (DataError, SpecError) as exc:
        kept = linked.replace(**data_fields(current))
        if datasets.is_csv(linked) and datasets.data_id(linked)[-1] is None:
            # Not an error: the file was never in the link.
            st.session_state[PENDING_KEY] = data_fields(linked)
            st.session_state.pop(ERROR_KEY, None)
        else:
            st.session_state[ERROR_KEY] = str(exc)
        return kept
    st.session_state.pop(ERROR_KEY, None)
    st.session_state.pop(PENDING_KEY, None)
    return _kept(spec)


def ensure(spec: Spec) -> tuple[Spec, Dataset]:
    """The session spec with data that loads, and that data.

    A spec set elsewhere (another page, a test) may name data this session cannot load (a CSV
    no longer uploaded): the last data that worked, or ECG5000, takes its place, with a note.
    """
    try:
        ds = datasets.dataset_for(spec)
    except DataError as exc:
        st.session_state[ERROR_KEY] = str(exc)
        fallback = st.session_state.get(GOOD_KEY) or data_fields(Spec())
        try:
            spec = spec.replace(**fallback)
            ds = datasets.dataset_for(spec)
        except (DataError, SpecError):
            spec = spec.replace(**data_fields(Spec()))
            ds = datasets.dataset_for(spec)
    if spec.length != ds.length or spec.dataset != ds.key:
        spec = sources.for_data(spec, ds)
    if spec != get_spec():
        set_spec(spec)
    st.session_state.setdefault(GOOD_KEY, data_fields(spec))
    return spec, ds


def sizes(spec: Spec, ds: Dataset) -> Sizes | None:
    """The rows the spec's split of ``ds`` takes, or None when it cannot be drawn."""
    try:
        return split_sizes(ds, spec.train_size, spec.test_size, spec.abnormal_pct)
    except DataError:
        return None


def budget_spec(spec: Spec) -> Spec:
    """What the work budget should estimate: the rows the split really takes, where a small
    dataset gives fewer than the spec asks for (the spec's own sizes otherwise)."""
    try:
        return sources.sized_for(spec, datasets.dataset_for(spec))
    except (DataError, SpecError):
        return spec


# --- the data a model was trained on -----------------------------------------------------------


def tag_trainer(trainer, spec: Spec) -> None:
    st.session_state[TRAINER_DATA_KEY] = (trainer.token, datasets.data_id(spec))


def trainer_data_id(trainer) -> tuple:
    """The data_id of the data ``trainer`` was trained on."""
    tag = st.session_state.get(TRAINER_DATA_KEY)
    if tag is not None and tag[0] == trainer.token:
        return tag[1]
    if datasets.is_csv(trainer.spec):
        # A CSV model of unknown origin: never the same data as anything else.
        return (*trainer.spec.data_key, f"trainer {trainer.token}")
    return (*trainer.spec.data_key, None)


def same_data(trainer, spec: Spec) -> bool:
    return trainer_data_id(trainer) == datasets.data_id(spec)


def no_labels_sentence(ds: Dataset) -> str:
    """Why a model of unlabelled data has no AUC, ROC curve or leaderboard (markdown-safe:
    the dataset's name is escaped)."""
    return (
        f"No row of {escape_markdown(ds.name)} is labelled abnormal, so there is no AUC or ROC "
        f"curve: the threshold comes from the errors on the training {ds.unit}, and the test "
        f"{ds.unit} above it are flagged."
    )
