"""The process-wide pool of compiled models and the janitor that returns their memory."""

import gc
import logging
import threading
import time
import weakref

import numpy as np
import pytest
from common import SMALL

from anomagram.compiled import (
    DEFAULT_MAX_COMPILED,
    MAX_COMPILED_ENV,
    CompiledPool,
    Janitor,
    clear_compiled_programs,
    max_compiled,
)


class Model:
    """Stands in for a Keras model: weak-referenceable, with an identity."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Model({self.name!r})"


def _wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# --- the pool -----------------------------------------------------------------------------------


def test_the_pool_never_holds_more_than_its_bound_and_drops_the_least_recently_used():
    evicted = []
    pool = CompiledPool(3, on_evict=evicted.append)
    models = {k: Model(k) for k in "abcdef"}
    for k in "abc":
        pool.put(k, models[k])
    assert list(pool) == ["a", "b", "c"]
    # Using "a" makes it the most recent: "b" is now the oldest.
    pool.put("a", pool.take("a"))
    for k in "def":
        pool.put(k, models[k])
        assert len(pool) <= 3
    assert evicted == [models["b"], models["c"], models["a"]]
    assert list(pool) == ["d", "e", "f"]


def test_a_model_is_handed_out_once_and_the_bound_zero_keeps_none():
    pool = CompiledPool(2)
    model = Model("a")
    pool.put("a", model)
    assert "a" in pool
    assert pool.take("a") is model
    assert pool.take("a") is None and "a" not in pool
    empty = CompiledPool(0)
    empty.put("a", model)
    assert len(empty) == 0 and empty.take("a") is None


def test_two_models_of_one_architecture_keep_the_fresher():
    evicted = []
    pool = CompiledPool(4, on_evict=evicted.append)
    old, new = Model("old"), Model("new")
    pool.put("a", old)
    pool.put("a", new)
    assert len(pool) == 1 and pool.take("a") is new and evicted == [old]


def test_an_evicted_model_is_unreachable_and_a_kept_one_is_not():
    pool = CompiledPool(1)
    a, b = Model("a"), Model("b")
    gone, kept = weakref.ref(a), weakref.ref(b)
    pool.put("a", a)
    pool.put("b", b)  # evicts "a"
    del a, b
    gc.collect()
    assert gone() is None
    assert kept() is not None and pool.take("b") is kept()


def test_a_model_in_use_is_never_evicted_from_under_its_user():
    evicted = []
    pool = CompiledPool(2, on_evict=evicted.append)
    mine = Model("mine")
    pool.put("mine", mine)
    in_use = pool.take("mine")
    for k in "abcdefgh":  # many other architectures pass through the pool meanwhile
        pool.put(k, Model(k))
    assert in_use is mine and mine not in evicted
    assert pool.take("mine") is None  # nobody else was given it either
    pool.put("mine", in_use)
    assert pool.take("mine") is mine


def test_concurrent_takes_and_puts_never_share_a_model_nor_pass_the_bound():
    pool = CompiledPool(3)
    holders: dict[int, int] = {}  # id(model) -> thread holding it
    lock = threading.Lock()
    problems = []
    built = []

    def worker(n):
        for i in range(400):
            key = (n + i) % 5
            model = pool.take(key)
            if model is None:
                model = Model(key)
                built.append(model)
            with lock:
                if id(model) in holders:
                    problems.append(f"{model} held by two threads")
                holders[id(model)] = n
            if len(pool) > 3:
                problems.append(f"{len(pool)} models in a pool of 3")
            time.sleep(0)
            with lock:
                del holders[id(model)]
            pool.put(key, model)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    assert len(pool) <= 3
    assert len(built) < 8 * 400  # models were reused


# --- the limit from the environment -------------------------------------------------------------


def test_max_compiled_reads_the_environment_and_ignores_nonsense(caplog):
    assert max_compiled({}) == DEFAULT_MAX_COMPILED
    assert max_compiled({MAX_COMPILED_ENV: " 3 "}) == 3
    assert max_compiled({MAX_COMPILED_ENV: "0"}) == 0
    with caplog.at_level(logging.WARNING):
        for bad in ("-1", "many", "1e400", "2.5", "inf"):
            assert max_compiled({MAX_COMPILED_ENV: bad}) == DEFAULT_MAX_COMPILED
    assert caplog.text.count(MAX_COMPILED_ENV) == 5


# --- when the janitor clears --------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _janitor(limit=2, quiet=30.0, clock=None):
    j = Janitor(limit, quiet=quiet, clear=lambda: None, clock=clock or Clock())
    j._start = lambda: None  # decisions only: no thread
    return j


def test_nothing_trained_nor_dropped_means_nothing_to_clear():
    assert _janitor().due(1e9) == (False, None)


def test_what_a_training_compiled_is_cleared_after_a_quiet_spell():
    clock = Clock()
    j = _janitor(quiet=30.0, clock=clock)
    with j.training():
        assert j.due(clock.now + 1e6) == (False, None)  # never under a running training
    assert j.due(clock.now + 10) == (False, pytest.approx(20.0))
    assert j.due(clock.now + 30) == (True, None)
    k = _janitor(quiet=30.0, clock=clock)
    k.evicted()  # a dropped model, too
    assert k.due(clock.now + 30) == (True, None)


def test_no_clear_while_training_until_twice_the_limit_piled_up():
    clock = Clock()
    j = _janitor(limit=2, clock=clock)
    with j.training():
        j.evicted()
        j.evicted()
        assert j.due(clock.now + 1e6) == (False, None)  # 2 evicted: waits for the training
        j.evicted()
        j.evicted()
        assert j.due(clock.now) == (True, None)  # 4: clears anyway
    k = _janitor(limit=2, clock=clock)
    k.evicted()
    k.evicted()
    assert k.due(clock.now) == (True, None)  # the limit, nothing training: at once


def test_the_janitor_thread_clears_after_the_training_ends():
    cleared = threading.Event()
    j = Janitor(1, quiet=0.05, clear=cleared.set)
    try:
        entered = threading.Event()
        release = threading.Event()

        def train():
            with j.training():
                entered.set()
                assert release.wait(5)

        t = threading.Thread(target=train)
        t.start()
        assert entered.wait(5)
        j.evicted()
        assert not cleared.wait(0.3)  # a training is running and only one model was evicted
        release.set()
        t.join()
        assert cleared.wait(5)
        _wait_until(lambda: j.clears == 1)
        assert j.due(time.monotonic() + 100) == (False, None)
    finally:
        j.close()


def test_a_training_starting_during_a_clear_waits_for_its_end():
    clearing, finish = threading.Event(), threading.Event()
    order = []

    def slow_clear():
        clearing.set()
        assert finish.wait(5)
        order.append("cleared")

    j = Janitor(1, quiet=60.0, clear=slow_clear)  # the eviction, not quiet, clears
    try:
        j.evicted()
        assert clearing.wait(5)

        def train():
            with j.training():
                order.append("trained")

        t = threading.Thread(target=train)
        t.start()
        time.sleep(0.2)
        assert order == []  # still waiting for the clear
        finish.set()
        t.join(5)
        assert order == ["cleared", "trained"]
    finally:
        j.close()


# --- the sweep path -----------------------------------------------------------------------------


def test_a_sweep_reuses_one_model_per_architecture_and_keeps_none_of_its_own(ecg):
    from anomagram.sweep import run_sweep

    evicted = []
    pool = CompiledPool(1, on_evict=evicted.append)
    run_sweep(SMALL, "latent", [1, 2, 3], 2, ecg=ecg, models=pool)
    # Two seeds per architecture on one model each: only the two older architectures left.
    assert len(evicted) == 2
    assert list(pool) == [SMALL.replace(latent=3).architecture_key]
    gone = [weakref.ref(m) for m in evicted]
    evicted.clear()
    gc.collect()
    assert [r() for r in gone] == [None, None]


# --- clearing for real ----------------------------------------------------------------------------


def test_clearing_jax_caches_between_epochs_changes_no_result(ecg):
    from anomagram.training import Trainer

    undisturbed = Trainer.create(SMALL, ecg)
    undisturbed.train(2)
    undisturbed.train(2)  # two runs, as below: a run's batch order depends on where it starts
    cleared = Trainer.create(SMALL, ecg)
    cleared.train(2)
    clear_compiled_programs()
    cleared.train(2)
    np.testing.assert_allclose(cleared.loss, undisturbed.loss, rtol=1e-6)
    np.testing.assert_allclose(cleared.test_errors(), undisturbed.test_errors(), rtol=1e-5)
