"""What every source shares: the limits on what one file may cost, the error it raises, and
the checks every Dataset passes (length, row count, labels, its normal class)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from anomagram.data import MIN_NORMAL, DataError, Dataset
from anomagram.spec import MAX_LENGTH, MIN_LENGTH

MAX_BYTES = 10_000_000  # a CSV to train on (Streamlit's own upload cap is the same)
MAX_WINDOWS = 100_000  # rows (windows or beats) of one dataset
MAX_VALUES = 10_000_000  # windows x samples kept in memory: 40 MB of float32
MAX_CLASSES = 20  # more distinct labels than this is not a label column


class SourceError(DataError):
    """The data cannot be used; the message says why and what to do."""


def int_labels(labels: np.ndarray) -> np.ndarray | None:
    if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
        return None
    return labels.astype(np.int64)


def most_frequent(y: np.ndarray) -> int:
    ids, counts = np.unique(y, return_counts=True)
    return int(ids[np.argmax(counts)])  # ties: the smallest id


def default_normal(y: np.ndarray, label_text: dict[int, str]) -> int:
    for c, t in label_text.items():
        if t.lower() == "normal":
            return c
    return most_frequent(y)


def checked(ds: Dataset) -> Dataset:
    if len(ds.y) > MAX_WINDOWS:
        raise SourceError(
            f"{ds.name} has {len(ds.y):,} rows; at most {MAX_WINDOWS:,} windows are accepted."
        )
    if ds.labelled and len(ds.counts) < 2:
        only = ds.label_text[int(ds.y[0])]
        raise SourceError(
            f"Every row of {ds.name} has the label {quoted(only)}: with one label nothing is "
            "known to be abnormal. Leave the label column out to train without labels."
        )
    return ds


def fit_length(ds: Dataset) -> Dataset:
    """Refuse rows shorter than the model's smallest input; resample longer ones down."""
    native = ds.native_length or ds.length
    if ds.length < MIN_LENGTH:
        hint = (
            " If the file is one long recording (one sample per row), set a window length."
            if ds.unit == "windows"
            else ""
        )
        raise SourceError(
            f"{ds.name}'s rows have {native} samples; at least {MIN_LENGTH} are needed.{hint}"
        )
    if len(ds.y) * min(native, MAX_LENGTH) > MAX_VALUES:
        raise SourceError(f"{ds.name} has more than {MAX_VALUES:,} values; use fewer rows.")
    if ds.length <= MAX_LENGTH:
        return replace(ds, native_length=native)
    width = ds.length
    positions = np.linspace(0.0, width - 1, MAX_LENGTH)
    low = np.floor(positions).astype(int)
    high = np.minimum(low + 1, width - 1)
    frac = (positions - low).astype(np.float32)
    x = ds.x[:, low] * (1 - frac) + ds.x[:, high] * frac  # linear, like signal.resample
    note = f"Its {native} samples per row were resampled to {MAX_LENGTH}, the longest input here."
    return replace(ds, x=x.astype(np.float32), native_length=native, notes=(*ds.notes, note))


def with_normal(ds: Dataset, normal_class: str = "") -> Dataset:
    """``ds`` with ``normal_class`` as its normal class (empty: the dataset's usual one).

    A label matches as the file wrote it or by its class name, in any case."""
    wanted = str(normal_class).strip()
    if not wanted:
        chosen = ds.normal
    else:
        matches = [
            c
            for c in ds.label_text
            if wanted.lower() in (ds.label_text[c].lower(), ds.class_name(c).lower())
        ]
        if not matches:
            labels = ", ".join(ds.label_text[c] for c in sorted(ds.label_text))
            raise SourceError(f"{ds.name} has no class {quoted(wanted)}; its labels are {labels}.")
        chosen = matches[0]
    normal_count = int(np.sum(ds.y == chosen))
    if not wanted and ds.labelled:
        # The usual class is not a choice the user made: too few of it is for the split to
        # refuse (``split_sizes``), and the reading stays usable to pick another class from.
        return ds
    if normal_count < MIN_NORMAL and not ds.labelled:
        raise SourceError(
            f"{ds.name} gives {normal_count} {ds.unit}; at least {MIN_NORMAL} are needed to "
            "learn what normal looks like. Use more data (or a shorter stride)."
        )
    if normal_count < MIN_NORMAL:
        raise SourceError(
            f"{ds.name} has {normal_count} {ds.unit} of its normal class "
            f"{quoted(ds.label_text.get(chosen, chosen))}; at least {MIN_NORMAL} are needed "
            "to learn what normal looks like."
        )
    return ds if chosen == ds.normal else replace(ds, normal=chosen)


def quoted(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 24 else text[:23] + "…")
