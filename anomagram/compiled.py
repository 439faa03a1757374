"""Compiled models kept for reuse, at most a few architectures, and the memory they hold.

Compiling an architecture's train step costs about a second, so idle models are kept in one
process-wide :class:`CompiledPool` and handed out again: a sweep's next run of an architecture,
or the Train page's click on the architecture it warmed up. A model is handed out to one caller
at a time (``take``) and comes back with ``put``; the pool keeps at most ``max_models``
architectures (``ANOMAGRAM_MAX_COMPILED``, default 8) and drops the least recently used.

Dropping a model is not enough to return its memory. JAX keeps every compiled program and
traced step in process-wide caches: measured, 4-9 MB per architecture that stay after its
model is gone, and ~10 MB more per live model, until ``jax.clear_caches()``. The
:class:`Janitor` clears them when that suits the trainings:

- once nothing has trained for ``quiet`` seconds (the sessions ended, or their people are
  reading): what they compiled goes back, even while Streamlit still keeps a closed tab's
  session (it drops it only some minutes later);
- when the pool has evicted ``limit`` models and nothing is training (a sweep over many
  architectures, between two of its runs);
- when it has evicted twice that many, even while something trains (a server that is never
  quiet): clearing is safe under the GIL, and costs a running training a new trace of its
  step (~0.2 s).

A training that starts during a clear waits for it (~0.3 s). A model kept through a clear
traces its step again on its next epoch and loads the program from the on-disk compilation
cache (``anomagram.backend``): ~0.2 s instead of ~5 ms, far from a new compilation's second.
"""

from __future__ import annotations

import atexit
import gc
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

from anomagram.numbers import NumberError, parse_int

log = logging.getLogger(__name__)

MAX_COMPILED_ENV = "ANOMAGRAM_MAX_COMPILED"
DEFAULT_MAX_COMPILED = 8
QUIET_SECONDS = 60.0


def max_compiled(env=None) -> int:
    """How many idle compiled architectures a process keeps: ``ANOMAGRAM_MAX_COMPILED``.

    0 keeps none (every run builds its model). A value that is not a whole number >= 0 is
    ignored with a logged warning: a typo must not take a server down.
    """
    raw = (os.environ if env is None else env).get(MAX_COMPILED_ENV, "")
    if not str(raw).strip():
        return DEFAULT_MAX_COMPILED
    try:
        value = parse_int(raw, MAX_COMPILED_ENV)
    except NumberError:
        value = -1
    if value < 0:
        log.warning(
            "%s=%r is not a whole number >= 0; using the default, %s.",
            MAX_COMPILED_ENV,
            raw,
            DEFAULT_MAX_COMPILED,
        )
        return DEFAULT_MAX_COMPILED
    return value


def clear_compiled_programs() -> None:
    """Free dropped models and every compiled program JAX keeps in memory."""
    import jax

    from anomagram.training import release_memory

    gc.collect()  # Keras models are reference cycles: free the dropped ones now
    jax.clear_caches()
    release_memory()


class Janitor:
    """Decides when to clear JAX's caches (see the module docstring) and does it in a thread."""

    def __init__(
        self,
        limit: int,
        quiet: float = QUIET_SECONDS,
        clear: Callable[[], None] = clear_compiled_programs,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.limit = max(limit, 1)
        self.quiet = quiet
        self.clears = 0
        self._clear = clear
        self._clock = clock
        # Reentrant: the loop asks ``due`` while holding it.
        self._cond = threading.Condition(threading.RLock())
        self._running = 0
        self._trained = False  # since the last clear
        self._evicted = 0  # by the pool, since the last clear
        self._clearing = False
        self._last_end = clock()
        self._thread: threading.Thread | None = None
        self._closed = False

    @contextmanager
    def training(self):
        """Wrap a training: no clear begins before its end (unless the pool evicted too many),
        and a quiet spell after it clears what it compiled."""
        with self._cond:
            self._cond.wait_for(lambda: not self._clearing)
            self._trained = True
            self._running += 1
            self._start()
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._last_end = self._clock()
                self._cond.notify_all()

    def evicted(self) -> None:
        """The pool dropped a model."""
        with self._cond:
            self._evicted += 1
            self._start()
            self._cond.notify_all()

    def due(self, now: float) -> tuple[bool, float | None]:
        """(clear now?, else how long to wait before asking again: None until an event)."""
        with self._cond:
            if not (self._trained or self._evicted):
                return False, None
            if self._evicted >= 2 * self.limit:
                return True, None
            if self._running:
                return False, None
            if self._evicted >= self.limit:
                return True, None
            left = self._last_end + self.quiet - now
            return (True, None) if left <= 0 else (False, left)

    def close(self) -> None:
        """Stop the thread, after the clear in progress if any (at exit; in tests)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(5)

    def _start(self) -> None:
        if self._thread is None and not self._closed:
            self._thread = threading.Thread(
                target=self._loop, name="anomagram-janitor", daemon=True
            )
            self._thread.start()
            # Before the interpreter finalizes: a daemon thread frozen inside a clear (C++)
            # aborts the process ("terminate called after throwing an instance of ''").
            atexit.register(self.close)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._closed:
                        return
                    clear, wait = self.due(self._clock())
                    if clear:
                        self._trained, self._evicted = False, 0
                        self._clearing = True
                        break
                    self._cond.wait(wait)
            try:
                self._clear()
                self.clears += 1
            except Exception:  # noqa: BLE001 - a failed clear must not end the janitor
                log.exception("Clearing JAX's caches failed.")
            finally:
                with self._cond:
                    self._clearing = False
                    self._cond.notify_all()


class CompiledPool:
    """Idle compiled models by architecture key, least recently used first out.

    ``take`` hands a model to one caller, who owns it until ``put`` gives it back: a model is
    never shared, so nobody's weights change under them. ``on_evict(model)`` hears of every
    model the pool drops.
    """

    def __init__(
        self,
        max_models: int | None = None,
        on_evict: Callable[[object], None] | None = None,
    ):
        self.max_models = max_compiled() if max_models is None else max(max_models, 0)
        self._on_evict = on_evict
        self._lock = threading.Lock()
        self._idle: OrderedDict[Hashable, object] = OrderedDict()

    def take(self, key: Hashable):
        """The idle model of architecture ``key`` (now the caller's), or None."""
        with self._lock:
            return self._idle.pop(key, None)

    def put(self, key: Hashable, model) -> None:
        """Give ``model`` (architecture ``key``) back; the caller must not use it afterwards."""
        with self._lock:
            dropped = []
            old = self._idle.pop(key, None)
            if old is not None and old is not model:
                dropped.append(old)  # two copies of one architecture: keep the fresher one
            self._idle[key] = model
            while len(self._idle) > self.max_models:
                dropped.append(self._idle.popitem(last=False)[1])
        if self._on_evict is not None:
            for gone in dropped:
                self._on_evict(gone)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._idle

    def __iter__(self) -> Iterator[Hashable]:
        """The architecture keys held, least recently used first (a snapshot)."""
        with self._lock:
            return iter(list(self._idle))

    def __len__(self) -> int:
        with self._lock:
            return len(self._idle)


_janitor: Janitor | None = None
_pool: CompiledPool | None = None
_shared_lock = threading.Lock()


def janitor() -> Janitor:
    global _janitor
    with _shared_lock:
        if _janitor is None:
            _janitor = Janitor(max_compiled())
        return _janitor


def pool() -> CompiledPool:
    """The process-wide pool: sweeps, the Train page's warm-up and the command line share it."""
    global _pool
    keeper = janitor()
    with _shared_lock:
        if _pool is None:
            _pool = CompiledPool(max_compiled(), on_evict=lambda model: keeper.evicted())
        return _pool


def training():
    """``with training():`` around every ``fit``: see :meth:`Janitor.training`."""
    return janitor().training()
