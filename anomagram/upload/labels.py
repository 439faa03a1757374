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
       other cells are not all integers. Integer-valued beats (raw ADC counts) make the
       numbers ambiguous, so there the caller must name the column; a column of label words
       is taken anyway.

    Returns the column index, or -1 for "the last cell of each row" when the rows have
    different lengths.
    """
    parsed = [parse_row(0, [str(c) for c in r], False) for r in rows]
    return detect_label(parsed, list(header) if header is not None else None, first)


def detect_label(rows: list[Row], header: list[str] | None, first: int) -> int | None:
    """:func:`detect_label_column` on rows parse_beats has already read."""
    widths = {r.width for r in rows}
    if not rows or max(widths) < 2:
        return None
    if header:
        for i, name in enumerate(header):
            if name.strip().strip('"').lower() in _LABEL_HEADERS:
                return -1 if i == len(header) - 1 and len(widths) > 1 else i
    for column in (first, -1):
        cells = column_cells(rows, column)
        if not cells or not _is_label_like(cells):
            continue
        words_only = all(v is None for _, v in cells)
        if words_only or not _rest_all_integers(rows, column):
            if column == -1 and len(widths) == 1:
                return widths.pop() - 1
            return column
    return None


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
