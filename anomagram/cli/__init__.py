"""Command line: ``anomagram`` (or ``python -m anomagram``)
``train | sweep | score | datasets | pretrain``.

The model, training and data options come from the spec's ``FIELDS`` table (all but the
derived ``length``, which follows from the data). ``--dataset`` also takes the path of the
user's CSV, which the spec names ``csv:FILE``; the data is loaded once, before any training.
Bad input ends with a one-line message on stderr and exit code 2, never a traceback or a usage
block.

Modules: ``options`` (the parser, the options, ``CliError``), ``data`` (the data a command
names, loaded once and checked), ``output`` (JSON, progress lines), one per command: ``train``,
``sweep``, ``score``; this module builds the parser and runs a command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# What tests, bench/ and __main__ use: main, the parser, the spec the options make, the
# progress printer.
from anomagram import baselines
from anomagram.cli.options import (
    EXIT_BAD_INPUT,
    CliError,
    _one_of,
    _Parser,
    _threshold,
    add_spec_options,
    spec_from_args,
)
from anomagram.cli.output import _progress
from anomagram.cli.score import cmd_score
from anomagram.cli.sweep import cmd_sweep
from anomagram.cli.train import cmd_train
from anomagram.data import ECG5000_KEY, DataError
from anomagram.metrics import THRESHOLD_STRATEGIES
from anomagram.spec import FIELDS, SpecError

__all__ = ["CliError", "build_parser", "main", "spec_from_args", "_progress"]


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
