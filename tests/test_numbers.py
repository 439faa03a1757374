"""The one validation path for numbers and JSON from outside (anomagram.numbers)."""

import json
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anomagram.numbers import (
    MAX_DIGITS,
    MAX_JSON_DEPTH,
    JsonError,
    NumberError,
    finite_array,
    json_depth,
    parse_float,
    parse_int,
    safe_json_loads,
    shown,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("0.5", 0.5),
        (" -7 ", -7.0),
        ("1e3", 1000.0),
        ("1e-400", 0.0),  # underflows to zero: finite, so a number
        (3, 3.0),
        (2.5, 2.5),
        (np.float32(0.25), 0.25),
        (np.int64(4), 4.0),
        (10**20, 1e20),
    ],
)
def test_parse_float_accepts_finite_numbers(value, expected):
    assert parse_float(value, "The rate") == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("inf", "The rate must be a finite number, not 'inf'."),
        ("-Infinity", "must be a finite number"),
        ("nan", "must be a finite number"),
        ("1e400", "The rate must be a finite number, not '1e400'."),  # float() makes it inf
        (float("nan"), "must be a finite number, not nan."),
        (np.float64("inf"), "must be a finite number"),
        (10**400, "must be a number"),  # float() raises OverflowError
        ("abc", "The rate must be a number, not 'abc'."),
        ("", "must be a number"),
        (True, "must be a number, not True."),
        (np.bool_(False), "must be a number"),
        (None, "must be a number, not None."),
        ([1.0], "must be a number"),
        ({"a": 1}, "must be a number"),
        ("1" * 100_000, "must be a number"),
    ],
)
def test_parse_float_refuses_with_one_sentence(value, message):
    with pytest.raises(NumberError) as err:
        parse_float(value, "The rate")
    text = str(err.value)
    assert isinstance(err.value, ValueError) and message in text
    assert text.startswith("The rate") and text.endswith(".") and len(text) < 120


@pytest.mark.parametrize(
    "value, expected",
    [
        ("7", 7),
        ("+7", 7),
        ("-3", -3),
        ("7.0", 7),
        ("3e0", 3),
        (7.0, 7),
        (np.int32(5), 5),
        (np.float64(6.0), 6),
        ("2147483647", 2**31 - 1),
        ("9007199254740993", 2**53 + 1),  # exact: digits are not read through a float
        ("9" * MAX_DIGITS, int("9" * MAX_DIGITS)),
    ],
)
def test_parse_int_accepts_whole_numbers(value, expected):
    number = parse_int(value, "Seed")
    assert number == expected and type(number) is int


@pytest.mark.parametrize(
    "value, message",
    [
        ("inf", "Seed must be a whole number, not 'inf'."),
        ("1e400", "Seed must be a whole number, not '1e400'."),
        ("nan", "Seed must be a whole number"),
        ("2.5", "Seed must be a whole number, not '2.5'."),
        (2.5, "Seed must be a whole number, not 2.5."),
        ("9" * (MAX_DIGITS + 1), f"at most {MAX_DIGITS} digits"),
        ("9" * 100_000, f"at most {MAX_DIGITS} digits"),
        (10**400, f"at most {MAX_DIGITS} digits"),
        (1e300, f"at most {MAX_DIGITS} digits"),
        (True, "Seed must be a whole number, not True."),
        ("0x10", "Seed must be a whole number"),
        ("7,3", "Seed must be a whole number"),
        (None, "Seed must be a whole number"),
    ],
)
def test_parse_int_refuses_with_one_sentence(value, message):
    with pytest.raises(NumberError) as err:
        parse_int(value, "Seed")
    assert message in str(err.value) and len(str(err.value)) < 120


def test_a_megabyte_of_digits_is_refused_at_once():
    start = time.perf_counter()
    for value in ("9" * 1_000_000, "1" + "0" * 1_000_000 + ".5"):
        with pytest.raises(NumberError):
            parse_int(value, "Seed")
        with pytest.raises(NumberError):
            parse_float(value, "Rate")
    assert time.perf_counter() - start < 0.5


def test_messages_quote_only_a_short_part_of_the_value():
    with pytest.raises(NumberError) as err:
        parse_float("x" * 5000, "The rate")
    assert len(str(err.value)) < 80 and "…" in str(err.value)
    assert shown("abc") == "'abc'" and shown(2.5) == "2.5"
    assert len(shown("y" * 1000)) == 24


def test_finite_array():
    assert finite_array([1, 2.5], "Weights").tolist() == [1.0, 2.5]
    with pytest.raises(NumberError, match="Weights must be finite numbers, but 2 of them"):
        finite_array(np.array([[1.0, np.nan], [np.inf, 0.0]], np.float32), "Weights")
    with pytest.raises(NumberError, match="Weights must be numbers."):
        finite_array(["a", "b"], "Weights")


# --- JSON -------------------------------------------------------------------------------------


def test_safe_json_loads_reads_json():
    assert safe_json_loads(b'{"a": [1, 2.5, "x"]}', "Metadata", 100) == {"a": [1, 2.5, "x"]}
    assert safe_json_loads('{"a": "\\u00e9"}', "Metadata", 100) == {"a": "é"}


@pytest.mark.parametrize(
    "data, message",
    [
        (b"[" * 100_000 + b"]" * 100_000, f"Metadata nests deeper than {MAX_JSON_DEPTH} levels."),
        (b'{"a": ' * 51 + b"1" + b"}" * 51, "nests deeper than"),
        (b"[" * 100_000, "nests deeper than"),  # not even closed
        (b"{not json", "Metadata is not valid JSON."),
        (b"", "Metadata is not valid JSON."),
        (b'{"n": ' + b"9" * 5000 + b"}", "Metadata is not valid JSON."),  # int over 4300 digits
        (b'{"a": "\xff\xfe"}', "Metadata is not UTF-8 text."),
        (b" " * 1_000_001, "Metadata is 1,000,001 bytes; at most 1,000,000 bytes are accepted."),
    ],
)
def test_safe_json_loads_refuses_with_one_sentence(data, message):
    with pytest.raises(JsonError) as err:
        safe_json_loads(data, "Metadata", 1_000_000)
    assert message in str(err.value) and isinstance(err.value, ValueError)


def test_depth_ignores_brackets_inside_strings():
    brackets = json.dumps({"a": "[[[[{{{{" * 100, "b": ['x"]]]]\\', "\\\\"]})
    assert json_depth(brackets.encode()) == 2
    assert safe_json_loads(brackets, "Metadata", 10_000)["b"] == ['x"]]]]\\', "\\\\"]


def test_a_megabyte_of_brackets_is_measured_quickly():
    start = time.perf_counter()
    assert json_depth(b"[" * 500_000 + b"]" * 500_000) == 500_000
    assert time.perf_counter() - start < 0.5


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:'),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=30,
)


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


@given(_json)
def test_depth_matches_the_recursive_definition(value):
    assert json_depth(json.dumps(value).encode()) == _depth(value)
