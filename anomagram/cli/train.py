"""``train``: one model, its metrics, the classic detectors beside it, its summary."""

from __future__ import annotations

import time

import numpy as np

from anomagram import baselines
from anomagram.cli.data import _by_label, _class_text, _dataset_lines, load_data
from anomagram.cli.options import _output_path, _write_failed, spec_from_args
from anomagram.cli.output import _end_status, _fmt, _json, _progress
from anomagram.data import Dataset


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
