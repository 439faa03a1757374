"""Tests for anomagram.upload: a corpus of bad files, the good paths, and scores_csv."""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anomagram.upload import (
    ABNORMAL,
    MAX_BYTES,
    MAX_ROWS,
    MIN_LENGTH,
    SEQ_LEN,
    ParsedBeats,
    UploadError,
    check_size,
    detect_label_column,
    parse_beats,
    scores_csv,
)
from anomagram.upload.labels import UNKNOWN_LABEL, LabelClasses, class_codes


def beat(seed: int, n: int = SEQ_LEN) -> np.ndarray:
    # Noise keeps the values fractional, as in real ECG, so integer columns stand out as labels.
    t = np.linspace(0.0, 1.0, n)
    rng = np.random.default_rng(seed)
    return np.sin(2 * np.pi * 3 * t + seed) + 0.1 * rng.normal(size=n)


def row(seed: int, n: int = SEQ_LEN, sep: str = ",", label: object = None) -> str:
    cells = [f"{v:.5f}" for v in beat(seed, n)]
    if label is not None:
        cells.insert(0, str(label))
    return sep.join(cells)


def rows(k: int, **kwargs) -> str:
    return "\n".join(row(seed, **kwargs) for seed in range(k)) + "\n"


def parsed_beat(seed: int, n: int = SEQ_LEN) -> np.ndarray:
    """What parse_beats should return for row(seed) with z-normalisation on."""
    values = np.array([float(f"{v:.5f}") for v in beat(seed, n)])
    return ((values - values.mean()) / values.std()).astype(np.float32)


# --- the bad-input corpus ----------------------------------------------------------------------


@dataclass
class Case:
    name: str
    data: bytes
    error: str | None = None  # substring of the UploadError message
    rejected: dict[int, str] = field(default_factory=dict)  # line -> reason substring
    good_lines: list[int] | None = None
    warning: str | None = None  # substring of one warning
    kwargs: dict = field(default_factory=dict)
    check: object = None  # extra callable(ParsedBeats)


def _replace_cell(line: str, column: int, value: str, sep: str = ",") -> str:
    cells = line.split(sep)
    cells[column] = value
    return sep.join(cells)


def _corpus() -> list[Case]:
    good = [row(s) for s in range(5)]
    header = "label," + ",".join(f"t{i}" for i in range(SEQ_LEN))
    cases = [
        Case("empty", b"", error="The file is empty"),
        Case("whitespace_only", b"  \n\t\n\r\n   \n", error="only blank lines"),
        Case("header_only", (header + "\n").encode(), error="header row but no beats"),
        Case(
            "non_numeric_cell",
            "\n".join(good[:2] + [_replace_cell(good[2], 6, "abc")] + good[3:]).encode(),
            rejected={3: "column 7 ('abc') is not a number"},
            good_lines=[1, 2, 4, 5],
        ),
        Case(
            "nan",
            "\n".join([good[0], _replace_cell(good[1], 9, "NaN"), *good[2:4]]).encode(),
            rejected={2: "column 10 ('NaN') is a missing value (NaN)"},
            good_lines=[1, 3, 4],
        ),
        Case(
            "inf",
            "\n".join([*good[:2], _replace_cell(good[2], 0, "-inf")]).encode(),
            rejected={3: "column 1 ('-inf') is infinite"},
            good_lines=[1, 2],
        ),
        Case(
            "ragged_too_short",
            "\n".join([good[0], row(9, n=5), good[1]]).encode(),
            rejected={2: f"has only 5 values; a beat needs at least {MIN_LENGTH}"},
            good_lines=[1, 3],
        ),
        Case(
            "empty_cell_inside_row",
            "\n".join([_replace_cell(good[0], 4, ""), good[1]]).encode(),
            rejected={1: "column 5 is empty"},
            good_lines=[2],
        ),
        Case(
            "single_column",
            "\n".join(f"{v:.4f}" for v in beat(0)).encode(),
            error="single value",
        ),
        Case("no_delimiter_found", b"a/b/c\nd/e/f\ng/h/i\n", error="how the values are separated"),
        Case("semicolon", rows(3, sep=";").encode(), good_lines=[1, 2, 3]),
        Case("tab", rows(3, sep="\t").encode(), good_lines=[1, 2, 3]),
        Case(
            "whitespace_separated",
            # UCR's own .txt layout: runs of spaces, leading spaces, scientific notation.
            "\n".join("  " + "  ".join(f"{v: .7e}" for v in beat(s)) for s in range(3)).encode(),
            good_lines=[1, 2, 3],
        ),
        Case("binary_junk", np.random.default_rng(1).bytes(4096), error="binary file"),
        Case("control_bytes_no_nul", bytes(range(1, 32)) * 50, error="binary file"),
        Case(
            "png",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
            error="looks like a PNG image",
        ),
        Case("xlsx", b"PK\x03\x04\x14\x00\x06\x00" + bytes(64), error="Excel"),
        Case("huge", b"0.123456," * (MAX_BYTES // 9 + 1000), error="over the 5 MB limit"),
        Case(
            "too_many_rows",
            ("0.5," * 9 + "0.5\n").encode() * (MAX_ROWS + 1),
            error=f"{MAX_ROWS + 1:,} beats, over the limit of {MAX_ROWS:,}",
        ),
        Case(
            "label_unknown_values",
            "\n".join(
                [header]
                + [row(s, label=lab) for s, lab in enumerate(["1", "7", "?", "normal"])]
                + ["," + row(4)]  # empty label cell
            ).encode(),
            good_lines=[2, 3, 4, 5, 6],
            warning="3 rows have a label outside 1-5 ('7', '?', '(empty)')",
            check=lambda p: np.testing.assert_array_equal(p.labels, [1, 0, 0, 1, 0]),
        ),
        Case(
            "label_given_values_out_of_range",
            "\n".join([row(0, label=9), row(1, label=2)]).encode(),
            kwargs={"label_column": 0},
            good_lines=[1, 2],
            warning="1 row has a label outside 1-5 ('9'); it is scored without a label",
            check=lambda p: np.testing.assert_array_equal(p.labels, [0, 2]),
        ),
        Case(
            "label_given_outside_table",
            rows(2).encode(),
            kwargs={"label_column": 500},
            error="Label column 500 is outside the table",
        ),
        Case(
            "all_rows_bad",
            "\n".join(_replace_cell(r, 3, "x") for r in good[:3]).encode(),
            error="None of the 3 rows could be scored - line 1 column 4 ('x') is not a number",
        ),
        Case(
            "id_column",
            "\n".join(f"beat_{s}," + row(s) for s in range(3)).encode(),
            error="column 1 ('beat_0') is not a number",
        ),
        Case(
            "utf8_bom",
            b"\xef\xbb\xbf" + "\n".join([header, row(0, label=1), row(1, label=3)]).encode(),
            good_lines=[2, 3],
            check=lambda p: np.testing.assert_array_equal([p.label_column, *p.labels], [0, 1, 3]),
        ),
        Case(
            "windows_line_endings",
            "\r\n".join([good[0], good[1], "oops", good[2]]).encode() + b"\r\n",
            rejected={3: "column 1 ('oops') is not a number"},
            good_lines=[1, 2, 4],
        ),
        Case("old_mac_line_endings", "\r".join(good[:3]).encode(), good_lines=[1, 2, 3]),
        Case(
            "trailing_and_inner_blank_lines",
            (good[0] + "\n\n" + good[1] + "\n\n\n   \n").encode(),
            good_lines=[1, 3],
        ),
        Case(
            "quoted_numbers",
            "\n".join(",".join(f'"{c}"' for c in r.split(",")) for r in good[:2]).encode(),
            good_lines=[1, 2],
        ),
        Case(
            "european_decimal_commas",
            "\n".join(r.replace(",", ";").replace(".", ",") for r in good[:3]).encode(),
            good_lines=[1, 2, 3],
            warning="Decimal commas were read as decimal points",
        ),
        Case("one_good_row", good[0].encode(), good_lines=[1]),
        Case(
            "latin1_header",
            ("Température;" + ";".join(f"t{i}" for i in range(139)) + "\n").encode("latin-1")
            + rows(2, sep=";").encode(),
            good_lines=[2, 3],
            warning="read as Latin-1",
        ),
        Case(
            "utf16_excel_unicode_text",
            rows(2, sep="\t").encode("utf-16"),
            good_lines=[1, 2],
        ),
        Case(
            "value_too_large_for_float32",
            "\n".join([_replace_cell(good[0], 2, "3.5e38"), good[1]]).encode(),
            rejected={1: "column 3 (3.5e+38) is too large"},
            good_lines=[2],
        ),
        Case("nul_in_text", b"0.1,0.2\x00,0.3\n", error="binary file"),
        Case(
            "trailing_delimiters",
            "\n".join(r + ",,," for r in good[:2]).encode(),
            good_lines=[1, 2],
        ),
    ]
    return cases


CASE_NAMES = [c.name for c in _corpus()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Case]]:
    folder = tmp_path_factory.mktemp("upload_corpus")
    out = {}
    for case in _corpus():
        path = folder / f"{case.name}.csv"
        path.write_bytes(case.data)
        out[case.name] = (path, case)
    return out


def test_corpus_is_big_enough(corpus):
    assert len(corpus) >= 20
    assert len(set(CASE_NAMES)) == len(CASE_NAMES)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_corpus_case(corpus, name):
    path, case = corpus[name]
    data = path.read_bytes()
    if case.error is not None:
        with pytest.raises(UploadError) as info:
            parse_beats(data, **case.kwargs)
        message = str(info.value)
        assert case.error in message
        # One sentence telling the user what to do, never a traceback-ish repr.
        assert message.endswith(".") and "Traceback" not in message
        return

    parsed = parse_beats(data, **case.kwargs)
    assert {r.line: r.reason for r in parsed.rejected}.keys() == case.rejected.keys()
    for r in parsed.rejected:
        assert case.rejected[r.line] in r.reason
    assert parsed.lines.tolist() == case.good_lines
    assert parsed.beats.shape == (len(case.good_lines), SEQ_LEN)
    assert parsed.beats.dtype == np.float32
    assert np.isfinite(parsed.beats).all()
    if case.warning is not None:
        assert any(case.warning in w for w in parsed.warnings), parsed.warnings
    if case.check is not None:
        case.check(parsed)


# Cases whose good rows are exactly row(0), row(1), ... so the values can be checked too.
SAME_VALUES = {
    "semicolon": ";",
    "tab": "\t",
    "whitespace_separated": " ",
    "quoted_numbers": ",",
    "european_decimal_commas": ";",
    "old_mac_line_endings": ",",
    "utf16_excel_unicode_text": "\t",
    "trailing_delimiters": ",",
    "one_good_row": ",",
}


@pytest.mark.parametrize("name", sorted(SAME_VALUES))
def test_corpus_values_survive_the_format(corpus, name):
    path, _ = corpus[name]
    parsed = parse_beats(path.read_bytes())
    assert parsed.delimiter == SAME_VALUES[name]
    assert parsed.labels is None and parsed.label_column is None
    assert parsed.lengths.tolist() == [SEQ_LEN] * len(parsed.lines)
    for i, beat_values in enumerate(parsed.beats):
        # whitespace_separated uses 7 significant digits instead of 5 decimals.
        np.testing.assert_allclose(beat_values, parsed_beat(i), atol=2e-4)


def test_all_rows_bad_error_carries_the_rows(corpus):
    path, _ = corpus["all_rows_bad"]
    with pytest.raises(UploadError) as info:
        parse_beats(path.read_bytes())
    assert [r.line for r in info.value.rejected] == [1, 2, 3]


def test_huge_file_object_is_not_read_whole(corpus):
    path, _ = corpus["huge"]
    asked: list[int] = []

    class Recorder(io.BytesIO):
        def read(self, size=-1):
            asked.append(size)
            return super().read(size)

    with pytest.raises(UploadError, match="over the 5 MB limit"):
        parse_beats(Recorder(path.read_bytes()))
    assert asked == [MAX_BYTES + 1]


def test_row_limit_counts_beats_not_the_header():
    body = ("0.5," * 9 + "0.25\n") * 30
    parsed = parse_beats("a,b,c,d,e,f,g,h,i,j\n" + body, max_rows=30)
    assert len(parsed.lines) == 30 and parsed.has_header
    with pytest.raises(UploadError, match="31 beats"):
        parse_beats(body + body[:15], max_rows=30)


def test_text_input_limit_counts_utf8_bytes():
    text = "é" * 600  # 600 characters, 1200 bytes
    with pytest.raises(UploadError, match="over the"):
        parse_beats(text, max_bytes=1000)


# --- good paths --------------------------------------------------------------------------------


def ecg5000_like(k: int = 12) -> tuple[str, np.ndarray]:
    classes = np.array([1, 2, 1, 3, 4, 1, 5, 1, 2, 1, 1, 3][:k])
    return "\n".join(row(s, label=f"{c:.7e}") for s, c in enumerate(classes)), classes


def test_ecg5000_label_first_column_is_detected():
    text, classes = ecg5000_like()
    parsed = parse_beats(text)
    assert parsed.label_column == 0
    assert not parsed.has_header
    assert parsed.delimiter == ","
    np.testing.assert_array_equal(parsed.labels, classes)
    np.testing.assert_array_equal(parsed.lines, np.arange(1, len(classes) + 1))
    np.testing.assert_array_equal(parsed.lengths, [SEQ_LEN] * len(classes))
    np.testing.assert_allclose(parsed.beats[3], parsed_beat(3), atol=1e-5)
    assert parsed.rejected == () and parsed.warnings == ()


def test_header_with_label_name_in_last_column():
    header = ",".join(f"t{i}" for i in range(SEQ_LEN)) + ",Class"
    lines = [header] + [row(s) + f",{c}" for s, c in enumerate([2, 1, 1])]
    parsed = parse_beats("\n".join(lines))
    assert parsed.has_header
    assert parsed.label_column == SEQ_LEN
    np.testing.assert_array_equal(parsed.labels, [2, 1, 1])
    np.testing.assert_array_equal(parsed.lines, [2, 3, 4])
    np.testing.assert_allclose(parsed.beats[0], parsed_beat(0), atol=1e-5)


def test_without_labels():
    parsed = parse_beats(rows(4))
    assert parsed.labels is None and parsed.label_column is None
    assert parsed.beats.shape == (4, SEQ_LEN)


def test_label_column_none_keeps_label_like_first_column_as_a_value():
    text, _ = ecg5000_like(3)
    parsed = parse_beats(text, label_column=None, z_normalise=False)
    assert parsed.labels is None
    assert parsed.lengths.tolist() == [SEQ_LEN + 1] * 3
    assert parsed.beats[0, 0] == pytest.approx(1.0)  # the class id is now the first sample


def test_binary_last_column_follows_ecg5000_convention():
    # The TensorFlow autoencoder tutorial's ECG5000 copy: 140 values then 1.0 normal / 0.0 not.
    text = "\n".join(row(s) + f",{lab:.1f}" for s, lab in enumerate([1, 0, 1, 0]))
    parsed = parse_beats(text)
    assert parsed.label_column == SEQ_LEN
    np.testing.assert_array_equal(parsed.labels, [1, ABNORMAL, 1, ABNORMAL])
    assert any("1 = normal and 0 = abnormal" in w for w in parsed.warnings)


def test_label_words():
    text = "\n".join(row(s, label=w) for s, w in enumerate(["Normal", "ABNORMAL", "anomaly"]))
    parsed = parse_beats(text)
    assert parsed.label_column == 0
    np.testing.assert_array_equal(parsed.labels, [1, ABNORMAL, ABNORMAL])


def test_last_label_of_ragged_rows_is_reported_as_minus_one():
    text = "\n".join([row(0, n=140) + ",1", row(1, n=187) + ",3"])
    parsed = parse_beats(text, z_normalise=False)
    assert parsed.label_column == -1
    np.testing.assert_array_equal(parsed.labels, [1, 3])
    assert parsed.lengths.tolist() == [140, 187]


def test_pandas_index_column_is_not_a_sample():
    header = "," + ",".join(str(i) for i in range(SEQ_LEN))
    text = "\n".join([header] + [f"{s}," + row(s) for s in range(4)])
    parsed = parse_beats(text)
    assert parsed.has_header
    assert parsed.lengths.tolist() == [SEQ_LEN] * 4
    np.testing.assert_allclose(parsed.beats[2], parsed_beat(2), atol=1e-5)
    assert any("row numbers" in w for w in parsed.warnings)
    assert "Line 1 (0, 1, 2, ...) was read as column numbers, not as a beat" in parsed.warnings


def test_different_lengths_are_resampled_linearly():
    ramps = [np.arange(length, dtype=float) * 0.5 for length in (70, 140, 280)]
    text = "\n".join(",".join(f"{v:g}" for v in r) for r in ramps)
    parsed = parse_beats(text, z_normalise=False)
    assert parsed.lengths.tolist() == [70, 140, 280]
    for got, ramp in zip(parsed.beats, ramps, strict=True):
        expected = np.linspace(0.0, ramp[-1], SEQ_LEN)  # a ramp stays a ramp, ends kept
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-5)
    assert "Beats had 70 to 280 values; each was resampled to 140 values" in parsed.warnings


def test_uniform_length_resample_warning_and_interpolated_value():
    values = np.zeros(187)
    values[93] = 1.0  # peak in the middle; position 93 of 186 maps onto 69.5 of 139
    text = ",".join(f"{v:g}" for v in values) + "\n" + row(1, n=187)
    parsed = parse_beats(text, z_normalise=False)
    assert "Beats were resampled from 187 to 140 values" in parsed.warnings
    position = np.linspace(0, 186, SEQ_LEN)
    expected = np.interp(position, np.arange(187), values)
    np.testing.assert_allclose(parsed.beats[0], expected, atol=1e-6)
    assert parsed.beats[0].max() == pytest.approx(expected.max()) and expected.max() < 1.0


def test_z_normalise_switch():
    raw = parse_beats(rows(3), z_normalise=False)
    normed = parse_beats(rows(3))
    expected_raw = np.array([[float(f"{v:.5f}") for v in beat(s)] for s in range(3)])
    np.testing.assert_allclose(raw.beats, expected_raw, atol=1e-6)
    np.testing.assert_allclose(normed.beats.mean(axis=1), 0.0, atol=1e-5)
    np.testing.assert_allclose(normed.beats.std(axis=1), 1.0, atol=1e-5)
    assert not np.allclose(raw.beats, normed.beats)


def test_flat_beat_is_scored_with_a_warning():
    parsed = parse_beats(",".join(["0.5"] * 20) + "\n" + row(1))
    np.testing.assert_array_equal(parsed.beats[0], np.zeros(SEQ_LEN))
    assert any("1 beat is flat" in w for w in parsed.warnings)


def test_parse_returns_frozen_result():
    parsed = parse_beats(rows(2))
    assert isinstance(parsed, ParsedBeats)
    with pytest.raises(AttributeError):
        parsed.has_header = True  # type: ignore[misc]


def test_ten_thousand_beats_parse_quickly():
    # 50 distinct rows repeated: formatting 1.4M fresh floats would cost more than the parse.
    distinct = [row(s) for s in range(50)]
    classes = np.tile(np.arange(50) % 5 + 1, MAX_ROWS // 50)
    body = "\n".join(f"{c}," + distinct[i % 50] for i, c in enumerate(classes))
    start = time.perf_counter()
    parsed = parse_beats(body, max_bytes=len(body))
    elapsed = time.perf_counter() - start
    assert parsed.beats.shape == (MAX_ROWS, SEQ_LEN)
    np.testing.assert_array_equal(parsed.labels, classes)
    np.testing.assert_allclose(parsed.beats[51], parsed_beat(1), atol=1e-5)
    # About 0.3 s on an idle machine; the bound only catches a slide into per-cell Python loops.
    assert elapsed < 2.0


# --- detect_label_column -----------------------------------------------------------------------


def test_detect_label_column_rules():
    floats = [[f"{v:.3f}" for v in beat(s, 12)] for s in range(3)]
    assert detect_label_column([["2", *r] for r in floats]) == 0
    assert detect_label_column([[*r, "0"] for r in floats[:2]] + [[*floats[2], "1"]]) == 12
    assert detect_label_column(floats) is None
    # Beats in ADC counts: a 1..5 column stands apart from values that are never 0..5...
    assert detect_label_column([["1", "512", "515", "530"], ["2", "498", "500", "505"]]) == 0
    # ...but not from beats that are themselves small integers.
    assert detect_label_column([["1", "2", "4", "3"], ["2", "0", "5", "3"]]) is None
    # ...but label words are never beat values.
    assert detect_label_column([["normal", "512", "515"], ["abnormal", "498", "500"]]) == 0
    # A column of zeros is a beat starting at the baseline, not "all abnormal".
    assert detect_label_column([["0", *r] for r in floats]) is None
    # Mixed 0 and 3 is neither ECG5000 ids nor 0/1.
    assert detect_label_column([["0", *floats[0]], ["3", *floats[1]]]) is None
    assert detect_label_column(floats, header=[f"t{i}" for i in range(11)] + ["Target"]) == 11


# --- scores_csv --------------------------------------------------------------------------------


def test_scores_csv_with_labels_and_class_names():
    out = scores_csv(
        np.array([2, 3, 5]),
        np.array([0.0123456789, 1.5, 2e-9]),
        np.array([False, True, True]),
        labels=np.array([1, 0, 3]),
        classes_names={1: "Normal", 3: "Premature ventricular contraction"},
    )
    assert out == (
        "line,error,verdict,label,class\n"
        "2,0.012345679,normal,1,Normal\n"
        "3,1.5,abnormal,,\n"
        "5,2e-09,abnormal,3,Premature ventricular contraction\n"
    )


def test_scores_csv_minimal_and_sequence_names():
    assert scores_csv([7], [0.25], ["anomaly"]) == "line,error,verdict\n7,0.25,anomaly\n"
    names = ["Normal", "R-on-T, PVC"]  # the comma must be quoted
    out = scores_csv([1, 2], [0.1, 0.2], ["normal", "abnormal"], [2, ABNORMAL], names)
    assert out.splitlines()[1:] == ['1,0.1,normal,2,"R-on-T, PVC"', "2,0.2,abnormal,6,"]


def test_scores_csv_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        scores_csv([1, 2], [0.1], ["normal", "normal"])


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400)))
def test_garbage_never_raises_anything_but_upload_error(data):
    try:
        parsed = parse_beats(data)
    except UploadError as err:
        assert str(err).endswith(".")
        return
    assert parsed.beats.shape[1] == SEQ_LEN
    assert len(parsed.lines) + len(parsed.rejected) >= 1
    assert np.isfinite(parsed.beats).all()


JUNK = st.sampled_from(["abc", "1,2,3", "nan," * 20, ";;;", "\t", "x" * 30, "0.5"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 50), JUNK), min_size=1, max_size=12))
def test_every_row_is_scored_or_rejected_with_its_line(items):
    text_lines = [row(x) if isinstance(x, int) else x for x in items]
    good = [i for i, x in enumerate(items, 1) if isinstance(x, int)]
    nonblank = [i for i, line in enumerate(text_lines, 1) if line.strip()]
    if not good:
        return
    parsed = parse_beats("\n".join(text_lines), label_column=None)
    assert parsed.lines.tolist() == good
    if parsed.has_header:  # a junk first line followed by a beat reads as a header
        nonblank = nonblank[1:]
    kept_or_rejected = sorted(parsed.lines.tolist() + [r.line for r in parsed.rejected])
    assert kept_or_rejected == nonblank


# --- guesses: integer beats with labels, decimal commas, UTF-16 without a mark ----------------


def adc_counts(k: int, scale: float = 1000.0) -> np.ndarray:
    """k ECG-like beats as whole numbers, as a device's raw ADC counts would be."""
    return np.round(np.array([beat(s) for s in range(k)]) * scale).astype(int)


def int_rows(values: np.ndarray, labels=None, last: bool = False) -> str:
    lines = []
    for i, v in enumerate(values):
        cells = [str(x) for x in v]
        if labels is not None:
            cells = [*cells, str(labels[i])] if last else [str(labels[i]), *cells]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("last", [False, True])
def test_label_column_of_integer_beats_is_found_and_said(tmp_path, last):
    counts = adc_counts(6)
    labels = [1, 2, 1, 3, 5, 1]
    path = tmp_path / "adc.csv"
    path.write_text(int_rows(counts, labels, last=last))
    parsed = parse_beats(path.read_bytes(), z_normalise=False)
    assert parsed.label_column == (SEQ_LEN if last else 0)
    np.testing.assert_array_equal(parsed.labels, labels)
    np.testing.assert_array_equal(parsed.beats, counts)  # 140 values each: nothing resampled
    column = SEQ_LEN + 1 if last else 1
    assert f"Column {column} holds only the whole numbers 1, 2, 3, 5, unlike the beat values" in (
        " ".join(parsed.warnings)
    )
    assert not any("resampled" in w for w in parsed.warnings)
    # The user can still say the column is part of the beats.
    kept = parse_beats(path.read_bytes(), label_column=None, z_normalise=False)
    assert kept.labels is None and kept.lengths.tolist() == [SEQ_LEN + 1] * 6


def test_binary_label_column_of_integer_beats():
    parsed = parse_beats(int_rows(adc_counts(4), [1, 0, 0, 1], last=True))
    assert parsed.label_column == SEQ_LEN
    np.testing.assert_array_equal(parsed.labels, [1, ABNORMAL, ABNORMAL, 1])


def test_integer_guess_stays_off_when_the_beats_could_hold_those_values():
    # Beats in coarse units (-12..12): a fifth of their values are 0..5, so one row whose
    # first sample is 3 proves nothing, and no label column is guessed...
    coarse = adc_counts(8, scale=10.0)
    one = np.insert(coarse[:1], 0, 3, axis=1)
    assert parse_beats(int_rows(one)).labels is None
    # ...while eight rows that all start with 1..5 would be a 4-in-a-million accident.
    parsed = parse_beats(int_rows(coarse, [1, 2, 3, 4, 5, 1, 2, 3]))
    assert parsed.label_column == 0
    # Beats that live within 0..5 (a 3-bit signal) never have a column standing apart.
    small = np.random.default_rng(3).integers(0, 6, size=(10, SEQ_LEN))
    small[:, 0] = np.arange(10) % 5 + 1
    assert parse_beats(int_rows(small)).labels is None


def test_comma_decimals_in_a_comma_separated_file_are_read(tmp_path):
    pd = pytest.importorskip("pandas")
    values = np.array([beat(s) for s in range(3)]).round(5)
    path = tmp_path / "pandas_decimal_comma.csv"
    # pandas quotes every value holding the separator: "0,5","-1,25"; its header is 0..139.
    pd.DataFrame(values).to_csv(path, decimal=",", index=False)
    assert '"' in path.read_text()
    parsed = parse_beats(path.read_bytes(), z_normalise=False)
    assert parsed.delimiter == "," and parsed.has_header
    np.testing.assert_allclose(parsed.beats, values, atol=1e-6)
    assert any("Decimal commas were read" in w for w in parsed.warnings)


def test_european_excel_semicolons_with_header_and_label(tmp_path):
    header = "Klasse;" + ";".join(f"t{i}" for i in range(SEQ_LEN))
    lines = [header] + [row(s, sep=";", label=c).replace(".", ",") for s, c in enumerate([1, 4])]
    path = tmp_path / "excel_de.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    parsed = parse_beats(path.read_bytes())
    assert parsed.delimiter == ";" and parsed.label_column == 0
    np.testing.assert_array_equal(parsed.labels, [1, 4])
    np.testing.assert_allclose(parsed.beats[1], parsed_beat(1), atol=1e-5)


@pytest.mark.parametrize(
    "text, message",
    [
        # Commas both between values and as decimal points, nothing quoted.
        (
            "\n".join(",".join(f"{v:.3f}".replace(".", ",") for v in beat(s)) for s in range(3)),
            "cannot be told apart; save the file with semicolons",
        ),
        # Every value "1,234": a decimal comma or a thousands separator?
        (
            "\n".join(",".join(f'"{1000 + s * 7 + i:,}"' for i in range(20)) for s in range(3)),
            "Values like '1,000' could mean 1.000 or 1000",
        ),
    ],
)
def test_ambiguous_commas_get_a_message_saying_what_to_do(tmp_path, text, message):
    path = tmp_path / "ambiguous.csv"
    path.write_text(text)
    with pytest.raises(UploadError, match=re.escape(message)):
        parse_beats(path.read_bytes())


def test_whole_numbers_with_leading_zeros_are_not_mistaken_for_split_decimals():
    # A zero-padded export: every cell the same width, so no decimal was split.
    text = "\n".join(",".join(f"{x:04d}" for x in r) for r in adc_counts(3) + 3000)
    parsed = parse_beats(text, z_normalise=False)
    np.testing.assert_array_equal(parsed.beats, adc_counts(3) + 3000)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark(tmp_path, codec):
    path = tmp_path / "unicode.txt"
    path.write_bytes(rows(3, sep="\t").encode(codec))
    parsed = parse_beats(path.read_bytes())
    assert parsed.lines.tolist() == [1, 2, 3]
    np.testing.assert_allclose(parsed.beats[2], parsed_beat(2), atol=1e-5)
    assert any("read as UTF-16" in w for w in parsed.warnings)


def test_binary_with_every_other_byte_zero_is_still_binary():
    # Small 16-bit samples stored raw: the rhythm of UTF-16, but decoded they are control codes.
    data = (np.arange(2000) % 30).astype("<u2").tobytes()
    with pytest.raises(UploadError, match="binary file"):
        parse_beats(data)


def test_every_non_finite_cell_is_named_with_its_line():
    lines = [row(s) for s in range(400)]  # over one block, so the fast path meets them too
    for line, cell in [(3, "1e400"), (260, "nan"), (399, "-Infinity")]:
        lines[line - 1] = _replace_cell(lines[line - 1], 5, cell)
    parsed = parse_beats("\n".join(lines))
    assert {r.line: r.reason for r in parsed.rejected} == {
        3: "column 6 ('1e400') is too large for a heartbeat value (over 1e30)",
        260: "column 6 ('nan') is a missing value (NaN)",
        399: "column 6 ('-Infinity') is infinite",
    }
    assert len(parsed.lines) == 397 and np.isfinite(parsed.beats).all()


def test_check_size_refuses_by_size_alone():
    check_size(MAX_BYTES)
    with pytest.raises(UploadError, match=r"^big\.csv is 1000 MB, over the 5 MB limit; split"):
        check_size(10**9, name="big.csv")


# --- labels read as the classes of a model's dataset (issue 15) ---------------------------------

ECG200_BLOCK = {  # what an ECG200 model's file says about its data (sources.describe)
    "name": "ECG200",
    "key": "ucr:ECG200",
    "labelled": True,
    "normal_class": "1",
    "counts": {"-1": 67, "1": 133},
    "class_names": {"-1": "Myocardial infarction", "1": "Normal"},
}


def ecg200_classes() -> LabelClasses:
    classes = LabelClasses.of_model(ECG200_BLOCK)
    assert classes is not None
    return classes


def test_a_models_classes_come_from_its_dataset_block():
    classes = ecg200_classes()
    # The normal class is code 1, as in ECG5000's reading; the others follow it.
    assert classes.labels == ("1", "-1") and classes.codes == (1, 2)
    assert classes.names_by_code() == {1: "Normal", 2: "Myocardial infarction"}
    assert classes.dataset == "ECG200"
    # ECG5000's models and files that do not describe their data keep ECG5000's reading.
    assert LabelClasses.of_model(None) is None
    assert LabelClasses.of_model({**ECG200_BLOCK, "key": "ecg5000"}) is None
    assert LabelClasses.of_model({**ECG200_BLOCK, "normal_class": "7"}) is None
    # Data without labels has no classes: only the words are read.
    unlabelled = LabelClasses.of_model(
        {
            "name": "rec.csv",
            "key": "csv:rec.csv",
            "labelled": False,
            "normal_class": "unlabelled",
            "counts": {"unlabelled": 300},
        }
    )
    assert unlabelled is not None and unlabelled.labels == ()
    assert unlabelled.names_by_code() == {1: "Normal"}


def test_class_codes_skip_the_code_of_abnormal_without_a_class():
    assert class_codes(2) == (1, 2)
    assert class_codes(7) == (1, 2, 3, 4, 5, 7, 8)
    assert ABNORMAL not in class_codes(40) and len(set(class_codes(40))) == 40
    many = LabelClasses.of_model(
        {"name": "m", "key": "ucr:M", "normal_class": "a", "counts": {c: 10 for c in "abcdefg"}}
    )
    assert many is not None and many.codes == class_codes(7)
    assert many.names_by_code()[7] == "Class f"


def test_ecg200_labels_are_found_and_read_for_an_ecg200_model():
    classes = ecg200_classes()
    labels = ["-1", "1", "1", "-1", "1"]
    text = "\n".join(row(s, n=96, label=lab) for s, lab in enumerate(labels)) + "\n"
    parsed = parse_beats(text, n=96, classes=classes)
    # A first column of -1 and 1 beside 96 float values is this model's label column...
    assert parsed.label_column == 0 and parsed.beats.shape == (5, 96)
    assert list(parsed.labels) == [2, 1, 1, 2, 1] and parsed.classes == classes
    assert not parsed.warnings
    np.testing.assert_allclose(parsed.beats[0], parsed_beat(0, 96), atol=1e-5)
    assert detect_label_column([c.split(",") for c in text.split()], classes=classes) == 0
    # ...and, read as ECG5000's, not a label column (-1 is no ECG5000 label): beat values.
    ecg5000 = parse_beats(text, n=96)
    assert ecg5000.label_column is None and ecg5000.labels is None
    assert detect_label_column([c.split(",") for c in text.split()]) is None


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("1", 1),
        ("1.0", 1),
        (" 1 ", 1),
        ("+1", 1),
        ("-1", 2),
        ("-1.000", 2),
        ("-1e0", 2),
        ("Normal", 1),
        ("NORMAL", 1),
        ("myocardial INFARCTION", 2),
        ('"Myocardial infarction"', 2),
        ("abnormal", ABNORMAL),
        ("Anomaly", ABNORMAL),
        ("2", UNKNOWN_LABEL),  # an ECG5000 class, not one of ECG200's
        ("0", UNKNOWN_LABEL),  # not 1 = normal / 0 = abnormal: that is ECG5000's convention
        ("MI", UNKNOWN_LABEL),
        ("nan", UNKNOWN_LABEL),
        ("inf", UNKNOWN_LABEL),
        ("", UNKNOWN_LABEL),
    ],
)
def test_an_ecg200_label_cell_is_read_as_its_class(cell, code):
    text = "label," + ",".join(f"t{i}" for i in range(96)) + "\n"
    text += "\n".join(
        f"{lab}," + ",".join(f"{v:.5f}" for v in beat(s, 96))
        for s, lab in enumerate(["1", "-1", cell])
    )
    parsed = parse_beats(text, n=96, classes=ecg200_classes())
    assert parsed.label_column == 0 and len(parsed.beats) == 3
    assert list(parsed.labels) == [1, 2, code]


def test_an_unknown_label_is_scored_and_named_in_a_note():
    classes = ecg200_classes()
    labels = ["1", "-1", "2", "1", "3", "-1", "2"]
    text = "\n".join(row(s, n=96, label=lab) for s, lab in enumerate(labels)) + "\n"
    parsed = parse_beats(text, n=96, classes=classes)
    # ECG5000's ids among ECG200's labels: the column is still labels, the ids unknown.
    assert parsed.label_column == 0 and len(parsed.beats) == 7
    assert list(parsed.labels) == [1, 2, 0, 1, 0, 2, 0]
    assert parsed.warnings == (
        "3 rows have a label that is none of ECG200's classes (1, -1, their names, normal, "
        "abnormal) ('2', '3'); they are scored without a label",
    )


def test_words_still_work_for_every_model():
    text = rows(4, n=96, label="normal").replace("normal", "abnormal", 2)
    for classes in (None, ecg200_classes(), LabelClasses((), (), "rec.csv")):
        parsed = parse_beats(text, n=96, classes=classes)
        assert parsed.label_column == 0 and list(parsed.labels) == [ABNORMAL, ABNORMAL, 1, 1]


def test_a_recordings_0_and_1_are_its_own_classes_not_ecg5000s_convention():
    block = {
        "name": "rec.csv",
        "key": "csv:rec.csv",
        "normal_class": "0",
        "counts": {"0": 380, "1": 19},
        "class_names": {"0": "Normal", "1": "Anomaly"},
    }
    classes = LabelClasses.of_model(block)
    text = "\n".join(row(s, n=50, label=lab) for s, lab in enumerate("01101")) + "\n"
    parsed = parse_beats(text, n=50, classes=classes)
    assert parsed.label_column == 0 and list(parsed.labels) == [1, 2, 2, 1, 2]
    assert not any("ECG5000 convention" in w for w in parsed.warnings)
    # The class named Anomaly is that class, before the word that means "abnormal".
    parsed = parse_beats(rows(2, n=50, label="anomaly"), n=50, classes=classes)
    assert list(parsed.labels) == [2, 2]
    # Read as ECG5000's, the same file has 1 = normal and 0 = abnormal, as before.
    assert list(parse_beats(text, n=50).labels) == [ABNORMAL, 1, 1, ABNORMAL, 1]


def test_text_labels_of_a_csv_dataset_are_read_in_any_case():
    block = {
        "name": "windows.csv",
        "key": "csv:windows.csv",
        "normal_class": "normal",
        "counts": {"normal": 200, "spike": 40},
        "class_names": {"normal": "normal", "spike": "spike"},
    }
    classes = LabelClasses.of_model(block)
    labels = ["normal", "SPIKE", " Spike ", "drift"]
    text = "\n".join(row(s, n=40, label=lab) for s, lab in enumerate(labels)) + "\n"
    parsed = parse_beats(text, n=40, label_column=0, classes=classes)
    assert list(parsed.labels) == [1, 2, 2, 0]
    assert "'drift'" in parsed.warnings[-1]


def test_labels_of_integer_beats_stand_apart_by_the_models_range():
    classes = ecg200_classes()
    # Beats in raw ADC counts: a -1 / 1 column stands apart from values around 500.
    raw = [
        [lab, *(str(500 + (i * 7 + s) % 40) for i in range(96))]
        for s, lab in enumerate(["1", "-1", "1", "-1"])
    ]
    text = "\n".join(",".join(r) for r in raw)
    parsed = parse_beats(text, n=96, classes=classes, z_normalise=False)
    assert parsed.label_column == 0 and list(parsed.labels) == [1, 2, 1, 2]
    assert parsed.warnings[0].startswith("Column 1 holds only the whole numbers -1, 1, unlike")
    # Beats that are themselves small integers keep every column as values.
    small = "\n".join(
        ",".join([lab, *(str((i + s) % 3 - 1) for i in range(20))])
        for s, lab in enumerate(["1", "-1", "1"])
    )
    assert parse_beats(small, n=20, classes=classes, z_normalise=False).label_column is None


def test_a_hostile_dataset_block_reads_safely():
    markup = "[x](http://evil) <b>"
    block = {
        "name": "**bold**",
        "key": "csv:x.csv",
        "normal_class": markup,
        "counts": {markup: 5, "b": 4, "c": 3},
        # Two classes named alike still get a name each: tables and charts tell them apart.
        "class_names": {markup: "Same", "b": "Same", "c": "1"},
    }
    classes = LabelClasses.of_model(block)
    assert classes.names == ("Same", "Same (2)", "1")
    # A label before a name: "1" as a cell is a number, matched as no class's label here.
    lines = [
        f"{lab}," + ",".join(f"{v:.5f}" for v in beat(s, 30))
        for s, lab in enumerate([markup.upper(), "same (2)", "c", "1"])
    ]
    parsed = parse_beats("\n".join(lines), n=30, label_column=0, classes=classes)
    assert list(parsed.labels) == [1, 2, 3, 0]
    with pytest.raises(ValueError, match="classes must be a LabelClasses"):
        parse_beats(rows(2), classes={"1": "Normal"})


def test_an_ecg5000_model_with_another_normal_class_reads_class_1_as_abnormal():
    from anomagram import sources
    from anomagram.spec import Spec
    from anomagram.upload.labels import NORMAL_LABEL, LabelClasses

    usual = sources.describe(sources.load(Spec()))
    assert LabelClasses.of_model(usual) is None  # ECG5000's own reading
    pvc = sources.describe(sources.load(Spec(normal_class="3")))
    classes = LabelClasses.of_model(pvc)
    assert classes is not None and classes.labels[0] == "3"
    parsed = parse_beats(
        "3," + ",".join(["0.1"] * 20) + "\n1," + ",".join(["0.2"] * 20), n=20, classes=classes
    )
    assert parsed.labels[0] == NORMAL_LABEL and parsed.labels[1] != NORMAL_LABEL
