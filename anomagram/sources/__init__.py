"""Where a ``Dataset`` comes from: ECG5000, any UCR dataset shipped offline, a CSV of windows
or a long recording cut into windows.

A ``Spec`` names its data in ``dataset`` (``ecg5000``, ``ucr:NAME`` or ``csv:FILE``) with its
``normal_class`` and, for a recording, ``window``, ``stride`` and ``normalise``. Built-in
datasets load from the spec alone (:func:`load`); a CSV's bytes come from the user each time
(an upload, a path on the command line), so a link to one names it but cannot carry it.

Every reader raises :class:`SourceError` (a ``DataError``) with one sentence that says what to
do, and bounds what one file may cost before allocating it: ``MAX_BYTES`` of file,
``MAX_WINDOWS`` rows and ``MAX_VALUES`` values in all. Rows longer than ``MAX_LENGTH`` samples
are resampled down, with a note.

CSV layouts (``,``, ``;``, tab or spaces; an optional header row):

* **Windows**, one per row, all of one length: ``label,v1,v2,...`` (UCR style, the label
  first) or ``v1,...,vL`` without labels. With a header, a column named ``label``, ``class``,
  ``target``, ``y`` or ``anomaly`` is the label. Without one, a first column of whole numbers
  with at most ``MAX_CLASSES`` distinct values (beside values that are not all whole) is.
* **A recording**, one sample per row, read when a window length is given: columns named
  ``value``, ``time`` and ``anomaly`` (or ``label``); without a header, by position:
  the value, then a 0/1 anomaly column, or the value, a time and the anomaly. A window is
  abnormal if any of its samples is.

Modules: ``checks`` (the limits, ``SourceError``, the checks every dataset passes and its
normal class), ``ucr`` (UCR datasets by name) and ``files`` (a visitor's CSV of windows or
recording). This module turns a ``Spec`` into its data.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from anomagram.data import ECG5000_KEY, Dataset, Split, compose, load_ecg5000, split_sizes
from anomagram.sources.checks import (
    MAX_BYTES,
    MAX_CLASSES,
    MAX_VALUES,
    MAX_WINDOWS,
    SourceError,
    quoted,
    with_normal,
)
from anomagram.sources.files import CSV_PREFIX, csv_key, read_csv, read_recording, read_windows
from anomagram.sources.ucr import UCR_PREFIX, canonical_ucr_name, load_ucr, ucr_names
from anomagram.spec import Spec

__all__ = [
    "CSV_PREFIX",
    "ECG5000_KEY",
    "MAX_BYTES",
    "MAX_CLASSES",
    "MAX_VALUES",
    "MAX_WINDOWS",
    "UCR_PREFIX",
    "SourceError",
    "canonical_ucr_name",
    "csv_key",
    "describe",
    "fingerprint",
    "for_data",
    "load",
    "load_ucr",
    "read_csv",
    "read_recording",
    "read_windows",
    "rows_normalised",
    "sized_for",
    "split_for",
    "ucr_names",
    "with_normal",
]


# --- from a Spec -------------------------------------------------------------------------------


def load(spec: Spec, data: bytes | str | None = None, file_name: str = "") -> Dataset:
    """The dataset ``spec`` names; a ``csv:`` one needs its bytes in ``data``."""
    key = spec.dataset
    if key.startswith(CSV_PREFIX):
        if data is None:
            raise SourceError(
                f"{key.removeprefix(CSV_PREFIX)} is a file of yours: links and saved settings "
                "name it but cannot carry its data. Upload it again (or pass its path)."
            )
        return read_csv(data, file_name or key.removeprefix(CSV_PREFIX), spec)
    if spec.window:
        raise SourceError("Only a CSV recording is cut into windows; leave the window at 0.")
    if key == ECG5000_KEY:
        return with_normal(load_ecg5000(), spec.normal_class)
    if key.startswith(UCR_PREFIX):
        return load_ucr(key.removeprefix(UCR_PREFIX), spec.normal_class)
    raise SourceError(f"Unknown dataset {quoted(key)}.")


def for_data(spec: Spec, ds: Dataset) -> Spec:
    """``spec`` describing ``ds``: its key and length (the model's width)."""
    return spec.replace(dataset=ds.key, length=ds.length)


def rows_normalised(spec: Spec) -> bool:
    """Whether the rows a model of ``spec`` learnt from were z-normalised one by one, so beats
    to score should be too: the built-in datasets were (UCR prepared them so), a recording only
    with per-window normalising, and a CSV of windows is taken as it is."""
    if spec.dataset.startswith(CSV_PREFIX):
        return spec.normalise == "window"
    return True


def split_for(spec: Spec, ds: Dataset) -> Split:
    """The training and test rows ``spec`` draws from ``ds`` (see ``data.compose``)."""
    return compose(
        ds,
        train_size=spec.train_size,
        test_size=spec.test_size,
        abnormal_pct=spec.abnormal_pct,
        seed=spec.seed,
    )


def sized_for(spec: Spec, ds: Dataset) -> Spec:
    """``spec`` with the training and test sizes its split of ``ds`` really takes (a small
    dataset gives fewer rows than asked for): what the work budget should estimate.

    Not validated: a tiny dataset's test set may be below the Spec's smallest test size."""
    sizes = split_sizes(ds, spec.train_size, spec.test_size, spec.abnormal_pct)
    return replace(spec, train_size=sizes.n_train, test_size=sizes.n_test, validate=False)


def describe(ds: Dataset) -> dict:
    """The dataset as plain JSON-ready values: what `train --json` and model files record."""
    return {
        "name": ds.name,
        "key": ds.key,
        "length": ds.length,
        "native_length": ds.native_length or ds.length,
        "rows": len(ds.y),
        "labelled": ds.labelled,
        "normal_class": ds.label_text.get(ds.normal, str(ds.normal)),
        "counts": {ds.label_text.get(c, str(c)): n for c, n in ds.counts.items()},
        "class_names": {ds.label_text.get(c, str(c)): ds.class_name(c) for c in ds.counts},
        "origin": ds.origin,
    }


def fingerprint(data: bytes | str) -> str:
    """A short digest of a user's bytes: caches keyed by it never mix two files of one name."""
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()[:16]
