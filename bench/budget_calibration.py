"""Calibrate the work budget's cost model (anomagram/budget.py) on this machine.

Trains a grid of architectures x batch sizes x training-set sizes for a few epochs each, takes
the fastest of the epochs after the first (the first one compiles), and fits, with
non-negative least squares on relative errors,

    seconds per epoch = a * steps + e * weights * steps + b * weights * steps * batch
                        + c * weights * test + d

(``steps`` = ceil(train / batch): each step pays Keras's and JAX's per-step overhead, and reads
and updates every weight and its optimizer state whatever the batch size; the third term is
the arithmetic of the padded training beats; the fourth the per-epoch report on the test
beats). It also times what a run pays once: building the data split and the
evaluation (PCA baseline, metrics), and compiling a new architecture. Then it trains a few
specs the fit has not seen and prints estimate vs measurement.

Paste the printed constants into anomagram/budget.py with the date.

    python bench/budget_calibration.py [--epochs 4]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy.optimize import nnls  # noqa: E402

from anomagram import budget  # noqa: E402
from anomagram.compiled import CompiledPool  # noqa: E402
from anomagram.data import load_ecg5000  # noqa: E402
from anomagram.spec import Spec  # noqa: E402
from anomagram.sweep import run_one  # noqa: E402
from anomagram.training import Trainer  # noqa: E402

ARCHS = {
    "small": ((7, 3), 2),
    "mid": ((64, 32, 16), 8),
    "big": ((256,) * 6, 64),
}
GRID = [
    (arch, batch, train)
    for arch in ARCHS
    for batch in (1, 8, 64, 512)
    for train in (500, 2500)
    if not (batch == 1 and train > 500)  # batch 1 on 2500 beats costs minutes on "big"
]
CHECKS = [  # not in the fit
    Spec(hidden=(32, 16), latent=4, batch_size=16, train_size=1000),
    Spec(hidden=(128, 64), latent=16, batch_size=128, train_size=4000, abnormal_pct=40),
    Spec(hidden=(256,) * 6, latent=64, batch_size=1, train_size=1500, abnormal_pct=41.62),
    Spec(),
]


def features(spec: Spec) -> list[float]:
    steps = -(-spec.train_size // spec.batch_size)
    weights = spec.weight_count
    return [
        steps,
        weights * steps,
        weights * steps * spec.batch_size,
        weights * spec.test_size,
        1.0,
    ]


def epoch_seconds(spec: Spec, ecg, epochs: int) -> tuple[float, float]:
    """(seconds of the fastest epoch after the first, seconds of the first beyond that).

    The fastest, not the median: on a shared machine other processes only ever add time.
    """
    trainer = Trainer.create(spec, ecg)
    ends = []
    trainer.train(epochs, on_epoch=lambda report: ends.append(report.seconds))
    lengths = [b - a for a, b in zip([0.0, *ends], ends, strict=False)]
    fastest = min(lengths[1:])
    return fastest, max(lengths[0] - fastest, 0.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()
    ecg = load_ecg5000()
    started = time.perf_counter()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.2f}"
    )

    rows, targets, compiles = [], [], []
    for arch, batch, train in GRID:
        hidden, latent = ARCHS[arch]
        spec = Spec(hidden=hidden, latent=latent, batch_size=batch, train_size=train)
        seconds, compile_s = epoch_seconds(spec, ecg, args.epochs)
        rows.append(features(spec))
        targets.append(seconds)
        compiles.append(compile_s)
        print(
            f"  {arch:5} batch {batch:4} train {train:4}: {1000 * seconds:8.1f} ms/epoch, "
            f"compile {compile_s:.2f} s"
        )
    # Relative errors count: a 2 ms epoch off by 2 ms is as wrong as a 2 s one off by 2 s.
    y = np.array(targets)
    coef, _ = nnls(np.array(rows) / y[:, None], np.ones_like(y))
    a, e, b, c, d = coef

    # What a run pays once besides its epochs: the data split, the evaluation (sweep.run_one
    # adds the PCA baseline and the metrics), measured on the default spec with a compiled
    # model so that no compilation is counted.
    spec = Spec()
    models = CompiledPool()
    run_one(spec, ecg, models)
    overheads = []
    for seed in range(5):
        t0 = time.perf_counter()
        record = run_one(spec.replace(seed=seed), ecg, models)
        overheads.append(time.perf_counter() - t0 - record.seconds)
    run_overhead = statistics.median(overheads)

    print("\nfit: seconds per epoch = a*steps + e*weights*steps + b*weights*steps*batch")
    print("                          + c*weights*test + d")
    print(f"STEP_SECONDS = {a:.3g}")
    print(f"WEIGHT_STEP_SECONDS = {e:.3g}")
    print(f"WEIGHT_BEAT_SECONDS = {b:.3g}")
    print(f"PROBE_WEIGHT_BEAT_SECONDS = {c:.3g}")
    print(f"EPOCH_SECONDS = {d:.3g}")
    print(f"RUN_SECONDS = {run_overhead:.3g}   (data split + evaluation, per run)")
    print(
        f"COMPILE_SECONDS = {statistics.median(compiles):.3g}   (median; max {max(compiles):.2f} s)"
    )

    print("\nspecs the fit has not seen (budget.py's constants vs the fit vs measured):")
    for spec in CHECKS:
        seconds, _ = epoch_seconds(spec, ecg, 3)
        fitted = float(np.dot(features(spec), coef))
        used = budget.epoch_seconds(spec)
        print(
            f"  {spec.layer_path()}, batch {spec.batch_size}, train {spec.train_size}: "
            f"measured {1000 * seconds:.1f} ms/epoch, fit {1000 * fitted:.1f}, "
            f"budget.py {1000 * used:.1f}"
        )
    print(f"\ncalibration took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
