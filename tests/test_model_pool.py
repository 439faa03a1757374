"""The Train page's pool of pre-compiled models: who waits, and for what."""

import threading
import time

from anomagram.compiled import CompiledPool
from anomagram.spec import Spec
from anomagram.ui.train.model_pool import ModelPool


class FakeCompiler:
    """Stands in for a compilation; each call blocks until the test releases it."""

    def __init__(self):
        self.started: list[tuple] = []
        self.release = threading.Event()
        self.begun = threading.Event()

    def __call__(self, spec, ecg):
        self.started.append(spec.architecture_key)
        self.begun.set()
        assert self.release.wait(10)
        return f"model{spec.hidden}"


def _wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


A, B = Spec(hidden=(7, 3)), Spec(hidden=(9, 3))


def test_take_waits_for_the_architecture_being_compiled_and_gets_it():
    fake = FakeCompiler()
    pool = ModelPool(compile_fn=fake)
    pool.request(A)
    assert fake.begun.wait(5)
    threading.Timer(0.3, fake.release.set).start()
    started = time.monotonic()
    assert pool.take(A, wait=5) == "model(7, 3)"
    assert time.monotonic() - started >= 0.25
    assert pool.take(A, wait=0) is None  # handed out once


def test_take_does_not_queue_behind_another_architecture():
    fake = FakeCompiler()
    pool = ModelPool(compile_fn=fake)
    pool.request(A)
    assert fake.begun.wait(5)
    pool.request(B)  # queued behind A, which is still compiling
    started = time.monotonic()
    assert pool.take(B, wait=5) is None
    assert time.monotonic() - started < 1.0  # did not wait for A
    fake.release.set()
    _wait_until(lambda: pool.ready(A))
    time.sleep(0.2)
    assert fake.started == [A.architecture_key]  # B's withdrawn wish was not compiled


def test_a_ready_spare_is_handed_out_at_once_and_only_once():
    fake = FakeCompiler()
    fake.release.set()
    pool = ModelPool(compile_fn=fake)
    pool.request(A)
    _wait_until(lambda: pool.ready(A))
    pool.request(A)  # already there: nothing new to compile
    assert pool.take(A, wait=0) == "model(7, 3)"
    assert not pool.ready(A)
    assert fake.started == [A.architecture_key]


def test_a_failed_compilation_leaves_no_spare_and_no_waiter_stuck():
    def broken(spec, ecg):
        raise RuntimeError("XLA said no")

    pool = ModelPool(compile_fn=broken)
    pool.request(A)
    started = time.monotonic()
    assert pool.take(A, wait=5) is None
    assert time.monotonic() - started < 2.0


def test_only_the_latest_wish_is_compiled_after_the_current_one():
    fake = FakeCompiler()
    pool = ModelPool(compile_fn=fake)
    pool.request(A)
    assert fake.begun.wait(5)
    for hidden in ((8, 3), (9, 3), (10, 3)):
        pool.request(Spec(hidden=hidden))
    fake.release.set()
    _wait_until(lambda: pool.ready(Spec(hidden=(10, 3))))
    assert [k for k in fake.started] == [A.architecture_key, Spec(hidden=(10, 3)).architecture_key]


def test_spares_wait_in_the_shared_bounded_pool():
    fake = FakeCompiler()
    fake.release.set()
    shared = CompiledPool(2)
    pool = ModelPool(models=shared, compile_fn=fake)
    specs = [Spec(hidden=(h, 3)) for h in (7, 8, 9)]
    for spec in specs:
        pool.request(spec)
        _wait_until(lambda spec=spec: pool.ready(spec))
    # The oldest spare made room: the bound is the shared pool's, whoever filled it.
    assert [pool.ready(s) for s in specs] == [False, True, True]
    assert list(shared) == [specs[1].architecture_key, specs[2].architecture_key]
    assert shared.take(specs[2].architecture_key) == "model(9, 3)"  # e.g. a sweep took it
    assert not pool.ready(specs[2]) and pool.take(specs[2], wait=0) is None
