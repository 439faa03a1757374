"""``sweep``: one setting over several seeds, a row per value."""

from __future__ import annotations

import sys
import time

from anomagram.cli.data import _dataset_lines, check_split, load_data
from anomagram.cli.options import CliError, spec_from_args
from anomagram.cli.output import _end_status, _fmt, _json, _status


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
