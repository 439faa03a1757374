"""Command line: ``anomagram`` (or ``python -m anomagram``) ``train | sweep | score | pretrain``.

The model and training options come from the spec's ``FIELDS`` table. Bad input ends with a
one-line message on stderr and exit code 2, never a traceback or a usage block.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from pathlib import Path

from anomagram.data import CLASS_NAMES, DataError
from anomagram.metrics import THRESHOLD_STRATEGIES
from anomagram.spec import FIELDS, Spec, SpecError, value_text

EXIT_BAD_INPUT = 2


class CliError(Exception):
    """A problem with the user's input, reported in one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, except that a mistake costs one line on stderr, not a 15-line usage block."""

    def error(self, message):
        # Values checked by ``_one_of`` already say what would be accepted; anything else
        # (unknown flag, missing value) points at --help.
        checked = re.fullmatch(r"argument (\S+): (must be one of .*)", message)
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


def add_spec_options(parser: argparse.ArgumentParser) -> None:
    """One option per spec field (``--learning-rate`` for ``learning_rate``), from the table.

    The options keep the text as typed and leave the defaults unset: ``spec_from_args`` hands
    what was given to ``Spec.from_dict``, so the CLI parses and checks exactly like a link.
    """
    group = parser.add_argument_group("model and training settings")
    for name, f in FIELDS.items():
        if f.kind == "choice":  # argparse's usual {a,b,c} already lists them
            metavar, allowed = "{" + ",".join(f.choices) + "}", ""
        else:
            metavar, allowed = name.upper(), f" Allowed: {f.bounds_text()}."
        default = f" Default {value_text(f.default)}."
        group.add_argument(f.flag, dest=name, metavar=metavar, help=f.help + allowed + default)


def spec_from_args(args: argparse.Namespace) -> Spec:
    given = {name: getattr(args, name) for name in FIELDS if getattr(args, name) is not None}
    return Spec.from_dict(given)


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
    t0 = time.perf_counter()
    trainer = Trainer.create(spec)
    result = trainer.train(on_epoch=_progress(not args.json))
    if not args.json:
        _end_status()
    summary = evaluate(trainer, args.threshold)
    total = time.perf_counter() - t0
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
    }
    if args.save:
        detector = trainer.detector(
            summary["threshold"],
            {"threshold_strategy": args.threshold, "auc": summary["auc"]},
        )
        out["saved"] = str(save_detector(detector, args.save))
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
        f"AUC         {_fmt(out['auc'])}   (PCA baseline {_fmt(out['baseline_pca_auc'])})",
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


def cmd_score(args) -> int:
    from anomagram.model import ModelFileError, load_detector
    from anomagram.upload import UploadError, parse_beats, scores_csv

    path = Path(args.beats)
    if not path.is_file():
        raise CliError(f"{path}: no such file.")
    label_column = {"auto": "auto", "none": None}.get(args.label_column)
    if label_column is None and args.label_column not in ("none",):
        try:
            label_column = int(args.label_column)
        except ValueError:
            raise CliError("--label-column takes auto, none or a column number.") from None
    try:
        detector = load_detector(args.model)
        parsed = parse_beats(
            path.read_bytes(), label_column=label_column, z_normalise=not args.no_znorm
        )
    except (ModelFileError, UploadError) as exc:
        raise CliError(str(exc)) from None
    threshold = detector.threshold if args.threshold is None else args.threshold
    errors, _ = detector.score(parsed.beats) if len(parsed.beats) else ([], [])
    verdicts = ["abnormal" if e > threshold else "normal" for e in errors]
    text = scores_csv(parsed.lines, errors, verdicts, parsed.labels)
    if args.out:
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    for warning in parsed.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for row in parsed.rejected:
        print(f"line {row.line} not scored: {row.reason}", file=sys.stderr)
    flagged = sum(v == "abnormal" for v in verdicts)
    print(
        f"{len(verdicts)} beats scored, {flagged} flagged abnormal "
        f"(threshold {threshold:.6f}); {len(parsed.rejected)} rows not scored.",
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
    score.add_argument("--threshold", type=float, help="override the model's threshold")
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
