"""Label columns: which column holds labels (if any) and what each label cell means.

A cell is read in one of two ways, both decided by :func:`label_code` alone:

* ECG5000's (no ``classes``): the class ids 1..5, the words normal / abnormal, a 0/1 column as
  1 = normal and 0 = abnormal. Models of ECG5000, and model files that do not describe their
  data, read labels this way.
* A model's own dataset's (:class:`LabelClasses`): a label as that data wrote it (``-1``; a
  number equal to it, ``-1.0``, counts) or one of its class names, in any case; then the
  words normal / abnormal.

Either way a cell that is none of these is unknown (0) and its beat is still scored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from anomagram.data import CLASS_IDS, ECG5000_KEY, distinct_names
from anomagram.upload.reading import Row, parse_row, to_float

UNKNOWN_LABEL = 0
NORMAL_LABEL = 1  # the normal class's code in both readings
ABNORMAL = 6  # abnormal, class not given ("abnormal", or 0 in an ECG5000 0/1 column)

_CLASS_VALUES = frozenset(float(c) for c in CLASS_IDS)
_LABEL_WORDS = {
    "normal": NORMAL_LABEL,
    "abnormal": ABNORMAL,
    "anomaly": ABNORMAL,
    "anomalous": ABNORMAL,
}
_LABEL_HEADERS = frozenset(
    {"label", "labels", "class", "classes", "target", "y", "category", "annotation"}
)
_LABEL_RANGE = (0.0, 5.0)  # every number an ECG5000 label cell can hold: 1..5, or 0/1
# An integer column next to integer beats is read as labels only when real samples would hold
# nothing but label values in every row less often than this (see _stands_apart).
_CHANCE = 1e-3


def _key(cell: str) -> str:
    return cell.strip().strip('"').casefold()


def class_codes(count: int) -> tuple[int, ...]:
    """The codes of ``count`` classes: 1 (the normal class), 2, 3, ... skipping ``ABNORMAL``,
    which keeps its one meaning (abnormal, class not given) whatever the dataset."""
    codes: list[int] = []
    code = NORMAL_LABEL
    while len(codes) < count:
        if code != ABNORMAL:
            codes.append(code)
        code += 1
    return tuple(codes)


@dataclass(frozen=True)
class LabelClasses:
    """The classes of the data a model was trained on, to read a scored file's labels with.

    ``labels`` are the label texts as that data wrote them, the normal class's first, and
    ``names`` their class names, one each. The i-th class is read as code ``codes[i]`` (see
    :func:`class_codes`: the normal class is 1, as in ECG5000's reading). Data without labels
    has no classes: only the words normal / abnormal are read. ``dataset`` names the data in
    messages.
    """

    labels: tuple[str, ...]
    names: tuple[str, ...]
    dataset: str = ""

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.names):
            raise ValueError("labels and names must have the same length")
        if len(set(self.names)) != len(self.names):
            raise ValueError("class names must be distinct")

    @classmethod
    def of_model(cls, dataset: Mapping[str, Any] | None) -> LabelClasses | None:
        """The classes a model's ``dataset`` block (``sources.describe``, checked by
        ``model_file.check_dataset``) describes; None, for ECG5000's reading, when the model is of
        ECG5000 with class 1 normal or its file does not describe its data (or names no usable
        normal class). An ECG5000 model with another normal class reads ECG5000's labels as
        its own classes, so that class 1 counts as abnormal for it.

        The other classes follow the normal one from the most to the least frequent."""
        ecg5000_as_usual = dataset is not None and (
            dataset.get("key") == ECG5000_KEY and str(dataset.get("normal_class", "1")) == "1"
        )
        if dataset is None or ecg5000_as_usual:
            return None  # ECG5000's reading (class 1 normal)
        name = str(dataset.get("name", ""))
        if not dataset.get("labelled", True):
            return cls((), (), name)
        counts = dict(dataset.get("counts") or {})
        normal = dataset.get("normal_class")
        if normal not in counts:
            return None
        names = dict(dataset.get("class_names") or {})
        others = sorted((t for t in counts if t != normal), key=lambda t: (-int(counts[t]), t))
        order = (normal, *others)
        return cls(order, distinct_names([str(names.get(t) or f"Class {t}") for t in order]), name)

    @property
    def codes(self) -> tuple[int, ...]:
        return class_codes(len(self.labels))

    @property
    def normal_name(self) -> str:
        return self.names[0] if self.names else "Normal"

    def texts_by_code(self) -> dict[int, str]:
        """Each class's code -> its label as the model's data wrote it (``-1`` for ECG200), and
        the word for a row only known to be abnormal."""
        return {ABNORMAL: "abnormal", **dict(zip(self.codes, self.labels, strict=True))}

    def names_by_code(self) -> dict[int, str]:
        """Each class's code -> its name (the normal code named even without classes)."""
        return {NORMAL_LABEL: self.normal_name, **dict(zip(self.codes, self.names, strict=True))}

    @cached_property
    def _by_value(self) -> dict[float, int]:
        out: dict[float, int] = {}
        for label, code in zip(self.labels, self.codes, strict=True):
            value = to_float(label, False)
            if value is not None and math.isfinite(value):
                out.setdefault(value, code)
        return out

    @cached_property
    def _by_text(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for texts in (self.labels, self.names):  # a label before a name, the first one first
            for text, code in zip(texts, self.codes, strict=True):
                out.setdefault(_key(text), code)
        return out

    def read(self, cell: str, value: float | None) -> int:
        """The code of one cell: ``value`` when it is a number, else its text ``cell``."""
        if value is not None:
            return self._by_value.get(value, UNKNOWN_LABEL)  # NaN and inf are no class's
        key = _key(cell)
        return self._by_text.get(key) or _LABEL_WORDS.get(key, UNKNOWN_LABEL)


def label_code(
    cell: str, value: float | None, binary: bool, classes: LabelClasses | None = None
) -> int:
    """The code of one label cell (its text ``cell`` when ``value``, the number, is None):
    the one place that decides how a label is read (see the module docstring). ``binary``:
    the column holds only 0 and 1 (ECG5000's reading only)."""
    if classes is not None:
        return classes.read(cell, value)
    if value is None:
        return _LABEL_WORDS.get(cell.strip().strip('"').lower(), UNKNOWN_LABEL)
    if not math.isfinite(value) or value != int(value):
        return UNKNOWN_LABEL
    code = int(value)
    if binary:
        return 1 if code == 1 else ABNORMAL if code == 0 else UNKNOWN_LABEL
    return code if code in CLASS_IDS else UNKNOWN_LABEL


def column_cells(rows: list[Row], column: int) -> list[tuple[str, float | None]]:
    out = []
    for row in rows:
        if -row.width <= column < row.width:
            value = row.value(column)
            out.append((row.text(column) if value is None else "", value))
    return out


def is_binary_column(cells: list[tuple[str, float | None]]) -> bool:
    numbers = {v for _, v in cells if v is not None}
    return 0.0 in numbers and numbers <= {0.0, 1.0}


def _is_label_like(
    cells: list[tuple[str, float | None]], classes: LabelClasses | None = None
) -> bool:
    """Whether every cell reads as a label: ECG5000's (1..5, or 0/1, and the words), or, given a
    model's ``classes``, one of those classes; the cells these leave must be ECG5000-like."""
    # Only zeros is a beat that starts at the baseline far more often than "all abnormal".
    if {v for _, v in cells if v is not None} == {0.0}:
        return False
    if classes is not None:  # a 2 among -1s and 1s is an unknown label, not a beat value
        cells = [(t, v) for t, v in cells if classes.read(t, v) == UNKNOWN_LABEL]
    if any(v is None and t.strip().strip('"').lower() not in _LABEL_WORDS for t, v in cells):
        return False
    numbers = {v for _, v in cells if v is not None}
    return numbers <= _CLASS_VALUES or numbers <= {0.0, 1.0}


def _rest_all_integers(rows: list[Row], column: int) -> bool:
    # Stops at the first fractional value, which for real ECG is in the first row.
    for row in rows:
        if not row.width:
            continue
        rest = np.delete(row.values, column % row.width)
        rest = rest[np.isfinite(rest)]
        if np.any(rest != np.round(rest)):
            return False
    return True


def detect_label_column(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] | None = None,
    *,
    first: int = 0,
    classes: LabelClasses | None = None,
) -> int | None:
    """Guess which column holds labels; ``None`` when no column clearly does.

    ``rows`` are the data rows, as cell strings or numbers (ragged rows are fine).

    Rule, first match wins:

    1. A header cell named ``label``, ``class``, ``target``, ``y``, ``category`` or
       ``annotation`` (any case) marks its column, whatever its values.
    2. The first column (``first``, which is 1 when column 0 is a row index), then the last
       column, whose every cell is an integer in 1..5, or every cell 0 or 1 (but not all 0),
       or a label word (``normal``/``abnormal``/``anomaly``/``anomalous``) - provided the
       other cells are not all integers, or, when they are (beats in raw ADC counts), that
       the column stands apart from them: the beats' own values are so rarely 0..5 that a
       column of real samples holding only such values in every row would be a 1-in-1000
       chance (``share ** rows``). Beats that themselves sit within 0..5 (or a single row of
       beats that are often 0..5) keep every column as values; the caller can name the column.
       Given a model's ``classes`` (:class:`LabelClasses`), a cell that reads as one of those
       classes counts as a label too, so for an ECG200 model a column of -1 and 1 (or of -1, 1
       and a stray 2, read as unknown) is a label column, on the same terms; the range the
       beats' values are compared with then also spans the column's own numbers (-1..5).

    Returns the column index, or -1 for "the last cell of each row" when the rows have
    different lengths.
    """
    parsed = [parse_row(0, [str(c) for c in r], False) for r in rows]
    return detect_label(parsed, list(header) if header is not None else None, first, classes)[0]


def detect_label(
    rows: list[Row], header: list[str] | None, first: int, classes: LabelClasses | None = None
) -> tuple[int | None, str | None]:
    """:func:`detect_label_column` on rows parse_beats has already read, with a note for the
    user when the guess rests on integer values alone (the one guess that can be wrong)."""
    widths = {r.width for r in rows}
    if not rows or max(widths) < 2:
        return None, None
    if header:
        for i, name in enumerate(header):
            if name.strip().strip('"').lower() in _LABEL_HEADERS:
                return (-1 if i == len(header) - 1 and len(widths) > 1 else i), None
    for column in (first, -1):
        cells = column_cells(rows, column)
        if not cells or not _is_label_like(cells, classes):
            continue
        words_only = all(v is None for _, v in cells)
        note = None
        if not words_only and _rest_all_integers(rows, column):
            numbers = sorted({v for _, v in cells if v is not None})
            if not _stands_apart(rows, column, first, numbers):
                continue
            where = f"Column {column + 1}" if column >= 0 else "The last column"
            if column == -1 and len(widths) == 1:
                where = f"Column {widths.copy().pop()}"
            whole = "whole " if all(v == int(v) for v in numbers) else ""
            shown = ", ".join(f"{v:g}" for v in numbers)
            note = (
                f"{where} holds only the {whole}numbers {shown}, unlike "
                "the beat values, so it was read as labels; if it is part of the beats, choose "
                "no label column"
            )
        if column == -1 and len(widths) == 1:
            return widths.pop() - 1, note
        return column, note
    return None, None


def _stands_apart(rows: list[Row], column: int, first: int, numbers: Sequence[float]) -> bool:
    """Whether a label-like column differs from integer beats more than chance allows.

    ``share`` is how often the beats' other values lie in 0..5 (widened to the column's own
    ``numbers``); a column of real samples would hold only such values in all of the rows about
    ``share ** rows`` of the time.
    """
    rest = [
        np.delete(r.values, sorted({column % r.width} | ({0} if first else set())))
        for r in rows
        if r.width
    ]
    values = np.concatenate(rest) if rest else np.empty(0)
    values = values[np.isfinite(values)]
    if not values.size:
        return False
    lo, hi = min(_LABEL_RANGE[0], *numbers), max(_LABEL_RANGE[1], *numbers)
    share = float(np.mean((values >= lo) & (values <= hi)))
    return share ** len(rest) < _CHANCE


def index_column(rows: list[Row], classes: LabelClasses | None = None) -> bool:
    """Whether column 0 holds consecutive row numbers from 0 or 1 that cannot be labels."""
    if len(rows) < 3:
        return False
    values = [r.value(0) if r.width else None for r in rows]
    if any(v is None or not math.isfinite(v) for v in values):
        return False
    start = values[0]
    if start not in (0.0, 1.0):
        return False
    if any(v != start + i for i, v in enumerate(values)):
        return False
    return not _is_label_like([("", v) for v in values], classes)
