"""The data a command line names: the dataset by name or the user's CSV (checked by size
before it is read), loaded once, its split checked before any work, and how it reads in a
summary."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from anomagram.cli.options import CliError, _data_path
from anomagram.data import Dataset
from anomagram.numbers import shown
from anomagram.spec import Spec


def _read_data_file(path: Path) -> bytes:
    """The bytes of the user's data file, refused by its size on disk before a byte is read."""
    from anomagram import sources

    where = f"--dataset {shown(str(path), 120)}"
    try:
        size = path.stat().st_size
    except (OSError, ValueError):  # ValueError: a NUL byte in the name
        hint = ""
        with contextlib.suppress(sources.SourceError, ValueError):
            hint = f" (did you mean ucr:{sources.canonical_ucr_name(path.name)}?)"
        raise CliError(
            f"{where}: no such file{hint}. Give ecg5000, ucr:NAME (`datasets` lists them) or "
            "the path of a CSV file."
        ) from None
    if not path.is_file():
        raise CliError(f"{where} is not a file; give the path of a CSV file.")
    if size > sources.MAX_BYTES:
        raise CliError(
            f"{where} is {size / 1e6:,.1f} MB, over the {sources.MAX_BYTES / 1e6:g} MB limit "
            "for data to train on; keep fewer rows (or a part of the recording)."
        )
    try:
        with path.open("rb") as f:
            raw = f.read(sources.MAX_BYTES + 1)  # the file may have grown since
    except OSError as exc:
        raise CliError(f"{where}: cannot read it ({exc.strerror}).") from None
    if len(raw) > sources.MAX_BYTES:
        raise CliError(f"{where} is over the {sources.MAX_BYTES / 1e6:g} MB limit.")
    return raw


def load_data(args: argparse.Namespace, spec: Spec) -> tuple[Spec, Dataset]:
    """The dataset the command line names, read once, and ``spec`` fitted to it (its key and
    length); a ``SourceError`` says what is wrong with it in one sentence."""
    from anomagram import sources

    path = _data_path(getattr(args, "dataset", None))
    if path is None:
        ds = sources.load(spec)
    else:
        ds = sources.read_csv(_read_data_file(path), path.name, spec)
    fitted = sources.for_data(spec, ds)
    check_split(fitted, ds)
    return fitted, ds


def check_split(spec: Spec, ds: Dataset) -> None:
    """Refuse, before any work, a split the data cannot give (too few normal rows left)."""
    from anomagram.data import split_sizes

    split_sizes(ds, spec.train_size, spec.test_size, spec.abnormal_pct)  # DataError


def _by_label(ds: Dataset, per_class: dict[str, float | None]) -> dict[str, float | None]:
    """``evaluate``'s per-class rates (keyed by class id) keyed by the label as the data writes
    it, like ``describe``'s counts: ``normal``, not ``0``, for a CSV labelled in words."""
    return {ds.label_text.get(int(c), c): rate for c, rate in per_class.items()}


def _class_text(ds: Dataset, c: int, *, long: bool = False) -> str:
    """``1 Normal``, or the name alone where it only repeats the label (``Class 3``)."""
    label = ds.label_text.get(c, str(c))
    name = (ds.long_names.get(c) if long else None) or ds.class_name(c)
    if name.lower() in (label.lower(), f"class {label.lower()}"):
        return name
    return f"{label} {name}"


def _dataset_lines(ds: Dataset, notes: list[str]) -> list[str]:
    """What the model learnt from: the data, its classes and the normal one, and any notes."""
    lines = [
        f"dataset     {ds.name} ({ds.key}): {len(ds.y):,} {ds.unit} of {ds.length} samples, "
        f"from {ds.origin}"
    ]
    if ds.labelled:
        classes = ", ".join(
            f"{_class_text(ds, c)} {n:,}" + (" (normal)" if c == ds.normal else "")
            for c, n in ds.counts.items()
        )
        lines.append(f"classes     {classes}; every class but the normal one is abnormal")
    else:
        lines.append(f"classes     none: {ds.name} has no labels, so every row counts as normal")
    lines += [f"note        {note}" for note in notes]
    return lines
