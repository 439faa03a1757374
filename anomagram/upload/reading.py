"""From uploaded bytes to rows of numbers: size limits, decoding, binary sniffing, the
delimiter, decimal commas, the header, and a fast path for clean rectangular files."""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_BYTES = 5_000_000
MIN_LENGTH = 10  # values a beat needs at least; also how long a "0, 1, 2, ..." header must be

_DELIMITERS = (",", "\t", ";", "|", " ")  # " " means runs of whitespace; order breaks ties
_BLOCK_ROWS = 250
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d*,\d+(?:[eE][+-]?\d+)?\s*$")
# "1,234" is 1.234 with a decimal comma or 1234 with a thousands separator.
_THOUSANDS = re.compile(r"^\s*[+-]?[1-9]\d{0,2}(?:,\d{3})+\s*$")
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
# "05" or "-0": no program writes a whole number like that, but "-0,05" split on commas gives them.
_SPLIT_FRACTION = re.compile(r"^\s*(?:0\d+|-0)\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


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


def read_input(data: Any, max_bytes: int) -> bytes | str:
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


def _too_large(size: int, max_bytes: int, name: str = "The file") -> UploadError:
    return UploadError(
        f"{name} is {_mb(size)}, over the {_mb(max_bytes)} limit; split it into smaller "
        "files and score them one at a time."
    )


def check_size(size: int, max_bytes: int = MAX_BYTES, name: str = "The file") -> None:
    """Refuse a file by its size alone, before reading it (CLI: its size on disk; page: the
    uploader's count), with the message ``parse_beats`` gives for the same file."""
    if size > max_bytes:
        raise _too_large(size, max_bytes, name)


def _mb(size: int) -> str:
    # "5 MB" reads better than "5.0 MB" for the round limit.
    return f"{size / 1e6:.1f}".rstrip("0").rstrip(".") + " MB"


def _looks_like_text(text: str) -> bool:
    # CSV text has next to no control characters; binary data decoded by luck has plenty.
    sample = text[:65536]
    return len(_CONTROL.findall(sample)) <= len(sample) // 100


def decode(data: bytes | str, max_bytes: int) -> tuple[str, list[str]]:
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
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            raise _binary_error() from None
        notes.append("The file was read as UTF-16 text (it does not start with a mark saying so)")
        return text
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


def _utf16_without_bom(data: bytes) -> str | None:
    """The UTF-16 codec of a text file saved without a byte-order mark, or None.

    Text in a Latin script is ASCII digits and punctuation, so in UTF-16 every other byte is
    zero: the second of each pair in little-endian, the first in big-endian. Binary data
    rarely has that rhythm, and if it does the text checks after decoding still refuse it.
    """
    sample = data[:4096]
    if len(data) % 2 or len(sample) < 4:
        return None
    first, second = sample[0::2], sample[1::2]
    zeros_first, zeros_second = first.count(0) / len(first), second.count(0) / len(second)
    if zeros_second > 0.9 and zeros_first < 0.1:
        return "utf-16-le"
    if zeros_first > 0.9 and zeros_second < 0.1:
        return "utf-16-be"
    return None


# --- text to cells -----------------------------------------------------------------------------


def split_cells(line: str, delimiter: str) -> list[str]:
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


def to_float(cell: str, decimal_comma: bool) -> float | None:
    try:
        return float(cell.replace(",", ".") if decimal_comma else cell)
    except ValueError:
        return None


def numeric_count(cells: list[str], decimal_comma: bool) -> int:
    return sum(to_float(c, decimal_comma) is not None for c in cells)


def detect_delimiter(sample: list[str]) -> str:
    best, best_score = ",", (-1, 0)
    for delimiter in _DELIMITERS:
        numeric = other = 0
        for line in sample:
            cells = split_cells(line, delimiter)
            if len(cells) > 1:
                # A comma left inside a cell is a decimal comma: split on commas, only a quoted
                # cell ("0,5") keeps one.
                count = numeric_count(cells, True)
                numeric += count
                other += len(cells) - count
        # Fewer leftover cells breaks ties: "1 | 2" splits on spaces into numbers plus "|".
        score = (numeric, -other)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def uses_decimal_comma(sample_rows: list[list[str]], delimiter: str) -> bool:
    """Whether the commas inside values are decimal commas.

    Raises :class:`UploadError` when the file cannot say: every comma value looks like a
    thousands group ("1,234"), or commas both separate values and mark decimals ("0,5,1,25").
    """
    cells = [c for row in sample_rows for c in row]
    with_comma = [c for c in cells if "," in c]
    if not with_comma:
        if delimiter == "," and _split_decimals(sample_rows):
            raise UploadError(
                "The values seem to use commas both between values and as decimal points "
                "(like 0,5,1,25), which cannot be told apart; save the file with semicolons "
                'between the values (or with each value in quotes, like "0,5") and upload it again.'
            )
        return False
    if all(_THOUSANDS.match(c) for c in with_comma):
        example = with_comma[0].strip()
        raise UploadError(
            f"Values like '{example}' could mean {example.replace(',', '.')} or "
            f"{example.replace(',', '')}; save the file with dots as decimal points and no "
            "thousands separators, and upload it again."
        )
    return any(_DECIMAL_COMMA.match(c) for c in with_comma)


def _split_decimals(sample_rows: list[list[str]]) -> bool:
    """Unquoted decimal commas in a comma-separated file: "-0,05,1,25" reads as -0 | 05 | 1 | 25.

    Only whole numbers, at least one with a leading zero or "-0", never a decimal point, and
    cells of different widths (a zero-padded file of whole numbers has one width).
    """
    if any("." in c for row in sample_rows for c in row):
        return False
    integer_rows = [row for row in sample_rows if row and all(_INTEGER.match(c) for c in row)]
    cells = [c for row in integer_rows for c in row]
    widths = {len(c.strip().lstrip("+-")) for c in cells}
    return len(widths) > 1 and any(_SPLIT_FRACTION.match(c) for c in cells)


def is_header(first: list[str], second: list[str] | None, decimal_comma: bool) -> bool:
    if second is None:
        # A lone row is a header only if nothing in it is a number; otherwise it is one beat.
        return bool(first) and numeric_count(first, decimal_comma) == 0
    if _looks_like_header(first, decimal_comma):
        return not _looks_like_header(second, decimal_comma)
    return False


def _looks_like_header(cells: list[str], decimal_comma: bool) -> bool:
    values = [v for c in cells if (v := to_float(c, decimal_comma)) is not None]
    if len(values) * 2 < len(cells):
        return True
    # pandas writes its integer column names 0..n-1 as a numeric-looking header row.
    return (
        len(values) >= MIN_LENGTH
        and all(math.isfinite(v) and v == int(v) for v in values)
        and all(b - a == 1 for a, b in zip(values, values[1:], strict=False))
    )


# --- rows --------------------------------------------------------------------------------------


class Row:
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


def parse_row(line: int, cells: list[str], decimal_comma: bool) -> Row:
    cells_in = [c.replace(",", ".") for c in cells] if decimal_comma else cells
    try:
        # numpy parses a list of str in C; per-cell float() is the slow path for bad rows only.
        return Row(line, cells, np.array(cells_in, dtype=np.float64))
    except ValueError:
        parsed = [to_float(c, decimal_comma) for c in cells]
        numeric = np.array([v is not None for v in parsed], dtype=bool)
        values = np.array([np.nan if v is None else v for v in parsed], dtype=np.float64)
        return Row(line, cells, values, numeric)


def _parse_block(lines: list[str], delimiter: str, decimal_comma: bool) -> np.ndarray | None:
    """All rows at once in numpy's C parser, or None if any row needs a closer look.

    This is the fast path for a clean rectangular file: a ragged row, an empty or
    non-numeric cell or a trailing delimiter makes it fail, and the caller then goes row by row.
    """
    if decimal_comma and delimiter == ",":
        return None  # the commas inside quoted cells are decimal, the others not: row by row
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


def parse_rows(numbered: list[tuple[int, str]], delimiter: str, decimal_comma: bool) -> list[Row]:
    rows: list[Row] = []
    # Chunks, so one bad row sends only its neighbours down the slow row-by-row path.
    for start in range(0, len(numbered), _BLOCK_ROWS):
        chunk = numbered[start : start + _BLOCK_ROWS]
        table = _parse_block([line for _, line in chunk], delimiter, decimal_comma)
        if table is not None:
            # A row with NaN or infinity is read again with its cells, so its message can quote
            # what the file says ("1e400", not "inf").
            finite = np.isfinite(table).all(axis=1)
            rows += [
                Row(i, None, values)
                if ok
                else parse_row(i, split_cells(line, delimiter), decimal_comma)
                for (i, line), values, ok in zip(chunk, table, finite, strict=True)
            ]
        else:
            rows += [parse_row(i, split_cells(line, delimiter), decimal_comma) for i, line in chunk]
    return rows
