"""Training time against dataset size and length: the default Spec on other data.

For each dataset (ECG5000, UCR sets of other lengths, a synthetic recording cut into windows
at three sizes): the rows the default Spec's split really trains on, the length (the model's
width), the network's weights, the seconds to read the data, and the seconds of the default
Spec's 30 epochs on a warm model (built and trained once first, so compilation is not
counted; then a fresh trainer reuses it, as the app's model pool does), with its AUC. Seconds
are the median over seeds, AUC the mean; the last column is the time relative to ECG5000
measured in the same run. This machine is shared and has 2 cores, so read the seconds as
rough.

    python bench/datasets.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from anomagram import metrics, sources  # noqa: E402
from anomagram.spec import Spec  # noqa: E402
from anomagram.training import Trainer  # noqa: E402

UCR = ("ECG200", "FordA", "CinCECGTorso")
# (samples, window, stride) of the synthetic recording: about 250, 1,000 and 4,000 windows.
RECORDINGS = ((17_640, 140, 70), (70_070, 140, 70), (280_070, 140, 70))


def recording(samples: int, seed: int = 0) -> str:
    """A noisy sine (period 50) with a three-sample spike every ~700 samples, flagged 0/1."""
    rng = np.random.default_rng(seed)
    values = np.sin(2 * np.pi * np.arange(samples) / 50) + 0.05 * rng.normal(size=samples)
    flags = np.zeros(samples, int)
    for start in rng.choice(samples - 10, samples // 700, replace=False):
        values[start : start + 3] += 4.0
        flags[start : start + 3] = 1
    rows = (f"{v:.4f},{f}" for v, f in zip(values, flags, strict=True))
    return "value,anomaly\n" + "\n".join(rows) + "\n"


def datasets() -> list[tuple[str, Spec, object, float]]:
    """(label, spec, dataset, seconds to read it) for every row of the table."""
    out = []
    for key in ("ecg5000", *(f"ucr:{n}" for n in UCR)):
        spec = Spec(dataset=key)
        start = time.perf_counter()
        ds = sources.load(spec)
        out.append((ds.name, spec, ds, time.perf_counter() - start))
    for samples, window, stride in RECORDINGS:
        text = recording(samples)
        spec = Spec(dataset="csv:recording.csv", window=window, stride=stride)
        start = time.perf_counter()
        ds = sources.load(spec, text, "recording.csv")
        seconds = time.perf_counter() - start
        label = f"recording, {samples:,} samples ({len(text) / 1e6:.1f} MB)"
        out.append((label, spec, ds, seconds))
    return out


def measure(spec: Spec, ds, seeds: range) -> tuple[Spec, int, list[float], list[float]]:
    """(fitted spec, training rows, seconds per run, AUC per run) on a warm model."""
    warm = Trainer.create(spec, ds)
    warm.train()  # compiles this architecture; not measured
    seconds, aucs = [], []
    for seed in seeds:
        trainer = Trainer.create(spec.replace(seed=seed), ds, model=warm.model)
        result = trainer.train()
        seconds.append(result.seconds_total)
        aucs.append(metrics.auc(trainer.prepared.test_is_abnormal, trainer.test_errors()))
    return trainer.spec, len(trainer.prepared.split.train_y), seconds, aucs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    seeds = range(args.seeds)
    rows = []
    for label, spec, ds, read_s in datasets():
        fitted, n_train, seconds, aucs = measure(spec, ds, seeds)
        rows.append((label, ds, fitted, n_train, read_s, statistics.median(seconds), aucs))
        print(f"{label}: {[f'{s:.2f}s' for s in seconds]} AUC {aucs}", file=sys.stderr)

    base = rows[0][5]
    print(
        f"| dataset | rows (train / all) | length | weights | read, s | 30 epochs, s "
        f"(median of {args.seeds}) | vs ECG5000 | AUC, mean |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, ds, fitted, n_train, read_s, median_s, aucs in rows:
        length = f"{ds.length}" + (
            f" (from {ds.native_length})" if ds.native_length > ds.length else ""
        )
        print(
            f"| {label} | {n_train:,} / {len(ds.y):,} | {length} | {fitted.weight_count:,} | "
            f"{read_s:.2f} | {median_s:.2f} | {median_s / base:.2f}x | {np.mean(aucs):.3f} |"
        )
    print(
        f"\n{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end "
        "(shared machine: seconds are rough). Read times: the first read in this process.",
    )


if __name__ == "__main__":
    main()
