"""How long the Experiments page's default sweep takes, and what sharing one compiled model saves.

    python bench/sweep_speed.py            # default sweep: abnormal % 0,10,30,50,70 x 3 seeds
    python bench/sweep_speed.py --quick    # 2 values x 2 seeds, to check the script itself

Runs, in one process after a warm-up (Keras/JAX import and a first compile, which the app does
in the background at start-up):

1. ``run_sweep`` as the page calls it: one pool of compiled models, so every run of the one
   architecture reuses one compiled model (weights re-initialised between runs);
2. the naive way: ``run_one`` with a pool that keeps nothing, so each run builds and
   compiles a new model.

It prints both wall times, their ratio, and where the time of the shared sweep goes (data
preparation, building / re-initialising, the first epoch with its compilation, the other
epochs, metrics, PCA baseline). Goal: the default sweep in <= 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from anomagram import metrics, sweep, training  # noqa: E402
from anomagram.compiled import CompiledPool  # noqa: E402
from anomagram.data import load_ecg5000  # noqa: E402
from anomagram.spec import Spec  # noqa: E402

GOAL_SECONDS = 60.0
SPENT: dict[str, float] = defaultdict(float)


@contextmanager
def patched(owner, name: str, bucket: str):
    """Time every call of ``owner.name`` into SPENT[bucket]."""
    original = getattr(owner, name)
    raw = original.__func__ if isinstance(original, classmethod) else original

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return raw(*args, **kwargs)
        finally:
            SPENT[bucket] += time.perf_counter() - t0

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


@contextmanager
def profiling():
    with (
        patched(training, "prepare", "data preparation (compose + scale)"),
        patched(training, "build_autoencoder", "build + compile graph (new model)"),
        patched(training, "reinitialize", "re-initialise shared model"),
        patched(metrics, "pca_baseline", "PCA baseline"),
        patched(metrics, "auc", "metrics (AUC, threshold, tiles)"),
        patched(metrics, "best_accuracy_threshold", "metrics (AUC, threshold, tiles)"),
        patched(metrics, "metrics_at", "metrics (AUC, threshold, tiles)"),
    ):
        yield


def timed_sweep(base: Spec, param: str, values, seeds: int, ecg, *, shared: bool):
    t0 = time.perf_counter()
    if shared:
        records = sweep.run_sweep(base, param, values, seeds, ecg=ecg, models=CompiledPool())
    else:
        records = [
            sweep.run_one(spec, ecg, CompiledPool(0))
            for spec in sweep.plan(base, param, values, seeds)
        ]
    return time.perf_counter() - t0, records


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 values x 2 seeds")
    args = parser.parse_args(argv)

    param = "abnormal_pct"
    values = [0.0, 50.0] if args.quick else [0.0, 10.0, 30.0, 50.0, 70.0]
    seeds = 2 if args.quick else 3
    base = Spec()
    n_runs = len(values) * seeds
    print(f"sweep: {param} = {values} x {seeds} seeds = {n_runs} runs of {base.epochs} epochs")
    print(f"base spec: {base.describe()}, batch {base.batch_size}, {base.train_size} train beats")

    t0 = time.perf_counter()
    ecg = load_ecg5000()
    t_data = time.perf_counter() - t0
    t0 = time.perf_counter()
    # What the app's background warm-up does before anyone can press Run.
    sweep.run_one(Spec(train_size=100, test_size=50, epochs=1, batch_size=64), ecg, CompiledPool(0))
    t_warm = time.perf_counter() - t0
    print(f"load ECG5000 {t_data:.2f} s; warm-up (Keras/JAX import, first compile) {t_warm:.2f} s")

    # Epoch timings come from the trainers' own run results.
    epoch_first: list[float] = []
    epoch_rest: list[float] = []
    original_train = training.Trainer.train

    def recording_train(self, *a, **kw):
        result = original_train(self, *a, **kw)
        epoch_first.append(result.seconds_first_epoch)
        epoch_rest.append(result.seconds_total - result.seconds_first_epoch)
        return result

    training.Trainer.train = recording_train
    try:
        SPENT.clear()
        with profiling():
            shared_wall, shared_records = timed_sweep(base, param, values, seeds, ecg, shared=True)
        shared_spent = dict(SPENT)
        shared_first, shared_rest = sum(epoch_first), sum(epoch_rest)
        epoch_first.clear()
        epoch_rest.clear()
        naive_wall, naive_records = timed_sweep(base, param, values, seeds, ecg, shared=False)
        naive_first, naive_rest = sum(epoch_first), sum(epoch_rest)
    finally:
        training.Trainer.train = original_train

    print()
    print(f"{'':32} {'total s':>8} {'per run':>8} {'1st epochs':>11} {'other epochs':>13}")
    for name, wall, first, rest in (
        ("shared compiled model", shared_wall, shared_first, shared_rest),
        ("fresh model per run (naive)", naive_wall, naive_first, naive_rest),
    ):
        print(f"{name:32} {wall:8.2f} {wall / n_runs:8.2f} {first:11.2f} {rest:13.2f}")
    print(f"ratio naive / shared: {naive_wall / shared_wall:.2f}x")

    print("\nwhere the shared sweep's time goes:")
    accounted = 0.0
    rows = [
        ("first epoch of each run (incl. compile)", shared_first),
        ("other epochs", shared_rest),
        *sorted(shared_spent.items(), key=lambda kv: -kv[1]),
    ]
    for name, seconds in rows:
        accounted += seconds
        print(f"  {name:42} {seconds:7.2f} s  {seconds / shared_wall:6.1%}")
    rest = shared_wall - accounted
    print(
        f"  {'rest (probe per epoch is inside epochs)':42} {rest:7.2f} s  {rest / shared_wall:6.1%}"
    )

    aucs = {}
    for r in shared_records:
        aucs.setdefault(r.value, []).append(r.auc)
    print(
        "\nmean AUC per value:", ", ".join(f"{v:g}: {sum(a) / len(a):.3f}" for v, a in aucs.items())
    )
    same = all(
        abs(a.auc - b.auc) < 0.02 for a, b in zip(shared_records, naive_records, strict=True)
    )
    print(f"shared and naive runs agree on AUC (within 0.02): {same}")
    verdict = "OK" if shared_wall <= GOAL_SECONDS else "SLOWER THAN THE GOAL"
    print(f"\ngoal <= {GOAL_SECONDS:.0f} s for the default sweep: {shared_wall:.1f} s -> {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
