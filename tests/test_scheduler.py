"""The server-wide trainer scheduler: the limit, the order, places in line, yielding, stops.

Every wait has a timeout, so a bug fails the test instead of hanging it.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from common import SMALL

from anomagram.scheduler import BACKGROUND, Scheduler, Stopped, place_text
from anomagram.training import COMPLETED, STOPPED, Trainer

pytestmark = pytest.mark.timeout(120)
TIMEOUT = 10.0


def wait_until(predicate, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def start(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def joined(*threads: threading.Thread) -> None:
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a thread is stuck"


def test_never_more_trainings_at_once_than_slots():
    sched = Scheduler(3, quantum=0.002, poll=0.01)
    lock = threading.Lock()
    now, peak, errors = [0], [0], []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        ticket = sched.ticket(name=f"w{seed}")
        try:
            for _ in range(15):
                ticket.acquire()
                with lock:
                    now[0] += 1
                    peak[0] = max(peak[0], now[0])
                for _ in range(rng.randint(1, 4)):
                    time.sleep(rng.random() * 0.002)
                    with lock:
                        now[0] -= 1
                    ticket.checkpoint()  # may give the slot away and wait for it again
                    with lock:
                        now[0] += 1
                        peak[0] = max(peak[0], now[0])
                with lock:
                    now[0] -= 1
                ticket.release()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    joined(*[start(worker, i) for i in range(12)])
    assert not errors
    assert peak[0] == 3  # reached, never passed
    assert sched.running == 0 and sched.waiting == 0


def _queue_behind(sched: Scheduler, names: list[str], granted: list[str], **kwargs):
    """Line up tickets one after another (each surely queued before the next arrives)."""
    threads = []
    for name in names:
        ticket = sched.ticket(name=name, **kwargs.get(name, {}))

        def run(ticket=ticket):
            ticket.acquire()
            granted.append(ticket.name)
            time.sleep(0.1)  # long enough for the ones behind to see their place change
            ticket.release()

        before = sched.waiting
        threads.append(start(run))
        wait_until(lambda before=before: sched.waiting == before + 1)
    return threads


def test_first_come_first_served_and_places_in_line_are_reported():
    sched = Scheduler(1, poll=0.02)
    holder = sched.ticket(name="holder")
    holder.acquire()
    places: dict[str, list] = {"b": [], "c": [], "d": []}
    granted: list[str] = []
    kwargs = {name: {"on_wait": places[name].append} for name in places}
    threads = _queue_behind(sched, ["b", "c", "d"], granted, **kwargs)
    wait_until(lambda: places["d"][-1:] == [2])
    assert places["b"][-1] == 0 and places["c"][-1] == 1
    assert place_text(0) == "Waiting for a free trainer: you are next"
    assert place_text(2) == "Waiting for a free trainer: 2 ahead"
    holder.release()
    joined(*threads)
    assert granted == ["b", "c", "d"]
    # Each moved up as the ones ahead left, and heard when its turn came.
    assert list(dict.fromkeys(places["d"])) == [2, 1, 0, None]
    assert list(dict.fromkeys(places["b"])) == [0, None]


def test_a_background_run_waits_behind_every_visitors_run():
    sched = Scheduler(1, poll=0.02)
    holder = sched.ticket(name="holder")
    holder.acquire()
    granted: list[str] = []
    kwargs = {"warm-up": {"priority": BACKGROUND}}
    threads = _queue_behind(sched, ["warm-up", "visitor"], granted, **kwargs)
    assert not sched.ticket().try_acquire()  # busy: a warm-up would be skipped, not queued
    holder.release()
    joined(*threads)
    assert granted == ["visitor", "warm-up"]
    assert sched.ticket().try_acquire()


def test_a_long_run_yields_to_a_short_one_and_goes_on():
    sched = Scheduler(1, quantum=0.05, poll=0.02)
    stop_long = threading.Event()
    long_steps, short_done = [0], threading.Event()
    yielded = []

    def long_run():
        ticket = sched.ticket(name="long", stop=stop_long.is_set)
        ticket.acquire()
        try:
            while True:
                time.sleep(0.002)  # one training step
                long_steps[0] += 1
                ticket.checkpoint(lambda: yielded.append(long_steps[0]))
        except Stopped:
            pass
        finally:
            ticket.release()

    long_thread = start(long_run)
    wait_until(lambda: long_steps[0] > 100)  # well past its first quantum
    started = time.monotonic()
    short = sched.ticket(name="short")
    with short:
        for _ in range(20):
            time.sleep(0.002)
            short.checkpoint()
    short_done.set()
    took = time.monotonic() - started
    steps_then = long_steps[0]
    assert yielded, "the long run never gave its slot away"
    assert took < 1.0  # about 20 steps of its own, not the long run's remaining time
    wait_until(lambda: long_steps[0] > steps_then + 20)  # the long run goes on afterwards
    assert long_thread.is_alive()
    stop_long.set()
    joined(long_thread)
    assert sched.running == 0


def _steps_until_stopped(sched, name, stop, steps) -> None:
    """A long run: one 2 ms training step after another, counted in ``steps[name]``."""
    ticket = sched.ticket(name=name, stop=stop.is_set)
    try:
        ticket.acquire()
        while True:
            time.sleep(0.002)
            steps[name] += 1
            ticket.checkpoint()
    except Stopped:
        ticket.release()


def test_long_runs_step_aside_while_a_short_run_trains_even_with_a_slot_free():
    # On two cores a third training beside the short one would still slow it several times.
    sched = Scheduler(2, quantum=0.05, short=0.1, poll=0.02)
    stop = threading.Event()
    steps = {"a": 0, "b": 0}
    during: list[int] = []

    threads = [start(_steps_until_stopped, sched, n, stop, steps) for n in ("a", "b")]
    wait_until(lambda: min(steps.values()) > 100)  # both long by now
    with sched.ticket(name="short") as short:
        before = sum(steps.values())
        for _ in range(30):
            time.sleep(0.002)
            during.append(sched.running)
            short.checkpoint()
        trained_meanwhile = sum(steps.values()) - before
    assert max(during) == 1  # the short run trained alone
    assert trained_meanwhile <= 2  # at most the step each long run was in
    wait_until(lambda: sum(steps.values()) > before + 50)  # and then they go on
    stop.set()
    joined(*threads)


def test_two_long_runs_on_one_slot_take_turns():
    sched = Scheduler(1, quantum=0.02, poll=0.01)
    stop = threading.Event()
    steps = {"a": 0, "b": 0}

    threads = [start(_steps_until_stopped, sched, n, stop, steps) for n in ("a", "b")]
    wait_until(lambda: min(steps.values()) > 50)
    stop.set()
    joined(*threads)


def test_a_stopped_waiting_run_leaves_the_line_at_once():
    sched = Scheduler(1, poll=0.02)
    holder = sched.ticket(name="holder")
    holder.acquire()
    stop = threading.Event()
    outcome = []

    def waiter():
        try:
            sched.ticket(name="waiter", stop=stop.is_set).acquire()
        except Stopped:
            outcome.append("stopped")

    thread = start(waiter)
    wait_until(lambda: sched.waiting == 1)
    stop.set()
    joined(thread)
    assert outcome == ["stopped"] and sched.waiting == 0
    holder.release()
    with sched.ticket(name="next"):  # nothing left behind blocks the next run
        assert sched.running == 1
    assert sched.running == 0


def test_an_interrupt_raised_while_waiting_leaves_the_line():
    # Streamlit stops a superseded script by raising from its next Streamlit call: here the
    # place report.
    class Interrupt(BaseException):
        pass

    sched = Scheduler(1, poll=0.02)
    holder = sched.ticket(name="holder")
    holder.acquire()
    calls = []

    def on_wait(ahead):
        calls.append(ahead)
        if len(calls) == 3:
            raise Interrupt

    caught = []

    def waiter():
        try:
            sched.ticket(on_wait=on_wait).acquire()
        except Interrupt:
            caught.append(True)

    joined(start(waiter))
    assert caught and sched.waiting == 0
    holder.release()
    assert sched.running == 0
    # The same when the interrupt comes with the turn: the slot just granted is given back.
    holder.acquire()
    calls.clear()

    def on_turn(ahead):
        if ahead is None:
            raise Interrupt

    ticket = sched.ticket(on_wait=on_turn)
    thread = start(lambda: pytest.raises(Interrupt, ticket.acquire))
    wait_until(lambda: sched.waiting == 1)
    holder.release()
    joined(thread)
    assert sched.running == 0 and not ticket.held


# --- through the trainer -------------------------------------------------------------------------


def test_a_run_that_raises_while_holding_a_slot_gives_it_back(ecg):
    sched = Scheduler(1)
    trainer = Trainer.create(SMALL, ecg)

    def boom(report):
        if report.epoch == 2:
            raise RuntimeError("drawing failed")

    with pytest.raises(RuntimeError):
        trainer.train(on_epoch=boom, slot=sched.ticket())
    assert sched.running == 0 and trainer.epochs_done == 2
    assert trainer.status == STOPPED
    result = trainer.train(1, slot=sched.ticket())  # continues from there
    assert result.status == COMPLETED and trainer.epochs_done == 3


def test_a_diverging_run_gives_its_slot_back(ecg):
    sched = Scheduler(1)
    spec = SMALL.replace(
        optimizer="momentum", learning_rate=10.0, activation="linear", output_activation="linear"
    )
    trainer = Trainer.create(spec, ecg)
    result = trainer.train(30, slot=sched.ticket())
    assert result.status == "diverged" and sched.running == 0
    assert sched.ticket().try_acquire()


def test_a_trainer_yields_between_steps_and_a_stop_ends_it_cleanly(ecg):
    # A long run (batch 1: 500 steps per epoch) holds the only slot; a short run arrives,
    # gets the slot between two of the long run's steps and finishes while the long one
    # goes on; then the long run is stopped in the middle of an epoch.
    sched = Scheduler(1, quantum=0.05, poll=0.02)
    long = Trainer.create(SMALL.replace(batch_size=1, epochs=200), ecg)
    long.train(1)  # compiled before the race starts
    stop = threading.Event()
    outcome = {}

    def long_run():
        outcome["long"] = long.train(on_epoch=lambda r: None, slot=sched.ticket(stop=stop.is_set))

    short = Trainer.create(SMALL, ecg)
    short.train(1)
    thread = start(long_run)
    wait_until(lambda: long.epochs_done >= 3)
    started = time.monotonic()
    result = short.train(3, slot=sched.ticket())
    took = time.monotonic() - started
    assert result.status == COMPLETED and short.epochs_done == 4
    assert thread.is_alive() and long.epochs_done < 200  # still training
    assert took < 5.0
    epochs_then = long.epochs_done
    wait_until(lambda: long.epochs_done >= epochs_then + 1)  # it goes on after the short run
    stop.set()
    joined(thread)
    assert outcome["long"].status == STOPPED and sched.running == 0
    # Stopped mid-epoch, the weights are those of the last whole epoch: the report of that
    # epoch is what the model still computes.
    from anomagram.inference import probe

    _, _, errors = probe(long.model, long.prepared.test_scaled)
    assert errors == pytest.approx(long.last_report.test_errors, rel=1e-5)


def test_a_sweep_waits_in_line_and_a_cancel_while_waiting_ends_it(ecg):
    from anomagram.sweep import run_sweep

    sched = Scheduler(1, poll=0.02)
    holder = sched.ticket(name="another visitor")
    holder.acquire()
    cancel = threading.Event()
    places: list = []
    outcome = {}

    def sweep():
        outcome["records"] = run_sweep(
            SMALL,
            "abnormal_pct",
            [0.0, 10.0],
            1,
            ecg=ecg,
            stop=cancel.is_set,
            slot=sched.ticket(on_wait=places.append, stop=cancel.is_set),
        )

    thread = start(sweep)
    wait_until(lambda: places[-1:] == [0])  # first in line behind the visitor's run
    cancel.set()
    joined(thread)
    assert outcome["records"] == [] and sched.waiting == 0
    holder.release()
    # The same sweep with the line free runs through.
    records = run_sweep(SMALL, "abnormal_pct", [0.0, 10.0], 1, ecg=ecg, slot=sched.ticket())
    assert [r.status for r in records] == [COMPLETED, COMPLETED] and sched.running == 0
