"""Parameter sweeps over several seeds, with the same trainer and metrics as everything else.

Runs of one architecture share one compiled model: its weights and optimizer state are
re-initialised between runs instead of building (and compiling) a new model each time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from anomagram import metrics
from anomagram.data import ECG5000, load_ecg5000
from anomagram.spec import Spec, SpecError
from anomagram.training import Trainer

SWEEP_PARAMS = {
    "abnormal_pct": "Abnormal % in training data",
    "optimizer": "Optimizer",
    "learning_rate": "Learning rate",
    "batch_size": "Batch size",
    "hidden": "Hidden layers",
    "latent": "Latent size",
    "regularizer": "Regularizer",
    "train_size": "Training set size",
}
ARCHITECTURE_PRESETS = {
    "tiny (3)": (3,),
    "default (7, 3)": (7, 3),
    "wide (32, 16)": (32, 16),
    "deep (64, 32, 16)": (64, 32, 16),
}
RESULT_METRICS = ("auc", "accuracy", "precision", "recall", "f1", "baseline_auc", "seconds")


def parse_values(param: str, text: str) -> list:
    """Values from text: comma separated, or ';' between layer lists for ``hidden``."""
    if param not in SWEEP_PARAMS:
        raise ValueError(f"Cannot sweep {param!r}; choose one of {', '.join(SWEEP_PARAMS)}.")
    sep = ";" if param == "hidden" else ","
    parts = [p.strip() for p in text.split(sep) if p.strip()]
    if not parts:
        raise ValueError("Give at least one value to sweep.")
    values = []
    for part in parts:
        try:
            spec = Spec.from_dict({param: part})
        except SpecError as exc:
            raise ValueError(f"{part!r}: {exc}") from None
        values.append(getattr(spec, param))
    return values


def value_label(value) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class RunRecord:
    value: object
    seed: int
    auc: float
    accuracy: float
    precision: float
    recall: float
    f1: float
    baseline_auc: float
    seconds: float
    status: str

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["value"] = value_label(self.value)
        return d


def plan(base: Spec, param: str, values: Sequence, seeds: int) -> list[Spec]:
    """Every run's spec, in order: each value with seeds 0..seeds-1 (offset by base.seed)."""
    return [
        base.replace(**{param: value, "seed": base.seed + s})
        for value in values
        for s in range(seeds)
    ]


def run_one(spec: Spec, ecg: ECG5000, models: dict) -> RunRecord:
    key = spec.architecture_key
    trainer = Trainer.create(spec, ecg, model=models.get(key))
    models[key] = trainer.model
    t0 = time.perf_counter()
    result = trainer.train()
    seconds = time.perf_counter() - t0
    p = trainer.prepared
    y = p.test_is_abnormal
    errors = trainer.test_errors()
    threshold = metrics.best_accuracy_threshold(y, errors)
    m = metrics.metrics_at(y, errors, threshold)
    base = metrics.pca_baseline(p.train_scaled, p.test_scaled, y, spec.latent)
    return RunRecord(
        value=None,
        seed=spec.seed,
        auc=metrics.auc(y, errors),
        accuracy=m.accuracy,
        precision=m.precision,
        recall=m.recall,
        f1=m.f1,
        baseline_auc=base.auc,
        seconds=seconds,
        status=result.status,
    )


def run_sweep(
    base: Spec,
    param: str,
    values: Sequence,
    seeds: int = 3,
    *,
    ecg: ECG5000 | None = None,
    on_run: Callable[[int, int, RunRecord], bool | None] | None = None,
    done: Sequence[RunRecord] = (),
    models: dict | None = None,
) -> list[RunRecord]:
    """Run every (value, seed); ``on_run(i, total, record)`` may return False to cancel.

    ``done`` holds records of an earlier, interrupted call of the same sweep: they are kept and
    not run again, so a cancelled or interrupted sweep can be continued.
    """
    ecg = ecg or load_ecg5000()
    models = {} if models is None else models
    specs = plan(base, param, values, seeds)
    records = list(done)
    for i, spec in enumerate(specs[len(records) :], start=len(records)):
        record = run_one(spec, ecg, models)
        record = RunRecord(**{**record.__dict__, "value": getattr(spec, param)})
        records.append(record)
        if on_run is not None and on_run(i + 1, len(specs), record) is False:
            break
    return records


def summarise(records: Sequence[RunRecord], values: Sequence | None = None) -> list[dict]:
    """One row per value (in sweep order): mean and std of every metric over seeds."""
    order = list(values) if values is not None else []
    for r in records:
        if r.value not in order:
            order.append(r.value)
    rows = []
    for value in order:
        group = [r for r in records if r.value == value]
        if not group:
            continue
        row = {"value": value_label(value), "runs": len(group)}
        for key in RESULT_METRICS:
            arr = np.array([getattr(r, key) for r in group], dtype=np.float64)
            row[f"{key}_mean"] = float(np.nanmean(arr)) if np.isfinite(arr).any() else float("nan")
            row[f"{key}_std"] = float(np.nanstd(arr)) if np.isfinite(arr).any() else float("nan")
        row["diverged"] = sum(r.status == "diverged" for r in group)
        rows.append(row)
    return rows
