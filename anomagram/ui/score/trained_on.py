"""What a model on the Score page was trained on, and so how a scored file's labels are read
and named: from the model file's ``dataset`` block (``model_file.check_dataset``), else from
what its Spec names (ECG5000 for files from before datasets). Pure: tests and the CLI agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from anomagram import charts
from anomagram.data import ECG5000_KEY, SHORT_CLASS_NAMES
from anomagram.model import Detector
from anomagram.ui.common.text import user_text
from anomagram.upload import ABNORMAL
from anomagram.upload.labels import LabelClasses

ABNORMAL_NAME = "Abnormal (class not given)"
LABEL_NAMES = {**SHORT_CLASS_NAMES, ABNORMAL: ABNORMAL_NAME}  # ECG5000 models' label names


@dataclass(frozen=True)
class TrainedOn:
    """The dataset a model was trained on, as far as the model (or its file) says."""

    name: str
    key: str
    length: int
    labelled: bool = True
    normal_class: str = ""  # the label that counted as normal, as the data wrote it
    classes: tuple[tuple[str, str, int | None], ...] = ()  # (label, class name, rows)
    rows: int = 0
    known: bool = True  # False: the file names the data but does not describe it

    @property
    def is_ecg5000(self) -> bool:
        return self.key == ECG5000_KEY

    def class_name(self, label: str) -> str | None:
        return next((name for text, name, _ in self.classes if text == label), None)


def trained_on(detector: Detector) -> TrainedOn:
    """What ``detector`` was trained on: its ``dataset`` block (see ``model_file.check_dataset``),
    else what its Spec names (a file without the block: ECG5000, or a dataset it only names)."""
    spec = detector.spec
    block = detector.dataset
    if block is None:
        if spec.dataset == ECG5000_KEY:
            classes = tuple((str(c), name, None) for c, name in SHORT_CLASS_NAMES.items())
            return TrainedOn("ECG5000", ECG5000_KEY, spec.length, normal_class="1", classes=classes)
        name = spec.dataset.split(":", 1)[-1]
        return TrainedOn(
            name, spec.dataset, spec.length, normal_class=spec.normal_class, known=False
        )
    names = dict(block.get("class_names", {}))
    if spec.dataset == ECG5000_KEY:
        names = {str(c): name for c, name in SHORT_CLASS_NAMES.items()} | names
    classes = tuple(
        (label, names.get(label) or f"Class {label}", n) for label, n in block["counts"].items()
    )
    return TrainedOn(
        name=block["name"],
        key=block["key"],
        length=block["length"],
        labelled=block["labelled"],
        normal_class=block["normal_class"],
        classes=classes,
        rows=block["rows"],
    )


def label_names(trained: TrainedOn) -> dict[int, str]:
    """A name for each label code of a scored file (``anomagram.upload``), in the words of the
    model's dataset: ECG5000's five classes for its models; otherwise the dataset's class
    called by that label when it has one, else "Class N". Code 1 is always read as normal, so
    for a dataset whose normal class is not "1" it says so."""
    if trained.is_ecg5000:
        return dict(LABEL_NAMES)
    names = {c: trained.class_name(str(c)) or f"Class {c}" for c in SHORT_CLASS_NAMES}
    if trained.normal_class != "1":
        names[1] = f"{names[1]} (read as normal)"
    return {**names, ABNORMAL: ABNORMAL_NAME}


def label_classes(detector: Detector) -> LabelClasses | None:
    """The classes a scored file's labels are read as for ``detector`` (``parse_beats``'
    ``classes``): its dataset's, or None for ECG5000's reading (a model of ECG5000, or a file
    that does not describe its data)."""
    return LabelClasses.of_model(detector.dataset)


MAX_LABELS_SHOWN = 6  # classes listed where the page says how labels are read


def label_examples(classes: LabelClasses | None) -> str:
    """The labels a file may hold for a model that reads ``classes``, in a few words of
    markdown (its texts come from a model file: escaped)."""
    if classes is None:
        return "1 = normal, 2-5 = abnormal classes, or normal / abnormal"
    if not classes.labels:
        return "normal / abnormal"
    shown = " / ".join(user_text(label, 20) for label in classes.labels[:MAX_LABELS_SHOWN])
    more = " / …" if len(classes.labels) > MAX_LABELS_SHOWN else ""
    return f"{_owner(classes)} labels {shown}{more} or class names, or normal / abnormal"


def _owner(classes: LabelClasses) -> str:
    return f"{user_text(classes.dataset)}'s" if classes.dataset else "the model's"


def labels_note(classes: LabelClasses | None, trained: TrainedOn) -> str | None:
    """For a model of another dataset, how a scored file's labels are read, as markdown
    (its texts come from a model file: escaped); None for ECG5000's models."""
    if classes is None:
        if trained.is_ecg5000:
            return None
        return (
            "Labels in your file are read as for ECG5000's models, as the model file does not "
            "describe its classes: 1 or *normal* is normal; 2-5, *abnormal*, or 0 in a column "
            "of 0s and 1s is abnormal. Other labels are scored without a label. Classes are "
            f"named after {user_text(trained.name)}'s where it has that label."
        )
    if not classes.labels:
        data = user_text(classes.dataset) if classes.dataset else "The model's data"
        return (
            f"{data} has no labels, so only the words *normal* and *abnormal* in your file are "
            "read as labels; other labels are scored without one."
        )
    parts = []
    for i, (label, class_name) in enumerate(zip(classes.labels, classes.names, strict=True)):
        if i == MAX_LABELS_SHOWN:
            parts.append(f"and {len(classes.labels) - i} more")
            break
        normal = " (the normal class)" if i == 0 else ""
        parts.append(f"{user_text(label, 20)} = {user_text(class_name, 40)}{normal}")
    return (
        f"Labels in your file are read as {_owner(classes)} classes: {', '.join(parts)}. A "
        "cell may hold the label (a number equal to it counts: 1.0 for 1) or the class name, "
        "in any case, or the words *normal* / *abnormal*; every class but the normal one is "
        "abnormal. Any other label is scored without a label."
    )


def class_style(classes: LabelClasses) -> charts.ClassStyle:
    """The per-class chart's classes for labels read as ``classes``: the normal class first in
    the normal colour, the others in ECG5000's abnormal colours (grey beyond them), in the
    order ``ClassStyle.of`` gives a dataset's classes on the Train page."""
    names = classes.names_by_code()  # the normal class (code NORMAL_LABEL) first
    return charts.ClassStyle.ranked(tuple(names), tuple(names.values()))
