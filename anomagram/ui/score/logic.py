"""What the "Score your data" page computes, without Streamlit, so tests and the CLI can agree.

The page keeps the results of :func:`score` in session state; moving the threshold only calls
the cheap functions (:func:`verdicts`, :func:`results_table`, :func:`label_summary`), never the
model again.

A model may have been trained on any dataset (``trained_on`` says which): it scores beats
resampled to its own length, and labels in a scored file are read in its dataset's words (see
``anomagram.upload``; ``trained_on.label_classes``): for a model of ECG200, ``-1`` / ``1`` or the
class names ``Myocardial infarction`` / ``Normal``; for ECG5000's models (and model files that
do not describe their data) 1 or ``normal`` is normal, 2-5 are ECG5000's abnormal classes,
``abnormal`` (or 0 in a 0/1 column) is abnormal. Any model reads the words ``normal`` and
``abnormal``. Code 1 is the normal class in either reading, so every other code is abnormal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from anomagram import metrics, sources
from anomagram.data import CLASS_IDS, ECG5000, Dataset
from anomagram.model import (
    MAX_MODEL_BYTES,
    Detector,
    ModelFileError,
    load_detector,
    save_detector,
)
from anomagram.ui.score.trained_on import ABNORMAL_NAME, LABEL_NAMES, label_names, trained_on
from anomagram.upload import (
    ABNORMAL,
    MAX_BYTES,
    UNKNOWN_LABEL,
    ParsedBeats,
    UploadError,
    check_size,
    scores_csv,
)
from anomagram.upload.labels import NORMAL_LABEL, LabelClasses

# Label-column choices offered by the page, mapped to parse_beats' label_column.
LABEL_AUTO, LABEL_NONE, LABEL_FIRST, LABEL_LAST, LABEL_NUMBER = (
    "Detect automatically",
    "No label column",
    "First column",
    "Last column",
    "Column number…",
)
LABEL_CHOICES = (LABEL_AUTO, LABEL_NONE, LABEL_FIRST, LABEL_LAST, LABEL_NUMBER)

# The model reads min-max scaled beats; far outside [0, 1] it has never seen anything alike.
_FAR_LOW, _FAR_HIGH, _FAR_SHARE = -0.5, 1.5, 0.05


def label_column(choice: str, number: int | None = None):
    """parse_beats' ``label_column`` for a page choice; ``number`` counts columns from 1."""
    if choice == LABEL_AUTO:
        return "auto"
    if choice == LABEL_NONE:
        return None
    if choice == LABEL_FIRST:
        return 0
    if choice == LABEL_LAST:
        return -1
    if choice == LABEL_NUMBER:
        return max(int(number or 1), 1) - 1
    raise ValueError(f"Unknown label column choice {choice!r}")


def describe_label_column(column: int | None) -> str:
    if column is None:
        return "no label column"
    if column == -1:
        return "labels from the last cell of each row"
    return f"labels from column {column + 1}"


# --- the example file ---------------------------------------------------------------------------

EXAMPLE_CLASSES = {1: 5, 2: 2, 3: 2, 4: 2, 5: 1}  # class id -> beats in the example
EXAMPLE_BAD_LINE = 5  # file line (header = line 1) that holds the deliberately broken row


def example_csv(ecg: ECG5000, seed: int = 7) -> str:
    """A small labelled CSV of ECG5000 test-pool beats with one broken row, as a template.

    Test-pool beats are never used to train (see anomagram.data), so the pretrained model sees
    them for the first time, as it would a user's file.
    """
    rng = np.random.default_rng(seed)
    rows: list[tuple[int, np.ndarray]] = []
    for c, count in EXAMPLE_CLASSES.items():
        idx = np.flatnonzero(ecg.test_pool_y == c)
        for i in rng.choice(idx, size=min(count, len(idx)), replace=False):
            rows.append((c, ecg.test_pool_x[i]))
    order = rng.permutation(len(rows))
    lines = ["label," + ",".join(f"t{i}" for i in range(1, len(rows[0][1]) + 1))]
    for k in order:
        c, beat = rows[k]
        lines.append(f"{c}," + ",".join(f"{v:.4f}" for v in beat))
    # A typical export glitch: a sensor dropout written as text in the middle of a beat.
    c, beat = rows[order[0]]
    cells = [f"{v:.4f}" for v in beat]
    cells[60] = "n/a"
    lines.insert(EXAMPLE_BAD_LINE - 1, f"{c}," + ",".join(cells))
    return "\n".join(lines) + "\n"


EXAMPLE_NORMAL, EXAMPLE_ABNORMAL = 5, 7  # beats of each kind in another dataset's example


@dataclass(frozen=True)
class Example:
    """An example file of another dataset's beats: its text and what it holds."""

    text: str
    normal: int
    abnormal: int  # 0 for unlabelled data: its rows carry no label
    labelled: bool


def dataset_example(ds: Dataset, spec, seed: int = 7) -> Example:
    """Like :func:`example_csv`, for a model trained on ``ds`` with ``spec``: up to
    ``EXAMPLE_NORMAL`` normal and ``EXAMPLE_ABNORMAL`` abnormal beats of the test set that
    ``spec`` draws (held out of that model's training), labelled ``normal`` / ``abnormal`` (the
    words every model's labels are read by: see the module notes), with one broken row.

    Raises ``ValueError`` (a ``DataError``) when the spec's split cannot be drawn from ``ds``.
    """
    split = sources.split_for(spec, ds)
    abnormal = ds.is_abnormal(split.test_y) if ds.labelled else np.zeros(len(split.test_y), bool)
    rng = np.random.default_rng(seed)
    normal_idx = rng.permutation(np.flatnonzero(~abnormal))[:EXAMPLE_NORMAL]
    abnormal_idx = rng.permutation(np.flatnonzero(abnormal))[:EXAMPLE_ABNORMAL]
    if not ds.labelled:  # no labels: twelve beats, none known to be abnormal
        normal_idx = rng.permutation(len(abnormal))[: EXAMPLE_NORMAL + EXAMPLE_ABNORMAL]
    order = rng.permutation(np.concatenate([normal_idx, abnormal_idx]))
    if not len(order):
        raise ValueError(f"The test set drawn from {ds.name} is empty.")
    header = ["label"] if ds.labelled else []
    lines = [",".join(header + [f"t{i}" for i in range(1, ds.length + 1)])]

    def row(i: int, cells: list[str]) -> str:
        # Labelled as the data labels its rows (-1 / 1 for ECG200): what the model reads.
        label = [ds.label_text[int(split.test_y[i])]] if ds.labelled else []
        return ",".join(label + cells)

    for i in order:
        lines.append(row(i, [f"{v:.4f}" for v in split.test_x[i]]))
    # The same export glitch as the ECG5000 example: a dropout written as text mid-beat.
    cells = [f"{v:.4f}" for v in split.test_x[order[0]]]
    cells[len(cells) // 2] = "n/a"
    lines.insert(min(EXAMPLE_BAD_LINE - 1, len(lines)), row(order[0], cells))
    return Example(
        "\n".join(lines) + "\n",
        normal=len(normal_idx),
        abnormal=len(abnormal_idx),
        labelled=ds.labelled,
    )


# --- scoring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """Everything the page shows about one (data, model) pair; threshold-independent."""

    lines: np.ndarray  # (n,) 1-based file lines
    errors: np.ndarray  # (n,) reconstruction MSE in the model's scaled units
    scaled: np.ndarray  # (n, length) what the model saw
    recon: np.ndarray  # (n, length) what it rebuilt
    labels: np.ndarray | None  # (n,) as parse_beats gives them, or None
    model_threshold: float
    far_outside: float  # share of scaled values far outside the training range
    auc: float = float("nan")  # over the labelled rows; needs no threshold, so computed once
    # Label code -> name in the model's dataset's words (see label_names).
    class_names: dict = dataclasses.field(default_factory=lambda: dict(LABEL_NAMES))
    # The classes the labels were read as (ParsedBeats.classes); None: ECG5000's codes.
    classes: LabelClasses | None = None

    @property
    def n(self) -> int:
        return len(self.errors)

    @property
    def ecg5000_classes(self) -> bool:
        """True when the labels are named as ECG5000's classes (a model of ECG5000)."""
        return self.class_names == LABEL_NAMES

    @property
    def has_labels(self) -> bool:
        return self.labels is not None and bool(np.any(self.labels != UNKNOWN_LABEL))

    def labelled(self) -> np.ndarray:
        """Mask of rows whose label says normal or abnormal (unknown labels stay out)."""
        if self.labels is None:
            return np.zeros(self.n, bool)
        return self.labels != UNKNOWN_LABEL

    def is_abnormal(self) -> np.ndarray:
        """True label per row, meaningful where :meth:`labelled` is True: every code but the
        normal class's (1, in ECG5000's reading and in a dataset's)."""
        if self.labels is None:
            return np.zeros(self.n, bool)
        return self.labels != NORMAL_LABEL

    @property
    def class_ids(self) -> tuple[int, ...]:
        """The codes of the classes per-class rates are given for (ABNORMAL has no class)."""
        if self.classes is None:
            return CLASS_IDS
        return tuple(self.classes.names_by_code())


def score(detector: Detector, parsed: ParsedBeats) -> Scored:
    """Score ``parsed`` (read with ``label_classes(detector)`` to use the model's labels)."""
    classes = parsed.classes
    if classes is None:
        names = label_names(trained_on(detector))
    else:
        names = {**classes.names_by_code(), ABNORMAL: ABNORMAL_NAME}
    scaled, recon, errors = detector.reconstruct(parsed.beats)
    scaled = np.asarray(scaled, np.float32)
    far = float(np.mean((scaled < _FAR_LOW) | (scaled > _FAR_HIGH))) if scaled.size else 0.0
    scored = Scored(
        lines=np.asarray(parsed.lines),
        errors=np.asarray(errors, np.float64),
        scaled=scaled,
        recon=np.asarray(recon, np.float32),
        labels=None if parsed.labels is None else np.asarray(parsed.labels),
        model_threshold=float(detector.threshold),
        far_outside=far,
        class_names=names,
        classes=classes,
    )
    known = scored.labelled()
    y = scored.is_abnormal()[known]
    if y.any() and (~y).any():
        scored = dataclasses.replace(scored, auc=metrics.auc(y, scored.errors[known]))
    return scored


def looks_off_scale(scored: Scored) -> bool:
    return scored.far_outside > _FAR_SHARE


def verdicts(errors: np.ndarray, threshold: float) -> np.ndarray:
    """True = abnormal, exactly as Detector.score and the CLI decide (error > threshold)."""
    return np.asarray(errors) > threshold


def results_table(scored: Scored, threshold: float) -> pd.DataFrame:
    flagged = verdicts(scored.errors, threshold)
    df = pd.DataFrame(
        {
            "Line": scored.lines.astype(int),
            "Error": scored.errors,
            "Verdict": np.where(flagged, "🔴 abnormal", "🟢 normal"),
        }
    )
    if scored.labels is not None:
        known = scored.labelled()
        df["Label"] = [scored.class_names.get(int(c), "unknown") for c in scored.labels]
        right = flagged == scored.is_abnormal()
        df["Matches label"] = np.where(known, np.where(right, "✓", "✗"), "")
    return df


def scores_csv_text(scored: Scored, threshold: float) -> str:
    return scores_csv(
        scored.lines,
        scored.errors,
        verdicts(scored.errors, threshold),
        scored.labels,
        scored.class_names if scored.labels is not None else None,
        label_texts=scored.classes.texts_by_code() if scored.classes is not None else None,
    )


@dataclass(frozen=True)
class LabelSummary:
    """Metrics over the rows with a known label."""

    count: int
    unknown: int
    metrics: metrics.Metrics
    auc: float
    per_class: dict[int, float | None]
    class_counts: dict[int, int]
    abnormal_no_class: int


def label_summary(scored: Scored, threshold: float) -> LabelSummary | None:
    if not scored.has_labels:
        return None
    known = scored.labelled()
    y = scored.is_abnormal()[known]
    errors = scored.errors[known]
    classes = scored.labels[known]
    return LabelSummary(
        count=int(known.sum()),
        unknown=int((~known).sum()),
        metrics=metrics.metrics_at(y, errors, threshold),
        auc=scored.auc,
        per_class=metrics.per_class_detection(classes, errors, threshold, scored.class_ids),
        class_counts=metrics.class_counts(classes, scored.class_ids),
        abnormal_no_class=int(np.sum(classes == ABNORMAL)),
    )


def per_class_table(summary: LabelSummary, names: dict[int, str]) -> pd.DataFrame:
    """The per-class detection rates as a table, classes named by ``names``: for labels read
    as ECG5000's codes by a model of another dataset (a file that does not describe its data),
    which has no classes of its own to chart."""
    rows = []
    for c in sorted(summary.per_class):
        n = int(summary.class_counts.get(c, 0))
        if not n:
            continue  # ECG5000's class ids the file does not use: no row
        rate = summary.per_class[c]
        finite = rate is not None and math.isfinite(rate)
        rows.append(
            {
                "Class": names.get(int(c), f"Class {c}"),
                "Beats": n,
                "Flagged abnormal": f"{100 * rate:.1f} %" if finite else "n/a",
                "Read as": "normal" if c == 1 else "abnormal",
            }
        )
    return pd.DataFrame(rows, columns=["Class", "Beats", "Flagged abnormal", "Read as"])


def slider_range(scored: Scored) -> tuple[float, float, str]:
    """Upper end, step and printf format for a threshold slider that fits these errors."""
    finite = scored.errors[np.isfinite(scored.errors)]
    top = float(np.percentile(finite, 99.5)) if finite.size else 0.0
    hi = max(top * 1.5, scored.model_threshold * 2.0, 1e-6)
    step = 10 ** math.floor(math.log10(hi / 300))
    hi = math.ceil(hi / step) * step
    digits = max(0, -math.floor(math.log10(step)))
    return float(hi), float(step), f"%.{digits}f"


# --- models in and out ---------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_name(name: str, suffix: str = ".keras") -> str:
    stem = _UNSAFE.sub("_", Path(name or "model").name).strip("._") or "model"
    stem = stem[:80]
    return stem if stem.endswith(suffix) else stem + suffix


def upload_too_large(name: str, size: int) -> str | None:
    """Why an uploaded CSV is refused by its size alone (the message parse_beats would give),
    or None when it may be read."""
    try:
        check_size(size, MAX_BYTES, name)
    except UploadError as exc:
        return str(exc)
    return None


def model_too_large(name: str, size: int) -> str | None:
    """Why an uploaded model file is refused by its size alone, or None when it may be read."""
    if size <= MAX_MODEL_BYTES:
        return None
    return (
        f"{name} is {size / 1e6:.1f} MB; model files up to {MAX_MODEL_BYTES / 1e6:.0f} MB are "
        "accepted."
    )


def load_uploaded_model(name: str, data: bytes) -> Detector:
    """Load an uploaded .keras file safely; any problem is a :class:`ModelFileError`."""
    if not data:
        raise ModelFileError(f"{name} is empty.")
    too_large = model_too_large(name, len(data))
    if too_large:
        raise ModelFileError(too_large)
    with tempfile.TemporaryDirectory(prefix="anomagram-upload-") as tmp:
        # The user's own file name, so error messages name the file they know. load_detector
        # checks the size, the unpacked size (zip bombs) and the metadata before Keras runs.
        path = Path(tmp) / safe_file_name(name)
        path.write_bytes(data)
        return load_detector(path)


def detector_bytes(detector: Detector) -> bytes:
    with tempfile.TemporaryDirectory(prefix="anomagram-export-") as tmp:
        path = save_detector(detector, Path(tmp) / "model.keras")
        return path.read_bytes()


def fingerprint(data: bytes | str) -> str:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    df.to_csv(buffer, index=False)
    return buffer.getvalue().encode()
