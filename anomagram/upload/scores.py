"""The downloadable scores table."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from anomagram.model import ABNORMAL, NORMAL, UNSCORED
from anomagram.upload.labels import UNKNOWN_LABEL


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
    label_texts: Mapping[int, str] | None = None,
) -> str:
    """The downloadable scores table as CSV text.

    Columns: ``line`` (1-based line in the uploaded file), ``error`` (reconstruction
    error, 8 significant digits), ``verdict``; then ``label`` when ``labels`` is given
    (blank for unknown, 0) and ``class`` when ``classes_names`` is given too. A boolean
    verdict is written as ``abnormal`` (True) or ``normal`` (False); other verdicts as text.
    A beat whose error is NaN or infinite gets a blank error and the verdict
    ``could not be scored`` whatever verdict was passed: compared with a threshold, NaN
    reads as "normal". ``classes_names`` is a mapping from class id to name, or a sequence
    of the names of class ids 1, 2, ... ``label_texts`` (code -> label as the model's data
    writes it) writes the ``label`` column in those words instead of codes: ``-1`` for an
    ECG200 file, not the code it was read as.
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
            verdict = ABNORMAL if verdict else NORMAL
        error = float(errors[i])
        if not math.isfinite(error):
            verdict = UNSCORED
        out = [int(lines[i]), f"{error:.8g}" if math.isfinite(error) else "", str(verdict)]
        if labels is not None:
            label = int(labels[i])
            shown = label if label_texts is None else label_texts.get(label, label)
            out.append(shown if label != UNKNOWN_LABEL else "")
            if classes_names is not None:
                out.append(_class_name(classes_names, label) if label else "")
        writer.writerow(out)
    return buffer.getvalue()
