"""The one way a number (or a JSON document) from outside becomes a value the app uses.

Links, the command line, model files and uploaded CSVs all hand over text or JSON values that a
visitor chose. Python's own conversions let through what breaks later: ``float("1e400")`` is
``inf``, ``float("nan")`` compares false with everything (so NaN is never "out of bounds"),
``int(1e400)`` raises ``OverflowError`` rather than ``ValueError``, ``int("9" * 10**6)`` chews
on megabytes, ``True`` is the integer 1, and ``json.loads`` of 100,000 nested brackets raises
``RecursionError``. Every parser calls these functions instead, so all of that ends the same
way: a :class:`NumberError` (or :class:`JsonError`), both ``ValueError``, with one sentence that
names what was being read.
"""

from __future__ import annotations

import json
import math
import numbers
import re

import numpy as np

# Longest text accepted as a number. The longest honest one here is a seed (10 digits) or a
# float written out in full by a spreadsheet (about 25 characters, like -1.2345678901234567e-05).
MAX_NUMBER_TEXT = 40
# Longest whole number, in digits: 30 digits is ~1e30, beyond every bound in the app, and
# int() of it costs nothing (int() of a megabyte of digits costs seconds).
MAX_DIGITS = 30
# Deepest JSON nesting accepted. A saved Keras config nests 13 levels and an Anomagram
# metadata entry 3; json.loads recurses once per level and gives up near Python's recursion
# limit (1000), so the depth is checked first, without recursing.
MAX_JSON_DEPTH = 50
# How much of an outside value a message quotes: enough to recognise it, never a page of it.
SHOWN_CHARS = 24

_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_NOT_BRACKETS = bytes(c for c in range(256) if chr(c) not in "[]{}")


class NumberError(ValueError):
    """A value cannot be read as the number asked for; the message says why in one sentence."""


class JsonError(ValueError):
    """A JSON document cannot be read; the message says why in one sentence."""


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """``value`` as a message quotes it: its repr, cut to ``limit`` characters."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _refuse(value: object) -> bool:
    # bool is an int subclass (True == 1) and numpy's bool is not a number at all; containers,
    # None, bytes and everything else are refused too, so a JSON list never becomes a number.
    return isinstance(value, bool | np.bool_) or not isinstance(value, str | numbers.Real)


def parse_float(value: object, what: str) -> float:
    """A finite float from a str, int, float or numpy scalar; ``what`` names it in the message."""
    if _refuse(value):
        raise NumberError(f"{what} must be a number, not {shown(value)}.")
    if isinstance(value, str):
        value = value.strip()
        if len(value) > MAX_NUMBER_TEXT:
            raise NumberError(f"{what} must be a number, not {shown(value)}.")
    try:
        number = float(value)
    except (ValueError, OverflowError):  # OverflowError: an int beyond float's range
        raise NumberError(f"{what} must be a number, not {shown(value)}.") from None
    if not math.isfinite(number):  # "inf", "nan", and "1e400" (which float() makes inf)
        raise NumberError(f"{what} must be a finite number, not {shown(value)}.")
    return number


def parse_int(value: object, what: str) -> int:
    """A whole number from a str (``"7"``, ``"7.0"``, ``"7e0"``), int, integral float or numpy
    scalar, at most :data:`MAX_DIGITS` digits; ``what`` names it in the message."""
    if _refuse(value):
        raise NumberError(f"{what} must be a whole number, not {shown(value)}.")
    if isinstance(value, numbers.Integral):
        number = int(value)
    elif isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        # Digits are read exactly by int(), not through a float that rounds past 2**53.
        if len(value.strip().lstrip("+-")) > MAX_DIGITS:
            raise NumberError(f"{what} must be a whole number of at most {MAX_DIGITS} digits.")
        number = int(value)
    else:
        try:
            as_float = parse_float(value, what)
        except NumberError:
            as_float = math.nan  # "inf" or "abc": the message below says what was wanted
        if not as_float.is_integer():
            raise NumberError(f"{what} must be a whole number, not {shown(value)}.")
        number = int(as_float)
    if abs(number) >= 10**MAX_DIGITS:  # compared, not printed: str() of a huge int is slow
        raise NumberError(f"{what} must be a whole number of at most {MAX_DIGITS} digits.")
    return number


def finite_array(values: object, what: str) -> np.ndarray:
    """``values`` as a float array, refused when any entry is NaN or infinite."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise NumberError(f"{what} must be numbers.") from None
    if not np.isfinite(array).all():
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise NumberError(f"{what} must be finite numbers, but {bad} of them are NaN or infinite.")
    return array


def json_depth(data: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest, counted without recursion.

    Brackets inside strings do not count. Escaped backslashes are dropped first, then escaped
    quotes, so every quote left opens or closes a string; the text outside strings is every
    other piece between quotes. All of it runs in C (bytes methods and numpy), so a megabyte of
    brackets takes milliseconds.
    """
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(unescaped.split(b'"')[::2])
    brackets = np.frombuffer(outside.translate(None, _NOT_BRACKETS), dtype=np.uint8)
    if brackets.size == 0:
        return 0
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def safe_json_loads(data: bytes | str, what: str, max_bytes: int) -> object:
    """``json.loads`` that only ever fails with a :class:`JsonError` naming ``what``.

    Refused before parsing: more than ``max_bytes``, text that is not UTF-8, nesting deeper
    than :data:`MAX_JSON_DEPTH`. Then any parse failure (bad syntax, a 5,000-digit integer,
    recursion) is reported the same way.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise JsonError(f"{what} is {len(raw):,} bytes; at most {max_bytes:,} bytes are accepted.")
    try:
        text = data if isinstance(data, str) else raw.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonError(f"{what} is not UTF-8 text.") from None
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise JsonError(f"{what} nests deeper than {MAX_JSON_DEPTH} levels.")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # ValueError covers JSONDecodeError
        raise JsonError(f"{what} is not valid JSON.") from None
