"""Parse a user's CSV of heartbeats (one beat per row) for scoring.

Used by the "Score your data" page and the CLI ``score`` command; it must not import
streamlit. The contract is that bad input never raises anything but :class:`UploadError`
and never loses a row without saying so:

* Whole-file problems (empty, blank, binary, over ``MAX_BYTES`` or ``MAX_ROWS``, header only,
  a single column, nothing scoreable, a ``label_column`` outside the table) raise
  :class:`UploadError` with one sentence that says what to do.
* A row that cannot be scored is listed in ``ParsedBeats.rejected`` with its 1-based line
  number as an editor shows it (header and blank lines count) and a plain-words reason; the
  other rows are still returned.
* Anything that was changed or guessed (resampling, labels read as unknown, decimal commas,
  a dropped row-index column, a non-UTF-8 file) is reported in ``ParsedBeats.warnings``.

Format decisions:

* Delimiter: comma, semicolon, tab, ``|`` or runs of whitespace, chosen as the one that
  yields the most numeric cells in the first rows. Quoted cells (``"0.5"``) are unquoted.
* Decimal commas (``0,5;1,25``) are *parsed*, not rejected, when the delimiter is not a
  comma, since that is what European Excel writes; a warning says so. With a comma
  delimiter a comma can only be a separator.
* Header: the first non-blank row is a header when most of its cells are not numbers, or
  when its numbers are a run of consecutive integers such as ``0,1,...,139`` (pandas column
  names), and a data row follows.
* A first column holding the row numbers 0,1,2,... or 1,2,3,... (``DataFrame.to_csv`` with
  its index), with values beyond the label range, is not used as beat values; a warning says so.
* Trailing empty cells are ignored (spreadsheets pad ragged rows); an empty cell inside a
  row rejects the row. Blank lines are skipped; they hold no beat.
* Limits: ``MAX_BYTES`` (5 MB) of file and ``MAX_ROWS`` (10,000) beats per file; each
  beat needs at least ``MIN_LENGTH`` (10) values. Longer or shorter beats are linearly
  resampled to ``SEQ_LEN`` (140) values.

Labels (see :func:`detect_label_column` for the auto rule): ``ParsedBeats.labels`` holds
ECG5000 class ids 1..5, :data:`ABNORMAL` (6) for a beat only known to be abnormal, and
:data:`UNKNOWN_LABEL` (0) where the cell could not be read as a label. Cells are read as:

* an integer 1..5 (``"3"``, ``"3.0"``, ``"3e0"``) -> that class id;
* the words ``normal`` -> 1 and ``abnormal`` / ``anomaly`` / ``anomalous`` -> 6 (any case);
* in a column whose numeric labels are only 0 and 1 (with at least one 0): 1 -> 1 (normal),
  0 -> 6 (abnormal), the convention of the ECG5000 copy in the TensorFlow autoencoder
  tutorial and consistent with class 1 meaning normal; a warning names the convention;
* anything else -> 0, and the beat is still scored.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from anomagram.signal import resample
from anomagram.signal import z_normalise as _z_normalise

__all__ = [
    "ABNORMAL",
    "MAX_BYTES",
    "MAX_ROWS",
    "MIN_LENGTH",
    "SEQ_LEN",
    "UNKNOWN_LABEL",
    "ParsedBeats",
    "RejectedRow",
    "UploadError",
    "detect_label_column",
    "parse_beats",
    "scores_csv",
]

SEQ_LEN = 140
MAX_BYTES = 5_000_000
MAX_ROWS = 10_000
MIN_LENGTH = 10

UNKNOWN_LABEL = 0
ABNORMAL = 6  # abnormal, ECG5000 class not given ("abnormal" or 0 in a 0/1 column)
CLASS_IDS = frozenset(range(1, 6))

_LABEL_WORDS = {"normal": 1, "abnormal": ABNORMAL, "anomaly": ABNORMAL, "anomalous": ABNORMAL}
_LABEL_HEADERS = frozenset(
    {"label", "labels", "class", "classes", "target", "y", "category", "annotation"}
)
_DELIMITERS = (",", "\t", ";", "|", " ")  # " " means runs of whitespace; order breaks ties
_SAMPLE_ROWS = 50
_BLOCK_ROWS = 250
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d*,\d+(?:[eE][+-]?\d+)?\s*$")
_MAX_SHOWN_CELL = 20
# No ECG unit comes near this, and beyond it float32 (the model's input) overflows to inf.
_MAX_ABS = 1e30
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")

_TRY_AGAIN = "export one heartbeat per row as a CSV text file and upload that"


class UploadError(ValueError):
    """The whole file cannot be used; ``str(err)`` is one sentence saying what to do.

    ``rejected`` carries the per-row reasons when every row was rejected, so a UI can
    still show them.
    """

    def __init__(self, message: str, rejected: tuple[RejectedRow, ...] = ()):
        super().__init__(message)
        self.rejected = rejected


@dataclass(frozen=True)
class RejectedRow:
    line: int  # 1-based line in the file
    reason: str


@dataclass(frozen=True)
class ParsedBeats:
    beats: np.ndarray  # (n_good, n) float32, resampled (+ z-normalised if asked)
    lines: np.ndarray  # (n_good,) int, 1-based file line of each good beat
    lengths: np.ndarray  # (n_good,) int, original number of values of each beat
    labels: np.ndarray | None  # (n_good,) int; 1..5, ABNORMAL, or 0 = unknown; None = no column
    label_column: int | None  # 0-based column used as label (-1: last cell of ragged rows)
    has_header: bool
    delimiter: str  # "," ";" "\t" "|" or " " for runs of whitespace
    rejected: tuple[RejectedRow, ...]
    warnings: tuple[str, ...]


# --- bytes to text -----------------------------------------------------------------------------

_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook or zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) workbook"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
)


def _binary_error(what: str = "a binary file") -> UploadError:
    hint = " (in Excel: File > Save As > CSV)" if "Excel" in what else ""
    return UploadError(
        f"This looks like {what}, not CSV text; save your beats as a CSV file{hint} "
        "and upload that."
    )


def _read_input(data: Any, max_bytes: int) -> bytes | str:
    if isinstance(data, bytes | str):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    read = getattr(data, "read", None)
    if callable(read):
        # Read one byte past the limit so an oversized stream is never loaded whole.
        chunk = read(max_bytes + 1)
        if isinstance(chunk, bytes | str):
            return chunk
    raise TypeError(f"parse_beats expects bytes, str or a binary file, got {type(data).__name__}")


def _too_large(size: int, max_bytes: int) -> UploadError:
    return UploadError(
        f"The file is {_mb(size)}, over the {_mb(max_bytes)} limit; split it into smaller "
        "files and score them one at a time."
    )


def _mb(size: int) -> str:
    # "5 MB" reads better than "5.0 MB" for the round limit.
    return f"{size / 1e6:.1f}".rstrip("0").rstrip(".") + " MB"


def _looks_like_text(text: str) -> bool:
    # CSV text has next to no control characters; binary data decoded by luck has plenty.
    sample = text[:65536]
    return len(_CONTROL.findall(sample)) <= len(sample) // 100


def _decode(data: bytes | str, max_bytes: int) -> tuple[str, list[str]]:
    notes: list[str] = []
    if isinstance(data, str):
        # Cheap bound first: a str never has more characters than its UTF-8 bytes.
        if len(data) > max_bytes:
            raise _too_large(len(data), max_bytes)
        size = len(data.encode("utf-8", errors="surrogatepass"))
        if size > max_bytes:
            raise _too_large(size, max_bytes)
        text = data.removeprefix("\ufeff")
    else:
        text = _decode_bytes(data, max_bytes, notes)
    if "\x00" in text or not _looks_like_text(text):
        raise _binary_error()
    return text, notes


def _decode_bytes(data: bytes, max_bytes: int, notes: list[str]) -> str:
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _binary_error(what)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a BOM, full of NUL bytes by design.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _binary_error() from None
    if b"\x00" in data:
        raise _binary_error()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = data.decode("latin-1")
    if _looks_like_text(text):
        notes.append("The file is not UTF-8; it was read as Latin-1 (only headers can be affected)")
    return text


# --- text to cells -----------------------------------------------------------------------------


def _split(line: str, delimiter: str) -> list[str]:
    if delimiter == " ":
        cells = line.split()
        return [c.strip('"') for c in cells] if '"' in line else cells
    if '"' in line:
        try:
            cells = next(csv.reader([line], delimiter=delimiter, strict=True))
        except (csv.Error, StopIteration):
            cells = [c.strip().strip('"') for c in line.split(delimiter)]
    else:
        cells = line.split(delimiter)
    # Spreadsheets pad short rows with empty cells; those are not missing values.
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def _to_float(cell: str, decimal_comma: bool) -> float | None:
    try:
        return float(cell.replace(",", ".") if decimal_comma else cell)
    except ValueError:
        return None


def _numeric_count(cells: list[str], decimal_comma: bool) -> int:
    return sum(_to_float(c, decimal_comma) is not None for c in cells)


def _detect_delimiter(sample: list[str]) -> str:
    best, best_score = ",", (-1, 0)
    for delimiter in _DELIMITERS:
        decimal_comma = delimiter != ","
        numeric = other = 0
        for line in sample:
            cells = _split(line, delimiter)
            if len(cells) > 1:
                count = _numeric_count(cells, decimal_comma)
                numeric += count
                other += len(cells) - count
        # Fewer leftover cells breaks ties: "1 | 2" splits on spaces into numbers plus "|".
        score = (numeric, -other)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _uses_decimal_comma(sample_rows: list[list[str]], delimiter: str) -> bool:
    if delimiter == ",":
        return False
    return any(_DECIMAL_COMMA.match(c) for row in sample_rows for c in row)


def _is_header(first: list[str], second: list[str] | None, decimal_comma: bool) -> bool:
    if second is None:
        # A lone row is a header only if nothing in it is a number; otherwise it is one beat.
        return bool(first) and _numeric_count(first, decimal_comma) == 0
    if _looks_like_header(first, decimal_comma):
        return not _looks_like_header(second, decimal_comma)
    return False


def _looks_like_header(cells: list[str], decimal_comma: bool) -> bool:
    values = [v for c in cells if (v := _to_float(c, decimal_comma)) is not None]
    if len(values) * 2 < len(cells):
        return True
    # pandas writes its integer column names 0..n-1 as a numeric-looking header row.
    return (
        len(values) >= MIN_LENGTH
        and all(math.isfinite(v) and v == int(v) for v in values)
        and all(b - a == 1 for a, b in zip(values, values[1:], strict=False))
    )


# --- labels ------------------------------------------------------------------------------------


def _label_code(cell: str, value: float | None, binary: bool) -> int:
    if value is None:
        return _LABEL_WORDS.get(cell.strip().strip('"').lower(), UNKNOWN_LABEL)
    if not math.isfinite(value) or value != int(value):
        return UNKNOWN_LABEL
    code = int(value)
    if binary:
        return 1 if code == 1 else ABNORMAL if code == 0 else UNKNOWN_LABEL
    return code if code in CLASS_IDS else UNKNOWN_LABEL


def _column_cells(rows: list[_Row], column: int) -> list[tuple[str, float | None]]:
    out = []
    for row in rows:
        if -row.width <= column < row.width:
            value = row.value(column)
            out.append((row.text(column) if value is None else "", value))
    return out


def _is_binary_column(cells: list[tuple[str, float | None]]) -> bool:
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
    return numbers != {0.0} and (numbers <= {1.0, 2.0, 3.0, 4.0, 5.0} or numbers <= {0.0, 1.0})


def _rest_all_integers(rows: list[_Row], column: int) -> bool:
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
    parsed = [_parse_row(0, [str(c) for c in r], False) for r in rows]
    return _detect_label(parsed, list(header) if header is not None else None, first)


def _detect_label(rows: list[_Row], header: list[str] | None, first: int) -> int | None:
    widths = {r.width for r in rows}
    if not rows or max(widths) < 2:
        return None
    if header:
        for i, name in enumerate(header):
            if name.strip().strip('"').lower() in _LABEL_HEADERS:
                return -1 if i == len(header) - 1 and len(widths) > 1 else i
    for column in (first, -1):
        cells = _column_cells(rows, column)
        if not cells or not _is_label_like(cells):
            continue
        words_only = all(v is None for _, v in cells)
        if words_only or not _rest_all_integers(rows, column):
            if column == -1 and len(widths) == 1:
                return widths.pop() - 1
            return column
    return None


def _index_column(rows: list[_Row]) -> bool:
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


# --- rows --------------------------------------------------------------------------------------


class _Row:
    """One data row: its file line, cells and values (NaN where a cell is not a number)."""

    __slots__ = ("cells", "line", "numeric", "values", "width")

    def __init__(
        self,
        line: int,
        cells: list[str] | None,  # None when the block parser read it: every cell a number
        values: np.ndarray,
        numeric: np.ndarray | None = None,  # per-cell "is a number"; None when every cell is
    ):
        self.line = line
        self.cells = cells
        self.values = values
        self.numeric = numeric
        self.width = len(values)

    def value(self, i: int) -> float | None:
        if self.numeric is not None and not self.numeric[i]:
            return None
        return float(self.values[i])

    def text(self, i: int) -> str:
        return self.cells[i] if self.cells is not None else f"{self.values[i]:g}"


def _parse_row(line: int, cells: list[str], decimal_comma: bool) -> _Row:
    cells_in = [c.replace(",", ".") for c in cells] if decimal_comma else cells
    try:
        # numpy parses a list of str in C; per-cell float() is the slow path for bad rows only.
        return _Row(line, cells, np.array(cells_in, dtype=np.float64))
    except ValueError:
        parsed = [_to_float(c, decimal_comma) for c in cells]
        numeric = np.array([v is not None for v in parsed], dtype=bool)
        values = np.array([np.nan if v is None else v for v in parsed], dtype=np.float64)
        return _Row(line, cells, values, numeric)


def _parse_block(lines: list[str], delimiter: str, decimal_comma: bool) -> np.ndarray | None:
    """All rows at once in numpy's C parser, or None if any row needs a closer look.

    This is the fast path for a clean rectangular file: a ragged row, an empty or
    non-numeric cell or a trailing delimiter makes it fail, and the caller then goes row by row.
    """
    block = "\n".join(lines)
    if decimal_comma:
        block = block.replace(",", ".")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = np.loadtxt(
                io.StringIO(block),
                delimiter=None if delimiter == " " else delimiter,
                quotechar=None if delimiter == " " else '"',
                comments=None,
                dtype=np.float64,
                ndmin=2,
            )
    except ValueError:
        return None
    return table if table.shape[0] == len(lines) else None


def _parse_rows(numbered: list[tuple[int, str]], delimiter: str, decimal_comma: bool) -> list[_Row]:
    rows: list[_Row] = []
    # Chunks, so one bad row sends only its neighbours down the slow row-by-row path.
    for start in range(0, len(numbered), _BLOCK_ROWS):
        chunk = numbered[start : start + _BLOCK_ROWS]
        table = _parse_block([line for _, line in chunk], delimiter, decimal_comma)
        if table is not None:
            rows += [_Row(i, None, values) for (i, _), values in zip(chunk, table, strict=True)]
        else:
            rows += [_parse_row(i, _split(line, delimiter), decimal_comma) for i, line in chunk]
    return rows


def _shown(cell: str) -> str:
    cell = cell.strip()
    return cell if len(cell) <= _MAX_SHOWN_CELL else cell[: _MAX_SHOWN_CELL - 3] + "..."


def _problem(columns: list[int], what: str, plural: str, example: str = "") -> str:
    first = f"column {columns[0] + 1}{example}"
    if len(columns) == 1:
        return f"{first} {what}"
    return f"{len(columns)} values {plural} (first: {first})"


def _bad_values(values: np.ndarray, columns: list[int]) -> str | None:
    """Why ``values`` (from file ``columns``) cannot be a beat: NaN, infinite or huge."""
    finite = np.isfinite(values)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        where = [columns[i] for i in bad]
        if np.isnan(values[bad[0]]):
            return _problem(where, "is NaN (a missing value)", "are NaN or infinite")
        return _problem(where, "is infinite", "are NaN or infinite")
    huge = np.flatnonzero(np.abs(values) > _MAX_ABS)
    if huge.size:
        first = f"column {columns[huge[0]] + 1} ({values[huge[0]]:.3g})"
        if huge.size == 1:
            return f"{first} is too large for a heartbeat value (over 1e30)"
        return f"{huge.size} values are too large for a heartbeat (first: {first})"
    return None


def _row_problem(row: _Row, skip: set[int]) -> tuple[str | None, np.ndarray | None]:
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
        reason = _bad_values(values, [i for i in range(width) if i not in skip])
        if reason is not None:
            return reason, None
    if values.size < MIN_LENGTH:
        noun = "value" if values.size == 1 else "values"
        return f"has only {values.size} {noun}; a beat needs at least {MIN_LENGTH}", None
    return None, values


def _check_shape(rows: list[_Row]) -> None:
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
) -> ParsedBeats:
    """Parse CSV text or bytes (or a binary file object, read up to ``max_bytes``) into beats.

    ``label_column``: ``"auto"`` (see :func:`detect_label_column`), ``None`` for no label
    column, or a 0-based column index (negative counts from the end of each row). A label
    cell that is not a known label gives label 0 and the beat is still scored.

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

    raw = _read_input(data, max_bytes)
    if len(raw) == 0:
        raise UploadError(f"The file is empty; {_TRY_AGAIN}.")
    text, notes = _decode(raw, max_bytes)

    # A lone "\r" (old Mac files) ends a line in the editors a user checks line numbers in.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = [(i, line) for i, line in enumerate(lines, 1) if line.strip()]
    if not numbered:
        raise UploadError(f"The file contains only blank lines; {_TRY_AGAIN}.")
    if len(numbered) > max_rows + 1:  # a header is the only row allowed beyond the limit
        raise _too_many_rows(len(numbered), max_rows)

    delimiter = _detect_delimiter([line for _, line in numbered[:_SAMPLE_ROWS]])
    sample = [_split(line, delimiter) for _, line in numbered[:_SAMPLE_ROWS]]
    decimal_comma = _uses_decimal_comma(sample, delimiter)
    if decimal_comma:
        notes.append("Decimal commas were read as decimal points (e.g. 0,5 as 0.5)")

    has_header = _is_header(sample[0], sample[1] if len(sample) > 1 else None, decimal_comma)
    header = sample[0] if has_header else None
    if has_header:
        if _numeric_count(sample[0], decimal_comma) * 2 >= len(sample[0]):
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

    rows = _parse_rows(numbered, delimiter, decimal_comma)
    _check_shape(rows)

    skip: set[int] = set()
    index_col = False
    if label_column != 0 and _index_column(rows):
        index_col = True
        skip.add(0)
        notes.append("Column 1 holds row numbers (0, 1, 2, ...), so it was not used as beat values")

    if label_column == "auto":
        label_col = _detect_label(rows, header, 1 if index_col else 0)
    else:
        label_col = label_column
        widest = max(r.width for r in rows)
        if label_col is not None and not -widest <= label_col < widest:
            raise UploadError(
                f"Label column {label_col} is outside the table (rows have at most {widest} "
                f"columns); choose a column from 0 to {widest - 1}, or no label column."
            )

    binary = False
    if label_col is not None:
        binary = _is_binary_column(_column_cells(rows, label_col))

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
            code = _label_code(row.text(column) if value is None else "", value, binary)
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
                f"{count} row{' has' if count == 1 else 's have'} a label outside 1-5 "
                f"({examples}); {'it is' if count == 1 else 'they are'} scored without a label"
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
    )


# --- output ------------------------------------------------------------------------------------


def _class_name(names: Mapping[int, str] | Sequence[str], label: int) -> str:
    if isinstance(names, Mapping):
        return str(names.get(label, ""))
    # A sequence lists the names of class ids 1, 2, ... in order, like ECG5000's five classes.
    return str(names[label - 1]) if 1 <= label <= len(names) else ""


def scores_csv(
    lines: Sequence[int] | np.ndarray,
    errors: Sequence[float] | np.ndarray,
    verdicts: Sequence[Any] | np.ndarray,
    labels: Sequence[int] | np.ndarray | None = None,
    classes_names: Mapping[int, str] | Sequence[str] | None = None,
) -> str:
    """The downloadable scores table as CSV text.

    Columns: ``line`` (1-based line in the uploaded file), ``error`` (reconstruction
    error, 8 significant digits), ``verdict``; then ``label`` when ``labels`` is given
    (blank for unknown, 0) and ``class`` when ``classes_names`` is given too. A boolean
    verdict is written as ``abnormal`` (True) or ``normal`` (False); other verdicts as text.
    ``classes_names`` is a mapping from class id to name, or a sequence of the names of
    class ids 1, 2, ...
    """
    lines = list(lines)
    errors = list(errors)
    verdicts = list(verdicts)
    columns = [lines, errors, verdicts]
    if labels is not None:
        labels = list(labels)
        columns.append(labels)
    if len({len(c) for c in columns}) > 1:
        raise ValueError(
            "lines, errors, verdicts and labels must have the same length, got "
            + ", ".join(str(len(c)) for c in columns)
        )

    header = ["line", "error", "verdict"]
    if labels is not None:
        header.append("label")
        if classes_names is not None:
            header.append("class")

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for i in range(len(lines)):
        verdict = verdicts[i]
        if isinstance(verdict, bool | np.bool_):
            verdict = "abnormal" if verdict else "normal"
        error = float(errors[i])
        out = [int(lines[i]), f"{error:.8g}" if math.isfinite(error) else "", str(verdict)]
        if labels is not None:
            label = int(labels[i])
            out.append(label if label != UNKNOWN_LABEL else "")
            if classes_names is not None:
                out.append(_class_name(classes_names, label) if label else "")
        writer.writerow(out)
    return buffer.getvalue()
