"""``parse_beats``: the rows of a CSV file checked one by one and turned into model input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from anomagram.data import SEQ_LEN
from anomagram.signal import resample
from anomagram.signal import z_normalise as _z_normalise
from anomagram.upload.labels import (
    UNKNOWN_LABEL,
    LabelClasses,
    column_cells,
    detect_label,
    index_column,
    is_binary_column,
    label_code,
)
from anomagram.upload.reading import (
    MAX_BYTES,
    MIN_LENGTH,
    RejectedRow,
    Row,
    UploadError,
    decode,
    detect_delimiter,
    is_header,
    numeric_count,
    parse_rows,
    read_input,
    split_cells,
    uses_decimal_comma,
)

MAX_ROWS = 10_000

_SAMPLE_ROWS = 50
_MAX_SHOWN_CELL = 20
_LABELS_SHOWN = 5  # a model's labels listed in the note on unknown labels
# No ECG unit comes near this, and beyond it float32 (the model's input) overflows to inf.
_MAX_ABS = 1e30
_TOO_LARGE = "is too large for a heartbeat value (over 1e30)"
_TRY_AGAIN = "export one heartbeat per row as a CSV text file and upload that"


@dataclass(frozen=True)
class ParsedBeats:
    beats: np.ndarray  # (n_good, n) float32, resampled (+ z-normalised if asked)
    lines: np.ndarray  # (n_good,) int, 1-based file line of each good beat
    lengths: np.ndarray  # (n_good,) int, original number of values of each beat
    # (n_good,) int codes: ECG5000's 1..5, or the codes of ``classes``; ABNORMAL; 0 = unknown.
    labels: np.ndarray | None  # None = no label column
    label_column: int | None  # 0-based column used as label (-1: last cell of ragged rows)
    has_header: bool
    delimiter: str  # "," ";" "\t" "|" or " " for runs of whitespace
    rejected: tuple[RejectedRow, ...]
    warnings: tuple[str, ...]
    classes: LabelClasses | None = None  # the classes labels were read as; None: ECG5000's


def _shown(cell: str) -> str:
    cell = cell.strip()
    return cell if len(cell) <= _MAX_SHOWN_CELL else cell[: _MAX_SHOWN_CELL - 3] + "..."


def _problem(columns: list[int], what: str, plural: str, example: str = "") -> str:
    first = f"column {columns[0] + 1}{example}"
    if len(columns) == 1:
        return f"{first} {what}"
    return f"{len(columns)} values {plural} (first: {first})"


def _bad_values(row: Row, values: np.ndarray, columns: list[int]) -> str | None:
    """Why ``values`` (from file ``columns`` of ``row``) cannot be a beat: NaN, infinite, huge."""
    finite = np.isfinite(values)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        where = [columns[i] for i in bad]
        text = _shown(row.text(where[0]))
        example = f" ('{text}')"
        if np.isnan(values[bad[0]]):
            what = "is a missing value (NaN)"
        elif "inf" in text.lower():
            what = "is infinite"
        else:  # "1e400": a number written out, but beyond what a float can hold
            what = _TOO_LARGE
        return _problem(where, what, "are missing, infinite or too large", example)
    huge = np.flatnonzero(np.abs(values) > _MAX_ABS)
    if huge.size:
        first = f"column {columns[huge[0]] + 1} ({values[huge[0]]:.3g})"
        if huge.size == 1:
            return f"{first} {_TOO_LARGE}"
        return f"{huge.size} values are too large for a heartbeat (first: {first})"
    return None


def _row_problem(row: Row, skip: set[int]) -> tuple[str | None, np.ndarray | None]:
    width = row.width
    if not skip:
        values = row.values
    elif skip == {0}:
        values = row.values[1:]
    elif skip == {width - 1}:
        values = row.values[:-1]
    else:
        values = np.delete(row.values, sorted(skip))
    if row.numeric is not None:
        keep = [i for i in range(width) if i not in skip]
        empty = [i for i in keep if not row.cells[i].strip()]
        text = [i for i in keep if not row.numeric[i] and row.cells[i].strip()]
        if text:
            example = f" ('{_shown(row.cells[text[0]])}')"
            return _problem(text, "is not a number", "are not numbers", example), None
        if empty:
            return _problem(empty, "is empty", "are empty"), None
    # One reduction settles the usual case; NaN fails the comparison too.
    if not (values.size and np.abs(values).max() <= _MAX_ABS):
        reason = _bad_values(row, values, [i for i in range(width) if i not in skip])
        if reason is not None:
            return reason, None
    if values.size < MIN_LENGTH:
        noun = "value" if values.size == 1 else "values"
        return f"has only {values.size} {noun}; a beat needs at least {MIN_LENGTH}", None
    return None, values


def _check_shape(rows: list[Row]) -> None:
    if max(r.width for r in rows) > 1:
        return
    numeric = sum(1 for r in rows if r.width and r.value(0) is not None)
    if numeric * 2 >= len(rows):
        raise UploadError(
            "Every row holds a single value; put each heartbeat on its own row with its values "
            "separated by commas (if this column is one beat, transpose it)."
        )
    raise UploadError(
        "Could not find how the values are separated; separate each row's values with commas, "
        "semicolons, tabs or spaces."
    )


def _too_many_rows(count: int, max_rows: int) -> UploadError:
    return UploadError(
        f"The file has {count:,} beats, over the limit of {max_rows:,}; split it into smaller "
        "files and score them one at a time."
    )


def _outside(classes: LabelClasses | None) -> str:
    """What an unknown label is not, for the note that counts them."""
    if classes is None:
        return "outside 1-5"
    owner = f"{classes.dataset}'s" if classes.dataset else "the model's"
    if not classes.labels:
        return f"other than normal or abnormal ({owner} data has no labels)"
    shown = [_shown(label) for label in classes.labels[:_LABELS_SHOWN]]
    if len(classes.labels) > _LABELS_SHOWN:
        shown.append("...")
    return f"that is none of {owner} classes ({', '.join(shown)}, their names, normal, abnormal)"


def _resample_all(values: list[np.ndarray], n: int) -> np.ndarray:
    out = np.empty((len(values), n), dtype=np.float64)
    for i, v in enumerate(values):
        # resample(v, n) with len(v) == n is the identity; skipping it keeps big files fast.
        out[i] = v if v.size == n else resample(v, n)
    return out


# --- entry point -------------------------------------------------------------------------------


def parse_beats(
    data: bytes | str,
    *,
    label_column: int | None | Literal["auto"] = "auto",
    z_normalise: bool = True,
    n: int = SEQ_LEN,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    classes: LabelClasses | None = None,
) -> ParsedBeats:
    """Parse CSV text or bytes (or a binary file object, read up to ``max_bytes``) into beats.

    ``label_column``: ``"auto"`` (see :func:`detect_label_column`), ``None`` for no label
    column, or a 0-based column index (negative counts from the end of each row). A label
    cell that is not a known label gives label 0 and the beat is still scored.

    ``classes``: the classes of the model's dataset (``LabelClasses.of_model``), to read and
    find labels as that data wrote them; None reads them as ECG5000's (the module docstring).

    ``z_normalise``: per-beat ``(x - mean) / std`` after resampling, as ECG5000 was
    prepared; turn it off for beats already on the model's scale.

    Raises :class:`UploadError` for whole-file problems; see the module docstring.
    """
    do_normalise = z_normalise  # the flag shadows signal.z_normalise, imported as _z_normalise
    if isinstance(n, bool) or int(n) != n or n < 2:
        raise ValueError(f"n must be an integer of at least 2, got {n!r}")
    if isinstance(label_column, bool) or not (
        label_column is None or label_column == "auto" or isinstance(label_column, int)
    ):
        raise ValueError(f"label_column must be 'auto', None or an int, got {label_column!r}")
    if classes is not None and not isinstance(classes, LabelClasses):
        raise ValueError(f"classes must be a LabelClasses or None, got {classes!r}")

    raw = read_input(data, max_bytes)
    if len(raw) == 0:
        raise UploadError(f"The file is empty; {_TRY_AGAIN}.")
    text, notes = decode(raw, max_bytes)

    # A lone "\r" (old Mac files) ends a line in the editors a user checks line numbers in.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = [(i, line) for i, line in enumerate(lines, 1) if line.strip()]
    if not numbered:
        raise UploadError(f"The file contains only blank lines; {_TRY_AGAIN}.")
    if len(numbered) > max_rows + 1:  # a header is the only row allowed beyond the limit
        raise _too_many_rows(len(numbered), max_rows)

    delimiter = detect_delimiter([line for _, line in numbered[:_SAMPLE_ROWS]])
    sample = [split_cells(line, delimiter) for _, line in numbered[:_SAMPLE_ROWS]]
    decimal_comma = uses_decimal_comma(sample, delimiter)
    if decimal_comma:
        notes.append("Decimal commas were read as decimal points (e.g. 0,5 as 0.5)")

    has_header = is_header(sample[0], sample[1] if len(sample) > 1 else None, decimal_comma)
    header = sample[0] if has_header else None
    if has_header:
        if numeric_count(sample[0], decimal_comma) * 2 >= len(sample[0]):
            notes.append(
                f"Line {numbered[0][0]} (0, 1, 2, ...) was read as column numbers, not as a beat"
            )
        numbered = numbered[1:]
    if not numbered:
        raise UploadError(
            "The file has a header row but no beats; add one heartbeat per row below the header."
        )
    if len(numbered) > max_rows:
        raise _too_many_rows(len(numbered), max_rows)

    rows = parse_rows(numbered, delimiter, decimal_comma)
    _check_shape(rows)

    skip: set[int] = set()
    index_col = False
    if label_column != 0 and index_column(rows, classes):
        index_col = True
        skip.add(0)
        notes.append("Column 1 holds row numbers (0, 1, 2, ...), so it was not used as beat values")

    if label_column == "auto":
        label_col, label_note = detect_label(rows, header, 1 if index_col else 0, classes)
        if label_note:
            notes.append(label_note)
    else:
        label_col = label_column
        widest = max(r.width for r in rows)
        if label_col is not None and not -widest <= label_col < widest:
            raise UploadError(
                f"Label column {label_col} is outside the table (rows have at most {widest} "
                f"columns); choose a column from 0 to {widest - 1}, or no label column."
            )

    binary = False
    if label_col is not None and classes is None:
        binary = is_binary_column(column_cells(rows, label_col))

    rejected: list[RejectedRow] = []
    good_values: list[np.ndarray] = []
    good_lines: list[int] = []
    good_labels: list[int] = []
    unknown_examples: list[str] = []
    widths: set[int] = set()
    for row in rows:
        row_skip = skip
        column = None
        code = UNKNOWN_LABEL
        if label_col is not None and -row.width <= label_col < row.width:
            column = label_col % row.width
            row_skip = skip | {column}
            value = row.value(column)
            code = label_code(row.text(column) if value is None else "", value, binary, classes)
        reason, values = _row_problem(row, row_skip)
        if reason is not None:
            rejected.append(RejectedRow(row.line, reason))
            continue
        if label_col is not None and code == UNKNOWN_LABEL:
            unknown_examples.append("(missing)" if column is None else _shown(row.text(column)))
        good_values.append(values)
        good_lines.append(row.line)
        good_labels.append(code)
        widths.add(row.width)

    if not good_values:
        first = rejected[0]
        more = f" (and {len(rejected) - 1} more rows)" if len(rejected) > 1 else ""
        raise UploadError(
            f"None of the {len(rejected)} rows could be scored - line {first.line} "
            f"{first.reason}{more}; fix those rows and upload again.",
            tuple(rejected),
        )

    lengths = np.array([v.size for v in good_values], dtype=np.int64)
    lo, hi = int(lengths.min()), int(lengths.max())
    if lo == hi and lo != n:
        notes.append(f"Beats were resampled from {lo} to {n} values")
    elif lo != hi:
        notes.append(f"Beats had {lo} to {hi} values; each was resampled to {n} values")
    beats = _resample_all(good_values, int(n))
    if do_normalise:
        flat = int(np.sum(np.ptp(beats, axis=1) == 0))
        if flat:
            notes.append(
                f"{flat} beat{' is' if flat == 1 else 's are'} flat (one constant value), "
                "so z-normalisation leaves all zeros"
            )
        beats = _z_normalise(beats)

    labels = None
    reported_label = label_col
    if label_col is not None:
        labels = np.array(good_labels, dtype=np.int64)
        if label_col < 0 and len(widths) == 1:
            reported_label = next(iter(widths)) + label_col
        if binary:
            notes.append(
                "Labels are 0/1, read as 1 = normal and 0 = abnormal (the ECG5000 convention)"
            )
        if unknown_examples:
            count = len(unknown_examples)
            distinct = list(dict.fromkeys(e or "(empty)" for e in unknown_examples))[:3]
            examples = ", ".join(f"'{e}'" for e in distinct)
            notes.append(
                f"{count} row{' has' if count == 1 else 's have'} a label "
                f"{_outside(classes)} ({examples}); {'it is' if count == 1 else 'they are'} "
                "scored without a label"
            )

    return ParsedBeats(
        beats=beats.astype(np.float32),
        lines=np.array(good_lines, dtype=np.int64),
        lengths=lengths,
        labels=labels,
        label_column=reported_label,
        has_header=has_header,
        delimiter=delimiter,
        rejected=tuple(rejected),
        warnings=tuple(notes),
        classes=classes,
    )
