"""Core training speed: our trainer with full per-epoch reports vs a bare ``model.fit``.

Both run the default spec (30 epochs on 2500 beats) after compilation, in one process, several
times alternately; the ratio of medians is what to read (this machine is noisy and has 2 cores).

    python bench/train_speed.py [--repeats 7]
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

from anomagram.data import load_ecg5000  # noqa: E402
from anomagram.model import build_autoencoder  # noqa: E402
from anomagram.spec import Spec  # noqa: E402
from anomagram.training import Trainer, _batches_class  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    spec = Spec()
    ecg = load_ecg5000()

    # Compile time: the first epoch of a fresh model minus an ordinary epoch.
    t0 = time.perf_counter()
    trainer = Trainer.create(spec, ecg)
    build_s = time.perf_counter() - t0
    first = trainer.train(epochs=1)
    compile_runs = [first.seconds_first_epoch]

    # (a) our trainer with a report (test errors + latent) every epoch and a callback.
    def ours() -> float:
        t = Trainer.create(spec, ecg, model=trainer.model)
        reports = []
        start = time.perf_counter()
        t.train(on_epoch=reports.append)
        assert len(reports) == spec.epochs
        return time.perf_counter() - start

    # (b) a bare fit: same model, same full batches, no callbacks, no reports.
    bare_model = build_autoencoder(spec)
    x = trainer.prepared.train_scaled
    batches = _batches_class()(x, spec.batch_size, 0)
    t = time.perf_counter()
    bare_model.fit(batches, epochs=1, verbose=0, shuffle=False)
    compile_runs.append(time.perf_counter() - t)

    def bare() -> float:
        start = time.perf_counter()
        bare_model.fit(batches, epochs=spec.epochs, verbose=0, shuffle=False)
        return time.perf_counter() - start

    ours_s, bare_s = [], []
    for _ in range(args.repeats):
        ours_s.append(ours())
        bare_s.append(bare())
    m_ours, m_bare = statistics.median(ours_s), statistics.median(bare_s)
    py = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {py}")
    print(f"spec: {spec.describe()}, {spec.epochs} epochs on {spec.train_size} beats")
    print(f"build model + data         : {build_s:.2f} s")
    print(f"first epoch (compile incl.): {statistics.median(compile_runs):.2f} s")
    print(f"(a) trainer + reports      : median {m_ours:.3f} s  ({args.repeats} runs)")
    print(f"(b) bare model.fit         : median {m_bare:.3f} s")
    print(f"ratio a/b                  : {m_ours / m_bare:.2f}  (goal <= 1.3)")
    print(f"per epoch (a)              : {1000 * m_ours / spec.epochs:.1f} ms")


if __name__ == "__main__":
    main()
