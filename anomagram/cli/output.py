"""What the command line prints: strict JSON, progress lines on stderr, numbers."""

from __future__ import annotations

import json
import math
import sys

import numpy as np


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


def _fmt(x) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.3f}"
