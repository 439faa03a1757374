"""Label columns: which column holds labels (if any) and what each label cell means."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from anomagram.data import CLASS_IDS
from anomagram.upload.reading import Row, parse_row

UNKNOWN_LABEL = 0
ABNORMAL = 6  # abnormal, ECG5000 class not given ("abnormal" or 0 in a 0/1 column)

_CLASS_VALUES = frozenset(float(c) for c in CLASS_IDS)
_LABEL_WORDS = {"normal": 1, "abnormal": ABNORMAL, "anomaly": ABNORMAL, "anomalous": ABNORMAL}
_LABEL_HEADERS = frozenset(
    {"label", "labels", "class", "classes", "target", "y", "category", "annotation"}
)
_LABEL_RANGE = (0.0, 5.0)  # every number a label cell can hold: 1..5, or 0/1
# An integer column next to integer beats is read as labels only when real samples would hold
# nothing but label values in every row less often than this (see _stands_apart).
_CHANCE = 1e-3


def label_code(cell: str, value: float | None, binary: bool) -> int:
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


def _is_label_like(cells: list[tuple[str, float | None]]) -> bool:
    numbers = set()
    for text, value in cells:
        if value is None:
            if text.strip().strip('"').lower() not in _LABEL_WORDS:
                return False
        else:
            numbers.add(value)
    # Only zeros is a beat that starts at the baseline far more often than "all abnormal".
    return numbers != {0.0} and (numbers <= _CLASS_VALUES or numbers <= {0.0, 1.0})


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
    rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None, *, first: int = 0
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

    Returns the column index, or -1 for "the last cell of each row" when the rows have
    different lengths.
    """
    parsed = [parse_row(0, [str(c) for c in r], False) for r in rows]
    return detect_label(parsed, list(header) if header is not None else None, first)[0]


def detect_label(
    rows: list[Row], header: list[str] | None, first: int
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
        if not cells or not _is_label_like(cells):
            continue
        words_only = all(v is None for _, v in cells)
        note = None
        if not words_only and _rest_all_integers(rows, column):
            if not _stands_apart(rows, column, first):
                continue
            numbers = sorted({int(v) for _, v in cells if v is not None})
            where = f"Column {column + 1}" if column >= 0 else "The last column"
            if column == -1 and len(widths) == 1:
                where = f"Column {widths.copy().pop()}"
            note = (
                f"{where} holds only the whole numbers {', '.join(map(str, numbers))}, unlike "
                "the beat values, so it was read as labels; if it is part of the beats, choose "
                "no label column"
            )
        if column == -1 and len(widths) == 1:
            return widths.pop() - 1, note
        return column, note
    return None, None


def _stands_apart(rows: list[Row], column: int, first: int) -> bool:
    """Whether a label-like column differs from integer beats more than chance allows.

    ``share`` is how often the beats' other values lie in 0..5; a column of real samples would
    hold only such values in all of the rows about ``share ** rows`` of the time.
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
    lo, hi = _LABEL_RANGE
    share = float(np.mean((values >= lo) & (values <= hi)))
    return share ** len(rest) < _CHANCE


def index_column(rows: list[Row]) -> bool:
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
    return not _is_label_like([("", v) for v in values])
