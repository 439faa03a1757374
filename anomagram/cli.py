"""Command line: ``python -m anomagram train | sweep | score | pretrain``.

Bad input ends with a one-line message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from anomagram.data import CLASS_NAMES, DataError
from anomagram.metrics import THRESHOLD_STRATEGIES
from anomagram.spec import Spec, SpecError

EXIT_BAD_INPUT = 2


class CliError(Exception):
    """A problem with the user's input, reported in one line."""


def _spec_options(p: argparse.ArgumentParser) -> None:
    d = Spec()
    p.add_argument("--hidden", default="7,3", help="hidden layer sizes, e.g. 7,3 (default 7,3)")
    p.add_argument("--latent", type=int, default=d.latent)
    p.add_argument("--activation", default=d.activation)
    p.add_argument("--output-activation", default=d.output_activation)
    p.add_argument("--regularizer", default=d.regularizer, help="none, l1, l2 or l1l2")
    p.add_argument("--regularizer-rate", type=float, default=d.regularizer_rate)
    p.add_argument("--optimizer", default=d.optimizer)
    p.add_argument("--learning-rate", type=float, default=d.learning_rate)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--train-size", type=int, default=d.train_size)
    p.add_argument("--test-size", type=int, default=d.test_size)
    p.add_argument("--abnormal-pct", type=float, default=d.abnormal_pct)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def _spec_from(args) -> Spec:
    return Spec.from_dict(
        {
            "hidden": args.hidden,
            "latent": args.latent,
            "activation": args.activation,
            "output_activation": args.output_activation,
            "regularizer": args.regularizer,
            "regularizer_rate": args.regularizer_rate,
            "optimizer": args.optimizer,
            "learning_rate": args.learning_rate,
            "batch_size": args.batch_size,
            "epochs": args.epochs,
            "train_size": args.train_size,
            "test_size": args.test_size,
            "abnormal_pct": args.abnormal_pct,
            "seed": args.seed,
        }
    )


def _clean(value):
    """JSON has no NaN: report an undefined metric as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _progress(enabled: bool):
    def show(report):
        if enabled:
            print(
                f"\repoch {report.epoch:>4}/{report.target_epoch}  loss {report.loss:.5f}  "
                f"val {report.val_loss:.5f}",
                end="",
                file=sys.stderr,
                flush=True,
            )

    return show


# --- commands ----------------------------------------------------------------------------------


def cmd_train(args) -> int:
    from anomagram.model import save_detector
    from anomagram.training import Trainer, evaluate

    spec = _spec_from(args)
    t0 = time.perf_counter()
    trainer = Trainer.create(spec)
    result = trainer.train(on_epoch=_progress(not args.json))
    if not args.json:
        print(file=sys.stderr)
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

    base = _spec_from(args)
    try:
        values = parse_values(args.param, args.values)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if not 1 <= args.seeds <= 20:
        raise CliError("--seeds must be between 1 and 20.")

    def on_run(i, total, record):
        if not args.json:
            print(f"\rrun {i}/{total}", end="", file=sys.stderr, flush=True)

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
        print(file=sys.stderr)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m anomagram",
        description="Autoencoder anomaly detection for ECG5000 heartbeats.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train one model and report its metrics")
    _spec_options(train)
    train.add_argument("--threshold", default="best_accuracy", choices=THRESHOLD_STRATEGIES)
    train.add_argument("--save", help="write the model to this .keras file")
    train.set_defaults(func=cmd_train)

    sweep = sub.add_parser("sweep", help="sweep one parameter over several seeds")
    _spec_options(sweep)
    sweep.add_argument("--param", required=True)
    sweep.add_argument("--values", required=True, help="comma separated; ';' between layer lists")
    sweep.add_argument("--seeds", type=int, default=3)
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
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its one-line usage error
        return EXIT_BAD_INPUT if exc.code not in (0, None) else 0
    try:
        return args.func(args)
    except (CliError, SpecError, DataError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
