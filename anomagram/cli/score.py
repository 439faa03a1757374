"""``score``: a CSV of beats scored with a saved model, labels read as the model's data
writes them."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from anomagram.cli.options import CliError, _output_path, _write_failed
from anomagram.cli.output import _fmt
from anomagram.data import ECG5000_KEY
from anomagram.numbers import NumberError, parse_int
from anomagram.spec import Spec


def _beats_file(text: str) -> Path:
    """The CSV to score, refused by its size on disk before a byte of it is read."""
    from anomagram.upload import check_size

    path = Path(text)
    try:
        size = path.stat().st_size
    except OSError:
        raise CliError(f"{text}: no such file.") from None
    if not path.is_file():
        raise CliError(f"{text} is not a file; give the CSV file of beats to score.")
    check_size(size)
    return path


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _label_column(text: str):
    if text in ("auto", "none"):
        return {"auto": "auto", "none": None}[text]
    try:
        return parse_int(text, "--label-column")
    except NumberError:
        raise CliError("--label-column takes auto, none or a column number.") from None


def _label_lines(parsed, errors, threshold: float, spec: Spec) -> list[str]:
    """How the verdicts compare with the file's labels, as the Score page shows them: over the
    beats with a readable label and a finite error; no lines without such beats.

    Each label code of the output's ``label`` column gets a line: its class (and the label the
    model's data writes for it), how many beats carry it and the share flagged abnormal."""
    from anomagram import metrics
    from anomagram.data import SHORT_CLASS_NAMES
    from anomagram.upload.labels import ABNORMAL, NORMAL_LABEL, UNKNOWN_LABEL

    if parsed.labels is None:
        return []
    labels = np.asarray(parsed.labels)
    errors = np.asarray(errors, np.float64)
    known = (labels != UNKNOWN_LABEL) & np.isfinite(errors)
    if not known.any():
        return []
    classes = parsed.classes
    if classes is not None:
        names = classes.names_by_code()
        texts = dict(zip(classes.codes, classes.labels, strict=True))
        owner = f"{classes.dataset}'s" if classes.dataset else "the model's"
    else:
        ecg5000 = spec.dataset == ECG5000_KEY
        names = {c: name if ecg5000 else f"Class {c}" for c, name in SHORT_CLASS_NAMES.items()}
        texts, owner = {}, "ECG5000's"
    names[ABNORMAL] = "abnormal (class not given)"
    y, scored = labels[known] != NORMAL_LABEL, errors[known]
    m = metrics.metrics_at(y, scored, threshold)
    auc = metrics.auc(y, scored) if y.any() and (~y).any() else float("nan")
    unknown = int(np.sum(~known & np.isfinite(errors)))
    left_out = f"; {_count(unknown, 'beat')} without a readable label left out" if unknown else ""
    lines = [
        f"labels      {_count(int(known.sum()), 'beat')} labelled, read as {owner} "
        f"classes{left_out}",
        f"accuracy    {_fmt(m.accuracy)}   precision {_fmt(m.precision)}   "
        f"recall {_fmt(m.recall)}   F1 {_fmt(m.f1)}   AUC {_fmt(auc)}",
        "flagged abnormal per label (the label column's code; for the normal class, false alarms):",
    ]
    rates = metrics.per_class_detection(labels[known], scored, threshold, tuple(names))
    counts = metrics.class_counts(labels[known], tuple(names))
    for code, rate in rates.items():
        if counts[code]:
            text = texts.get(code)
            what = names[code] + (f" (label {text})" if text and text != names[code] else "")
            what += ", normal" if code == NORMAL_LABEL else ""
            lines.append(f"  {code:>2}  {what:<44} {_fmt(rate)} of {counts[code]}")
    return lines


def cmd_score(args) -> int:
    from anomagram import sources
    from anomagram.model import ABNORMAL, UNSCORED, ModelFileError, load_detector
    from anomagram.upload import UploadError, parse_beats, scores_csv
    from anomagram.upload.labels import LabelClasses

    try:
        # Every argument is checked before the model is loaded or the beats are read.
        path = _beats_file(args.beats)
        out_path = _output_path(args.out, "--out") if args.out else None
        label_column = _label_column(args.label_column)
        detector = load_detector(args.model)
        # Labels as the model's data wrote them (-1 / 1 for ECG200); ECG5000's codes for its
        # models and for files that do not describe their data.
        classes = LabelClasses.of_model(detector.dataset)
        with path.open("rb") as f:  # parse_beats reads at most its limit plus one byte
            parsed = parse_beats(
                f,
                label_column=label_column,
                z_normalise=sources.rows_normalised(detector.spec)
                if args.znorm is None
                else args.znorm,
                n=detector.spec.length,  # the model's own width: 96 for an ECG200 model
                classes=classes,
            )
    except (ModelFileError, UploadError) as exc:
        raise CliError(str(exc)) from None
    threshold = detector.threshold if args.threshold is None else args.threshold
    errors, verdicts = detector.score(parsed.beats, threshold)
    texts = classes.texts_by_code() if classes is not None else None
    text = scores_csv(parsed.lines, errors, verdicts, parsed.labels, label_texts=texts)
    if out_path:
        try:
            out_path.write_text(text)
        except OSError as exc:
            raise _write_failed("--out", out_path, exc) from None
    else:
        sys.stdout.write(text)
    for warning in parsed.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for row in parsed.rejected:
        print(f"line {row.line} could not be read: {row.reason}", file=sys.stderr)
    unscored = [int(line) for line, v in zip(parsed.lines, verdicts, strict=True) if v == UNSCORED]
    for line in unscored:
        print(
            f"line {line} could not be scored: the model's reconstruction error is not a "
            "finite number",
            file=sys.stderr,
        )
    for line in _label_lines(parsed, errors, threshold, detector.spec):
        print(line, file=sys.stderr)
    flagged = sum(v == ABNORMAL for v in verdicts)
    print(
        f"{_count(len(verdicts) - len(unscored), 'beat')} scored, {flagged} flagged abnormal "
        f"(threshold {threshold:.6f}); {len(unscored)} could not be scored by the model; "
        f"{_count(len(parsed.rejected), 'row')} could not be read.",
        file=sys.stderr,
    )
    return 0
