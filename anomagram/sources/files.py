"""A visitor's CSV: windows one per row (with an optional label column) or one long recording
cut into windows (see the package notes for the layouts)."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from anomagram.data import Dataset
from anomagram.signal import z_normalise
from anomagram.sources.checks import (
    MAX_BYTES,
    MAX_CLASSES,
    MAX_VALUES,
    MAX_WINDOWS,
    SourceError,
    checked,
    default_normal,
    fit_length,
    quoted,
    with_normal,
)
from anomagram.spec import MAX_LENGTH, MIN_LENGTH, Spec
from anomagram.upload.reading import UploadError, decode, detect_delimiter

CSV_PREFIX = "csv:"
LABEL_NAMES = ("label", "class", "target", "y", "anomaly", "is_anomaly")
VALUE_NAMES = ("value", "values", "signal", "x", "amplitude")
TIME_NAMES = ("time", "timestamp", "t", "date", "datetime")


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
        cell = "an empty cell" if cell is None or pd.isna(cell) else quoted(cell)
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
        normal=default_normal(y, label_text),
        origin="your CSV of windows",
        labelled=labelled,
        notes=tuple(notes),
        unit="windows",
    )
    return with_normal(fit_length(checked(ds)), normal_class)


def _label_column(frame: pd.DataFrame, header: list[str], choice: str) -> int | None:
    if choice == "none":
        return None
    if choice in ("first", "last"):
        return 0 if choice == "first" else frame.shape[1] - 1
    if choice != "auto":
        raise SourceError(f"Unknown label column {quoted(choice)}; use auto, none, first or last.")
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
    return with_normal(fit_length(checked(ds)), normal_class)


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
