"""Parameter sweeps over several seeds, with the same trainer and metrics as everything else.

Runs of one architecture share one compiled model: its weights and optimizer state are
re-initialised between runs instead of building (and compiling) a new model each time. The
models wait between runs in the process-wide, bounded ``anomagram.compiled`` pool, which
sessions and sweeps share.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from anomagram import compiled, metrics, sources
from anomagram.data import Dataset
from anomagram.numbers import shown
from anomagram.scheduler import Ticket
from anomagram.spec import FIELDS, Spec, SpecError, value_text
from anomagram.training import STOPPED, Trainer

# The settings a sweep can vary, with their labels: both come from the Spec's field table.
SWEEP_PARAMS = {name: f.label for name, f in FIELDS.items() if f.sweepable}
ARCHITECTURE_PRESETS = {
    "tiny (3)": (3,),
    "default (7, 3)": (7, 3),
    "wide (32, 16)": (32, 16),
    "deep (64, 32, 16)": (64, 32, 16),
}
RESULT_METRICS = ("auc", "accuracy", "precision", "recall", "f1", "baseline_auc", "seconds")


def parse_values(param: str, text: str) -> list:
    """Values from text: comma separated, or ';' between layer lists for ``hidden``.

    Each value is read and checked by the Spec (so through ``anomagram.numbers``): the first
    bad one raises a ``ValueError`` whose message quotes at most a short part of it.
    """
    if param not in SWEEP_PARAMS:
        raise ValueError(f"Cannot sweep {shown(param)}; choose one of {', '.join(SWEEP_PARAMS)}.")
    sep = ";" if param == "hidden" else ","
    parts = [p.strip() for p in text.split(sep) if p.strip()]
    if not parts:
        raise ValueError("Give at least one value to sweep.")
    values = []
    for part in parts:
        try:
            spec = Spec.from_dict({param: part})
        except SpecError as exc:
            # The Spec's messages already name the value (shortened), so they stand alone.
            raise ValueError(str(exc)) from None
        values.append(getattr(spec, param))
    return values


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
        d["value"] = value_text(self.value)
        return d


def plan(base: Spec, param: str, values: Sequence, seeds: int) -> list[Spec]:
    """Every run's spec, in order: each value with seeds 0..seeds-1 (offset by base.seed)."""
    return [
        base.replace(**{param: value, "seed": base.seed + s})
        for value in values
        for s in range(seeds)
    ]


def run_one(
    spec: Spec,
    ecg: Dataset,
    models: compiled.CompiledPool,
    stop: Callable[[], bool] | None = None,
    slot: Ticket | None = None,
) -> RunRecord:
    """Train and evaluate one run; ``stop()``, asked after every epoch, may end it early.

    With a ``slot`` (a ``scheduler.Ticket``) it trains only while holding a server trainer.
    """
    key = spec.architecture_key
    trainer = Trainer.create(spec, ecg, model=models.take(key))
    try:
        t0 = time.perf_counter()
        on_epoch = None if stop is None else (lambda report: not stop())
        result = trainer.train(on_epoch=on_epoch, slot=slot)
        seconds = time.perf_counter() - t0
        errors = trainer.test_errors()
    finally:
        # Back to the pool, for this sweep's next run of the architecture or anyone else's.
        models.put(key, trainer.model)
    p = trainer.prepared
    y = p.test_is_abnormal
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
    ecg: Dataset | None = None,
    on_run: Callable[[int, int, RunRecord], bool | None] | None = None,
    done: Sequence[RunRecord] = (),
    models: compiled.CompiledPool | None = None,
    stop: Callable[[], bool] | None = None,
    slot: Ticket | None = None,
) -> list[RunRecord]:
    """Run every (value, seed); ``on_run(i, total, record)`` may return False to cancel.

    ``done`` holds records of an earlier, interrupted call of the same sweep: they are kept and
    not run again, so a cancelled or interrupted sweep can be continued. ``stop()`` is asked
    after every epoch: when it says True the run in progress is dropped, not recorded, and the
    sweep returns at once. The Experiments page needs this because a superseded script run
    keeps training (on the shared compiled model) until it next touches Streamlit.

    ``models``: where compiled models wait between runs (default: the process-wide pool).

    ``slot``: one ``scheduler.Ticket`` for the whole sweep, so its runs take turns with every
    other training on the server (the command line passes none: the machine is the user's).
    """
    ecg = sources.load(base) if ecg is None else ecg
    base = sources.for_data(base, ecg)
    models = compiled.pool() if models is None else models
    specs = plan(base, param, values, seeds)
    records = list(done)
    for i, spec in enumerate(specs[len(records) :], start=len(records)):
        record = run_one(spec, ecg, models, stop, slot)
        if stop is not None and record.status == STOPPED:
            break
        record = RunRecord(**{**record.__dict__, "value": getattr(spec, param)})
        records.append(record)
        if on_run is not None and on_run(i + 1, len(specs), record) is False:
            break
    return records


SUMMARY_COLUMNS = (
    "value",
    "runs",
    *(f"{key}_{stat}" for key in RESULT_METRICS for stat in ("mean", "std")),
    "diverged",
)


def summary_table(records: Sequence[RunRecord], values: Sequence | None = None) -> pd.DataFrame:
    """One row per value (in sweep order): runs, mean and std of every metric over seeds, and
    how many runs diverged.

    ``value`` is the value's label. NaN metrics (e.g. an AUC without both classes) are left
    out of the mean and std; std is the population one (ddof=0), so one seed gives 0.
    """
    if not records:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    runs = pd.DataFrame([r.to_dict() for r in records])
    runs["diverged"] = runs["status"] == "diverged"
    order = dict.fromkeys([value_text(v) for v in values or ()] + list(runs["value"]))
    groups = runs.groupby("value", sort=False)
    metric_cols = list(RESULT_METRICS)
    table = pd.concat(
        [
            groups.size().rename("runs"),
            groups[metric_cols].mean().add_suffix("_mean"),
            groups[metric_cols].std(ddof=0).add_suffix("_std"),
            groups["diverged"].sum(),
        ],
        axis=1,
    )
    table = table.reindex([v for v in order if v in table.index])
    return table.rename_axis("value").reset_index()[list(SUMMARY_COLUMNS)]


def summarise(records: Sequence[RunRecord], values: Sequence | None = None) -> list[dict]:
    """:func:`summary_table` as one dict per row, the form the CLI prints and writes as JSON."""
    return summary_table(records, values).to_dict("records")
