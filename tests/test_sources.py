"""Where a Dataset comes from (anomagram.sources): ECG5000, UCR by name, a CSV of windows, a
long recording cut into windows; and, end to end, that two of them train to a useful AUC."""

import hashlib
import re
import time
import tracemalloc

import numpy as np
import pytest

from anomagram import metrics, sources
from anomagram.data import MIN_NORMAL, DataError, compose, load_ecg5000
from anomagram.sources import (
    MAX_BYTES,
    MAX_WINDOWS,
    SourceError,
    csv_key,
    read_recording,
    read_windows,
)
from anomagram.spec import FIELDS, Spec

# --- helpers -----------------------------------------------------------------------------------


def _values(n, length=20, seed=0):
    """``n`` rows of ``length`` values with three decimals (never all whole numbers)."""
    rng = np.random.default_rng(seed)
    return [[f"{v:.3f}" for v in rng.normal(size=length)] for _ in range(n)]


def _windows(labels, length=20, sep=",", header=None, label_at="first", seed=0):
    """A CSV of windows, one per label (None: no label column)."""
    rows = []
    for label, values in zip(labels, _values(len(labels), length, seed), strict=True):
        if label is None:
            rows.append(values)
        else:
            rows.append([str(label), *values] if label_at == "first" else [*values, str(label)])
    lines = [sep.join(row) for row in rows]
    return "\n".join(([header] if header else []) + lines) + "\n"


def _digest(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


# --- ECG5000: unchanged ------------------------------------------------------------------------


def test_ecg5000_through_sources_is_the_same_dataset():
    ds = sources.load(Spec())
    assert ds is load_ecg5000()
    assert ds.key == "ecg5000" and ds.length == 140 and ds.normal == 1
    assert sources.load(Spec(dataset="ucr:ecg5000")) is ds  # by its UCR name too


def test_ecg5000_default_split_is_unchanged():
    # Digests of compose() with the default Spec, computed with the code before datasets
    # (commit f4abb65) and with the current code: identical arrays, seed by seed.
    ds, spec = sources.load(Spec()), Spec()
    expected = {0: "a59462a656c965c4", 1: "ab3ba7b2ea1a3c43"}
    for seed, digest in expected.items():
        split = compose(
            ds,
            train_size=spec.train_size,
            test_size=spec.test_size,
            abnormal_pct=spec.abnormal_pct,
            seed=seed,
        )
        assert split.train_x.shape == (2500, 140) and split.test_x.shape == (500, 140)
        assert split.notes == ()
        assert _digest(split.train_x, split.train_y, split.test_x, split.test_y) == digest
    split = compose(ds, train_size=1000, test_size=200, abnormal_pct=30, seed=5)
    assert _digest(split.train_x, split.train_y, split.test_x, split.test_y) == "15affb67817ec325"


# --- UCR by name -------------------------------------------------------------------------------


def test_ecg200_by_name():
    ds = sources.load(Spec(dataset="ucr:ECG200"))
    assert ds.x.shape == (200, 96) and ds.x.dtype == np.float32
    assert ds.counts == {-1: 67, 1: 133}
    assert ds.normal == 1 and ds.class_name(1) == "Normal"
    assert ds.key == "ucr:ECG200" and ds.labelled and ds.fixed_test is None
    assert sources.for_data(Spec(), ds).length == 96


@pytest.mark.parametrize("name", ["ecg200", "Ecg200", " ECG200 "])
def test_ucr_names_are_case_insensitive(name):
    assert sources.load_ucr(name).key == "ucr:ECG200"


def test_unknown_ucr_name_points_at_the_list():
    with pytest.raises(SourceError, match="datasets") as info:
        sources.load(Spec(dataset="ucr:NoSuchSet"))
    assert "NoSuchSet" in str(info.value)
    assert "ECG5000" not in sources.ucr_names() and "ECG200" in sources.ucr_names()


def test_variable_length_ucr_set_is_resampled_with_a_note():
    ds = sources.load_ucr("AllGestureWiimoteX")
    assert np.isfinite(ds.x).all() and len(ds.y) == 1000
    assert 385 <= ds.length <= 500  # its longest series / the width its files pad to
    assert any("different lengths" in n and "resampled" in n for n in ds.notes)
    # Each series keeps its own first and last values: resampled, not padded or cut.
    raw = np.loadtxt(
        sources.ucr._ucr_dir() / "AllGestureWiimoteX_TRAIN.tsv", delimiter="\t", max_rows=3
    )[:, 1:]
    for row, series in zip(ds.x[:3], raw, strict=True):
        finite = series[np.isfinite(series)]
        assert row[0] == pytest.approx(finite[0], abs=1e-5)
        assert row[-1] == pytest.approx(finite[-1], abs=1e-5)


def test_long_ucr_set_is_resampled_to_1024_with_a_note():
    ds = sources.load_ucr("CinCECGTorso")
    assert ds.x.shape == (1420, 1024) and ds.native_length == 1639
    assert any("1639" in n and "1024" in n for n in ds.notes)
    assert sources.describe(ds)["native_length"] == 1639


@pytest.mark.parametrize(
    "normal_class, expected",
    [("", 1), ("-1", -1), ("1", 1), ("normal", 1), ("MYOCARDIAL INFARCTION", -1)],
)
def test_normal_class_by_label_or_class_name(normal_class, expected):
    ds = sources.load(Spec(dataset="ucr:ECG200", normal_class=normal_class))
    assert ds.normal == expected
    assert int(ds.is_abnormal(ds.y).sum()) == 200 - ds.counts[expected]


def test_default_normal_class_is_the_most_frequent():
    assert sources.load_ucr("FordA").normal == -1  # 2527 of -1, 2394 of 1
    text = _windows([1] * 25 + [2] * 40)
    assert read_windows(text, "w.csv").normal == 2


def test_unknown_normal_class_lists_the_labels():
    with pytest.raises(SourceError, match=r"no class '7'.*labels are -1, 1"):
        sources.load(Spec(dataset="ucr:ECG200", normal_class="7"))


def test_too_few_normal_rows():
    text = _windows([1] * (MIN_NORMAL - 1) + [2] * 40)
    with pytest.raises(SourceError, match=f"19 windows.*at least {MIN_NORMAL}"):
        read_windows(text, "w.csv", normal_class="1")
    assert read_windows(_windows([1] * MIN_NORMAL + [2] * 40), "w.csv", normal_class="1")


# --- a CSV of windows --------------------------------------------------------------------------


def test_ucr_style_label_first_column_is_detected():
    ds = read_windows(_windows([1] * 30 + [2] * 10 + [3] * 5), "beats.csv")
    assert ds.x.shape == (45, 20) and ds.labelled
    assert ds.counts == {1: 30, 2: 10, 3: 5} and ds.normal == 1
    assert ds.key == "csv:beats.csv" and ds.unit == "windows"
    assert any("column 1" in n for n in ds.notes)


def test_header_label_column_anywhere():
    header = ",".join(f"v{i}" for i in range(20)) + ",Label"
    ds = read_windows(_windows([0] * 30 + [1] * 10, header=header, label_at="last"), "w.csv")
    assert ds.x.shape == (40, 20) and ds.counts == {0: 30, 1: 10}
    assert any("'label'" in n for n in ds.notes)


def test_text_labels_with_normal_as_the_default_normal_class():
    header = "label," + ",".join(f"v{i}" for i in range(20))
    # More afib than normal: the label "normal" still wins over the most frequent class.
    ds = read_windows(_windows(["normal"] * 25 + ["afib"] * 30, header=header), "w.csv")
    assert ds.class_name(ds.normal) == "normal"
    assert sorted(ds.class_names.values()) == ["afib", "normal"]
    assert int(ds.is_abnormal(ds.y).sum()) == 30
    other = read_windows(
        _windows(["normal"] * 25 + ["afib"] * 30, header=header), "w.csv", normal_class="AFIB"
    )
    assert other.class_name(other.normal) == "afib"
    assert int(other.is_abnormal(other.y).sum()) == 25


def test_no_labels_is_unlabelled_with_one_class():
    ds = read_windows(_windows([None] * 40), "w.csv")
    assert not ds.labelled and ds.x.shape == (40, 20)
    assert ds.class_names == {0: "Unlabelled"} and ds.counts == {0: 40}
    assert not ds.is_abnormal(ds.y).any()


def test_one_label_only_is_refused():
    with pytest.raises(SourceError, match="one label"):
        read_windows(_windows([1] * 40), "w.csv")
    header = "label," + ",".join(f"v{i}" for i in range(20))
    with pytest.raises(SourceError, match="one label"):
        read_windows(_windows(["normal"] * 40, header=header), "w.csv")


@pytest.mark.parametrize("change", [-1, +1])
def test_rows_of_different_lengths_name_the_line(change):
    lines = _windows([1] * 30 + [2] * 10).splitlines()
    cells = lines[6].split(",")
    lines[6] = ",".join(cells[:change] if change < 0 else [*cells, "0.5"])
    with pytest.raises(SourceError, match="line 7"):
        read_windows("\n".join(lines), "w.csv")


def test_rows_of_different_lengths_count_the_header_line():
    header = "label," + ",".join(f"v{i}" for i in range(20))
    lines = _windows([1] * 30 + [2] * 10, header=header).splitlines()
    lines[6] += ",0.5"  # the file's line 7
    with pytest.raises(SourceError, match="line 7"):
        read_windows("\n".join(lines), "w.csv")


@pytest.mark.parametrize("cell", ["abc", "inf"])
def test_a_bad_cell_names_its_line(cell):
    lines = _windows([None] * 40).splitlines()
    cells = lines[6].split(",")
    cells[3] = cell
    lines[6] = ",".join(cells)
    with pytest.raises(SourceError, match=f"line 7: '{cell}' in column 4"):
        read_windows("\n".join(lines), "w.csv")


def test_a_nan_cell_names_its_line_and_column():
    lines = _windows([1] * 30 + [2] * 10).splitlines()
    cells = lines[6].split(",")
    cells[3] = "nan"  # the file's column 4
    lines[6] = ",".join(cells)
    with pytest.raises(SourceError, match=r"line 7: 'nan' in column 4"):
        read_windows("\n".join(lines), "w.csv")


@pytest.mark.parametrize("kind", ["windows with a label first", "recording time,value"])
def test_a_bad_cell_names_the_files_column(kind):
    if kind.startswith("windows"):
        lines = _windows([1] * 30 + [2] * 10).splitlines()
        cells = lines[6].split(",")
        cells[3] = "abc"  # the file's column 4: after the label and two values
        lines[6] = ",".join(cells)
        reader = read_windows
        column = 4
    else:
        lines = ["time,value"] + [f"{i},{np.sin(i / 5):.3f}" for i in range(200)]
        lines[6] = "5,abc"
        reader = lambda text, name: read_recording(text, name, window=16, stride=8)  # noqa: E731
        column = 2
    with pytest.raises(SourceError, match=f"line 7: 'abc' in column {column}"):
        reader("\n".join(lines), "w.csv")


def test_one_column_asks_for_a_window():
    text = "\n".join(f"{v:.3f}" for v in np.sin(np.arange(200) / 5))
    with pytest.raises(SourceError, match="one column.*window"):
        read_windows(text, "w.csv")


def test_rows_shorter_than_16_samples_are_refused():
    with pytest.raises(SourceError, match="15 samples; at least 16"):
        read_windows(_windows([1] * 30 + [2] * 10, length=15), "w.csv")
    assert read_windows(_windows([1] * 30 + [2] * 10, length=16), "w.csv").length == 16


def test_more_than_max_windows_rows_are_refused():
    row = "0.5,0.25\n"
    with pytest.raises(SourceError, match="100,000 windows"):
        read_windows(row * (MAX_WINDOWS + 2), "w.csv")  # refused before parsing
    with pytest.raises(SourceError, match="100,000 windows"):
        read_windows(row * (MAX_WINDOWS + 1), "w.csv")  # no header: one more row to read


def test_files_over_10_mb_are_refused():
    with pytest.raises(SourceError, match="10 MB"):
        read_windows(b"1" * (MAX_BYTES + 1), "w.csv")
    with pytest.raises(SourceError, match="10 MB"):
        read_recording("1\n" * (MAX_BYTES // 2 + 1), "r.csv", window=16, stride=16)


@pytest.mark.parametrize(
    "junk", [bytes(range(256)) * 40, b"\x89PNG\r\n\x1a\n" + bytes(200), b"PK\x03\x04" + bytes(50)]
)
def test_binary_junk_is_refused(junk):
    with pytest.raises(SourceError, match="binary|not CSV"):
        read_windows(junk, "w.csv")


@pytest.mark.parametrize("sep", [";", "\t", " "])
def test_other_delimiters(sep):
    ds = read_windows(_windows([1] * 30 + [2] * 10, sep=sep), "w.csv")
    assert ds.x.shape == (40, 20) and ds.counts == {1: 30, 2: 10}
    np.testing.assert_array_equal(ds.x, read_windows(_windows([1] * 30 + [2] * 10), "w.csv").x)


def test_csv_through_load_needs_its_data():
    spec = Spec(dataset="csv:w.csv")
    with pytest.raises(SourceError, match="Upload it again"):
        sources.load(spec)
    ds = sources.load(spec, _windows([1] * 30 + [2] * 10), "w.csv")
    assert ds.key == "csv:w.csv" and ds.length == 20


# --- a long recording --------------------------------------------------------------------------


def _recording(n=400, anomalies=(), header="", columns=("value", "anomaly")):
    values = np.sin(np.arange(n) / 5)
    rows = []
    for i, v in enumerate(values):
        cell = {"value": f"{v:.4f}", "time": str(i), "anomaly": str(int(i in anomalies))}
        rows.append(",".join(cell[c] for c in columns))
    return (header + "\n" if header else "") + "\n".join(rows) + "\n"


def test_window_is_abnormal_iff_any_of_its_samples_is():
    # 400 samples, windows of 16 every 8: 49 windows; window k covers samples 8k .. 8k+15.
    # Sample 100 is in windows 11 (88-103) and 12 (96-111); sample 399 only in window 48.
    text = _recording(anomalies=(100, 399), header="value,anomaly")
    ds = read_recording(text, "r.csv", window=16, stride=8)
    assert ds.x.shape == (49, 16) and ds.labelled
    assert np.flatnonzero(ds.y).tolist() == [11, 12, 48]
    assert ds.normal == 0 and ds.class_names == {0: "Normal", 1: "Anomaly"}
    np.testing.assert_allclose(ds.x[11], np.sin(np.arange(88, 104) / 5), atol=1e-4)
    assert any("49 windows of 16" in n for n in ds.notes)


@pytest.mark.parametrize(
    "header, columns, labelled",
    [
        ("time,value,anomaly", ("time", "value", "anomaly"), True),
        ("Anomaly,Value", ("anomaly", "value"), True),
        ("", ("value",), False),
        ("", ("value", "anomaly"), True),
        ("", ("value", "time"), False),  # a second column that is not 0/1 is not labels
        ("", ("value", "time", "anomaly"), True),
    ],
)
def test_recording_columns_by_header_or_position(header, columns, labelled):
    text = _recording(anomalies=(100, 399), header=header, columns=columns)
    ds = read_recording(text, "r.csv", window=16, stride=8)
    assert ds.labelled is labelled
    assert np.flatnonzero(ds.y).tolist() == ([11, 12, 48] if labelled else [])
    np.testing.assert_allclose(ds.x[0], np.sin(np.arange(16) / 5), atol=1e-4)
    if not labelled:
        assert ds.class_names == {0: "Unlabelled"}


@pytest.mark.parametrize("n, window, stride", [(400, 16, 16), (400, 16, 5), (1000, 40, 1)])
def test_window_counts(n, window, stride):
    ds = read_recording(_recording(n=n, columns=("value",)), "r.csv", window=window, stride=stride)
    assert ds.x.shape == ((n - window) // stride + 1, window)
    np.testing.assert_allclose(ds.x[1], np.sin(np.arange(stride, stride + window) / 5), atol=1e-4)


def test_normalise_per_window():
    rng = np.random.default_rng(1)
    values = 5 + 3 * rng.normal(size=2000)
    text = "\n".join(f"{v:.4f}" for v in values)
    ds = read_recording(text, "r.csv", window=50, stride=25, normalise=True)
    np.testing.assert_allclose(ds.x.mean(axis=1), 0, atol=1e-5)
    np.testing.assert_allclose(ds.x.std(axis=1), 1, atol=1e-4)
    raw = read_recording(text, "r.csv", window=50, stride=25)
    assert raw.x.mean() == pytest.approx(5, abs=0.3)


def test_recording_shorter_than_one_window():
    with pytest.raises(SourceError, match="fewer than one window of 401"):
        read_recording(_recording(n=400), "r.csv", window=401, stride=1)


@pytest.mark.parametrize(
    "window, stride, message", [(16, 0, "stride must be at least 1"), (5, 1, "at least 16")]
)
def test_bad_window_or_stride(window, stride, message):
    with pytest.raises(SourceError, match=message):
        read_recording(_recording(), "r.csv", window=window, stride=stride)


def test_too_many_windows_are_refused_quickly():
    text = "\n".join(f"{v:.2f}" for v in np.random.default_rng(0).normal(size=1_000_000))
    start = time.perf_counter()
    with pytest.raises(SourceError, match="999,745 windows.*larger stride"):
        read_recording(text, "r.csv", window=256, stride=1)
    assert time.perf_counter() - start < 10  # ~0.5 s; cutting them first would be 2 GB


def test_too_many_values_are_refused_before_allocating():
    # 11,000 samples, windows of 1024 every sample: 9,977 windows, 10.2 million values (the
    # limit is 10 million): refused before the 82 MB of windows exist.
    text = "\n".join(f"{v:.2f}" for v in np.random.default_rng(0).normal(size=11_000))
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="larger stride"):
            read_recording(text, "r.csv", window=1024, stride=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30e6


def test_long_windows_do_not_cut_full_windows_in_memory():
    text = "\n".join(f"{v:.2f}" for v in np.random.default_rng(0).normal(size=100_299))
    tracemalloc.start()
    try:
        try:
            ds = read_recording(text, "r.csv", window=100_000, stride=1)
        except SourceError:
            pass
        else:
            assert ds.x.shape == (300, 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60e6  # parsing 100k lines takes ~10 MB; the full windows 240 MB


def test_anomaly_column_must_be_0_or_1():
    text = _recording(header="value,anomaly").splitlines()
    text[8] = "0.5,2"
    with pytest.raises(SourceError, match="line 9: the anomaly column holds 2"):
        read_recording("\n".join(text), "r.csv", window=16, stride=8)


def test_recording_through_load_uses_the_specs_window():
    spec = Spec(dataset="csv:r.csv", window=16, stride=8, normalise="window")
    ds = sources.load(spec, _recording(anomalies=(100,), header="value,anomaly"), "r.csv")
    assert ds.x.shape == (49, 16) and ds.counts == {0: 47, 1: 2}
    np.testing.assert_allclose(ds.x.std(axis=1), 1, atol=1e-4)


# --- file names --------------------------------------------------------------------------------

PATTERN = FIELDS["dataset"].pattern


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\windows\\system.ini",
        "<script>alert(1)</script>.csv",
        "a" * 500 + ".csv",
        "",
        "...",
        " ",
        "new\nline.csv",
        "ümlaut ÉCG.csv",
        "x" * 79 + "/",
    ],
)
def test_csv_key_makes_any_file_name_safe(name):
    key = csv_key(name)
    assert re.fullmatch(PATTERN, key), key
    assert "/" not in key and "<" not in key and not key.removeprefix("csv:").startswith(".")
    assert Spec(dataset=key).dataset == key  # a valid Spec, so a valid link


def test_csv_key_keeps_an_ordinary_name():
    assert csv_key("C:\\data\\my beats_2.csv") == "csv:my beats_2.csv"
    assert csv_key("../../etc/passwd") == "csv:passwd"
    assert csv_key("") == "csv:data.csv"
    assert len(csv_key("a" * 500)) == len("csv:") + 80


# --- end to end --------------------------------------------------------------------------------


def test_ecg200_trains_and_reports_an_auc():
    from anomagram.training import Trainer

    spec = Spec(dataset="ucr:ECG200", epochs=60)
    ds = sources.load(spec)
    trainer = Trainer.create(spec, ds)
    assert trainer.spec.length == 96 and trainer.model.input_shape[-1] == 96
    assert trainer.train().status == "completed"
    auc = metrics.auc(trainer.prepared.test_is_abnormal, trainer.test_errors())
    assert np.isfinite(auc) and auc > 0.8  # seeds 0-2 measured 0.86-0.91


def _spiky_recording(n=20_000, seed=0):
    """A noisy sine with 30 three-sample spikes, flagged in a 0/1 anomaly column."""
    rng = np.random.default_rng(seed)
    values = np.sin(2 * np.pi * np.arange(n) / 50) + 0.05 * rng.normal(size=n)
    flags = np.zeros(n, int)
    for start in rng.choice(n - 10, 30, replace=False):
        values[start : start + 3] += 4.0
        flags[start : start + 3] = 1
    rows = (f"{v:.4f},{f}" for v, f in zip(values, flags, strict=True))
    return "value,anomaly\n" + "\n".join(rows) + "\n"


def test_spiky_windows_of_a_recording_score_highest():
    from anomagram.training import Trainer

    spec = Spec(dataset="csv:spikes.csv", window=100, stride=50, epochs=30)
    ds = sources.load(spec, _spiky_recording(), "spikes.csv")
    assert ds.x.shape == (399, 100) and 0 < ds.counts[1] < 100
    trainer = Trainer.create(spec, ds)
    trainer.train()
    errors, is_abnormal = trainer.test_errors(), trainer.prepared.test_is_abnormal
    assert is_abnormal.any() and not is_abnormal.all()
    assert metrics.auc(is_abnormal, errors) >= 0.9
    assert is_abnormal[np.argmax(errors)]  # the worst reconstructed window has a spike


def test_beats_to_score_are_normalised_as_the_models_rows_were():
    from anomagram.sources import rows_normalised

    assert rows_normalised(Spec())
    assert rows_normalised(Spec(dataset="ucr:ECG200"))
    assert not rows_normalised(Spec(dataset="csv:beats.csv"))
    assert not rows_normalised(Spec(dataset="csv:rec.csv", window=100, stride=50))
    assert rows_normalised(Spec(dataset="csv:rec.csv", window=100, stride=50, normalise="window"))


def test_a_usual_normal_class_too_small_still_reads_so_another_can_be_picked():
    """'normal' is the usual class of this file but has 10 rows: the file still reads (the
    page lists its classes from that reading), another class can be normal, and training on
    the usual one is refused by the split with what is left to train on."""
    rng = np.random.default_rng(0)
    rows = [
        f"{label}," + ",".join(f"{v:.3f}" for v in rng.normal(size=30))
        for label in ["normal"] * 10 + ["afib"] * 60
    ]
    ds = sources.read_windows(
        "label," + ",".join(f"v{i}" for i in range(30)) + "\n" + "\n".join(rows), "x.csv"
    )
    assert ds.label_text[ds.normal] == "normal"
    with pytest.raises(DataError, match="at least 20 are needed"):
        compose(ds, train_size=100, test_size=20, abnormal_pct=0, seed=0)
    afib = sources.with_normal(ds, "AFIB")
    assert compose(afib, train_size=100, test_size=20, abnormal_pct=0, seed=0).train_x.shape[0] > 20
    with pytest.raises(SourceError, match="at least 20"):
        sources.with_normal(ds, "normal")  # chosen by hand: refused at once
