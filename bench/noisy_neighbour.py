"""Noisy neighbours: does a visitor's default training stay quick while two others run the
largest training the budget allows?

Three "sessions" are threads of one process calling the same core API the Train page uses
(``Trainer.create``, ``Trainer.train(slot=...)``, the final metrics), as Streamlit's script
threads do. Two of them train the largest allowed run (the issue's hostile link cut down by
``budget.check_run`` to the epochs that fit) while the third times click -> final of the
default spec, in Fast mode. Measured in one run:

- quiet: the default run alone, with and without a scheduler ticket, alternately (what the
  scheduler costs a quiet server);
- loaded, no limit: the two big runs hold tickets of a scheduler with a slot for everyone;
- loaded, scheduled: the server's scheduler (``ANOMAGRAM_MAX_TRAININGS`` or one slot per core).

Goal: the scheduled loaded time <= 2x the quiet time. The big runs are stopped once the
measurements are done, so the whole bench takes well under three minutes.

    python bench/noisy_neighbour.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import COSTLY_LINK  # noqa: E402

from anomagram import budget, metrics  # noqa: E402
from anomagram.data import load_ecg5000  # noqa: E402
from anomagram.scheduler import Scheduler  # noqa: E402
from anomagram.spec import Spec  # noqa: E402
from anomagram.training import Trainer  # noqa: E402

GAP_SECONDS = 1.0
HOSTILE = COSTLY_LINK


def click_to_final(spec: Spec, ecg, model, slot=None) -> float:
    """What a Train click costs in Fast mode: a fresh trainer on a compiled model, the epochs,
    and the numbers the final frame shows."""
    start = time.perf_counter()
    trainer = Trainer.create(spec, ecg, model=model)
    trainer.train(slot=slot)
    y = trainer.prepared.test_is_abnormal
    errors = trainer.test_errors()
    threshold = trainer.threshold("best_accuracy")
    metrics.metrics_at(y, errors, threshold)
    metrics.roc(y, errors)
    return time.perf_counter() - start


class BigRuns:
    """Two sessions training the largest allowed run on tickets of ``scheduler``."""

    def __init__(self, scheduler: Scheduler, trainers: list[Trainer]):
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._train, args=(t, scheduler), daemon=True) for t in trainers
        ]

    def _train(self, trainer: Trainer, scheduler: Scheduler) -> None:
        while not self.stop.is_set():
            trainer.train(slot=scheduler.ticket(stop=self.stop.is_set))

    def __enter__(self) -> None:
        for thread in self.threads:
            thread.start()
        time.sleep(3.0)  # both are deep into their first epoch

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    began = time.perf_counter()
    limits = budget.load_limits()
    ecg = load_ecg5000()
    default = Spec()
    largest = budget.check_run(Spec.from_query_params(HOSTILE), limits).nearest

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"largest allowed run: {largest.layer_path()}, batch {largest.batch_size}, "
        f"{largest.train_size} beats, {largest.epochs} epochs "
        f"(estimated {budget.run_seconds(largest):.0f} s; the link asked for "
        f"{budget.duration(budget.run_seconds(Spec.from_query_params(HOSTILE)))})"
    )
    print(f"trainings at once: {limits.trainings}")

    # Compile everything first: the default model, and one model per big session (a big
    # epoch at batch 1 takes seconds, so one epoch each is enough to compile).
    model = Trainer.create(default, ecg).model
    click_to_final(default, ecg, model)
    bigs = [Trainer.create(largest, ecg) for _ in range(2)]
    for big in bigs:
        big.train(1)

    server = Scheduler(limits.trainings)
    quiet_bare, quiet_slot = [], []
    for _ in range(args.repeats):
        quiet_bare.append(click_to_final(default, ecg, model))
        quiet_slot.append(click_to_final(default, ecg, model, server.ticket()))

    def clicks_among_big_runs() -> list[float]:
        # A second between clicks, in which the big runs train: each click then finds them
        # busy and pays whatever it costs them to step aside.
        times = []
        for _ in range(args.repeats):
            time.sleep(GAP_SECONDS)
            times.append(click_to_final(default, ecg, model, server.ticket()))
        return times

    def big_epochs() -> int:
        return sum(big.epochs_done for big in bigs)

    before = big_epochs()
    with BigRuns(Scheduler(100), bigs):  # no limit: everyone trains at once
        unlimited = clicks_among_big_runs()
    unlimited_epochs, before = big_epochs() - before, big_epochs()
    with BigRuns(server, bigs):
        scheduled = clicks_among_big_runs()
    scheduled_epochs = big_epochs() - before
    quiet_after = [
        click_to_final(default, ecg, model, server.ticket()) for _ in range(args.repeats)
    ]

    quiet = statistics.median(quiet_slot + quiet_after)
    runs = {
        "quiet, no ticket": quiet_bare,
        "quiet, with ticket": quiet_slot,
        "quiet, after the load": quiet_after,
        "2 big runs, no limit": unlimited,
        "2 big runs, scheduled": scheduled,
    }
    m = {name: statistics.median(values) for name, values in runs.items()}
    print(f"\ndefault run click -> final, medians of {args.repeats}:")
    for name, values in runs.items():
        each = ", ".join(f"{v:.2f}" for v in values)
        print(f"  {name:22}: {m[name]:.3f} s  ({each})")
    overhead = m["quiet, with ticket"] / m["quiet, no ticket"]
    print(f"ticket on a quiet server: {overhead:.2f}x")
    print(f"no limit : {m['2 big runs, no limit'] / quiet:.2f}x quiet")
    print(f"scheduled: {m['2 big runs, scheduled'] / quiet:.2f}x quiet  (goal <= 2)")
    print(
        f"epochs the big runs finished meanwhile, between them: {unlimited_epochs} with no "
        f"limit, {scheduled_epochs} scheduled (they step aside while the short run trains)"
    )
    print(f"bench took {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
