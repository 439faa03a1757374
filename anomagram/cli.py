"""Command line: ``anomagram`` (or ``python -m anomagram``) ``train | sweep | score | pretrain``.

The model and training options come from the spec's ``FIELDS`` table. Bad input ends with a
one-line message on stderr and exit code 2, never a traceback or a usage block.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from anomagram import baselines
from anomagram.data import CLASS_NAMES, DataError
from anomagram.metrics import THRESHOLD_STRATEGIES
from anomagram.numbers import NumberError, parse_int, shown
from anomagram.presets import PRESETS, preset_spec
from anomagram.spec import FIELDS, Spec, SpecError, value_text

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


def add_spec_options(parser: argparse.ArgumentParser) -> None:
    """One option per spec field (``--learning-rate`` for ``learning_rate``), from the table.

    The options keep the text as typed and leave the defaults unset: ``spec_from_args`` hands
    what was given to ``Spec.from_dict``, so the CLI parses and checks exactly like a link.
    """
    group = parser.add_argument_group("model and training settings")
    group.add_argument(
        "--preset",
        type=_one_of(tuple(PRESETS)),
        metavar="{" + ",".join(PRESETS) + "}",
        help="start from this preset's whole spec (the Train page says what each one shows); "
        "the options below override it",
    )
    for name, f in FIELDS.items():
        if f.kind == "choice":  # argparse's usual {a,b,c} already lists them
            metavar, allowed = "{" + ",".join(f.choices) + "}", ""
        else:
            metavar, allowed = name.upper(), f" Allowed: {f.bounds_text()}."
        default = f" Default {value_text(f.default)}."
        group.add_argument(f.flag, dest=name, metavar=metavar, help=f.help + allowed + default)


def spec_from_args(args: argparse.Namespace) -> Spec:
    given = {name: getattr(args, name) for name in FIELDS if getattr(args, name) is not None}
    preset = getattr(args, "preset", None)
    base = preset_spec(preset).to_dict() if preset else {}
    return Spec.from_dict({**base, **given})


def _clean(value):
    """JSON has no NaN: report an undefined metric as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


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
    from anomagram.model import save_detector
    from anomagram.training import Trainer, evaluate

    spec = spec_from_args(args)
    save = _output_path(args.save, "--save", ".keras") if args.save else None
    t0 = time.perf_counter()
    trainer = Trainer.create(spec)
    result = trainer.train(on_epoch=_progress(not args.json))
    if not args.json:
        _end_status()
    summary = evaluate(trainer, args.threshold)
    total = time.perf_counter() - t0
    p = trainer.prepared
    detectors = baselines.run_all(
        p.train_scaled, p.test_scaled, p.test_is_abnormal, components=spec.latent, seed=spec.seed
    )
    summary["baseline_pca_auc"] = detectors["pca"].auc  # the same number as the table's
    out = {
        "spec": spec.to_dict(),
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
            {"threshold_strategy": args.threshold, "auc": summary["auc"]},
        )
        try:
            out["saved"] = str(save_detector(detector, save))
        except OSError as exc:
            raise _write_failed("--save", save, exc) from None
    if args.json:
        print(json.dumps(_clean(out)))
    else:
        print(_train_text(out))
    return 0


def _fmt(x) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.3f}"


def _train_text(out: dict) -> str:
    lines = [
        f"status      {out['status']}" + (f" - {out['message']}" if out["message"] else ""),
        f"AUC         {_fmt(out['auc'])}",
        f"threshold   {out['threshold']:.6f} ({out['threshold_strategy']})",
        f"accuracy    {_fmt(out['accuracy'])}   precision {_fmt(out['precision'])}   "
        f"recall {_fmt(out['recall'])}   F1 {_fmt(out['f1'])}",
        "detection rate per class:",
    ]
    for c, rate in out["per_class"].items():
        lines.append(f"  {c} {CLASS_NAMES[int(c)]:<45} {_fmt(rate)}")
    s = out["seconds"]
    lines.append(
        f"seconds     total {s['total']:.2f}, compile ~{s['compile']:.2f}, train {s['train']:.2f}"
    )
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
    from anomagram.sweep import parse_values, run_sweep, summarise

    base = spec_from_args(args)
    try:
        values = parse_values(args.param, args.values)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if not 1 <= args.seeds <= 20:
        raise CliError("--seeds must be between 1 and 20.")

    def on_run(i, total, record):
        if not args.json:
            _status(f"run {i}/{total}")

    t0 = time.perf_counter()
    records = run_sweep(base, args.param, values, args.seeds, on_run=on_run)
    rows = summarise(records, values)
    if args.json:
        out = {
            "param": args.param,
            "seeds": args.seeds,
            "base_spec": base.to_dict(),
            "rows": rows,
            "runs": [r.to_dict() for r in records],
            "seconds": time.perf_counter() - t0,
        }
        print(json.dumps(_clean(out)))
    else:
        _end_status()
        print(f"{args.param:<14} {'AUC':>15} {'accuracy':>15} {'PCA AUC':>8} {'s/run':>6}")
        for r in rows:
            print(
                f"{r['value']:<14} {r['auc_mean']:.3f} ± {r['auc_std']:.3f}   "
                f"{r['accuracy_mean']:.3f} ± {r['accuracy_std']:.3f} "
                f"{r['baseline_auc_mean']:>8.3f} {r['seconds_mean']:>6.2f}"
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


def cmd_score(args) -> int:
    from anomagram.model import ABNORMAL, UNSCORED, ModelFileError, load_detector
    from anomagram.upload import UploadError, parse_beats, scores_csv

    try:
        # Every argument is checked before the model is loaded or the beats are read.
        path = _beats_file(args.beats)
        out_path = _output_path(args.out, "--out") if args.out else None
        label_column = _label_column(args.label_column)
        detector = load_detector(args.model)
        with path.open("rb") as f:  # parse_beats reads at most its limit plus one byte
            parsed = parse_beats(f, label_column=label_column, z_normalise=not args.no_znorm)
    except (ModelFileError, UploadError) as exc:
        raise CliError(str(exc)) from None
    threshold = detector.threshold if args.threshold is None else args.threshold
    errors, verdicts = detector.score(parsed.beats, threshold)
    text = scores_csv(parsed.lines, errors, verdicts, parsed.labels)
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
    flagged = sum(v == ABNORMAL for v in verdicts)
    print(
        f"{_count(len(verdicts) - len(unscored), 'beat')} scored, {flagged} flagged abnormal "
        f"(threshold {threshold:.6f}); {len(unscored)} could not be scored by the model; "
        f"{_count(len(parsed.rejected), 'row')} could not be read.",
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
        description="Autoencoder anomaly detection for ECG5000 heartbeats.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train one model and report its metrics")
    train.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    train.add_argument(
        "--threshold",
        default="best_accuracy",
        type=_one_of(THRESHOLD_STRATEGIES),
        metavar="{" + ",".join(THRESHOLD_STRATEGIES) + "}",
        help="how to pick the threshold on the test beats (default best_accuracy)",
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
    score.add_argument("--no-znorm", action="store_true", help="do not z-normalise each beat")
    score.set_defaults(func=cmd_score)

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
