"""A server-wide limit on concurrent trainings, with a queue that lets short runs through.

At most ``slots`` trainings train at once; the others wait in line and are told their place
("Waiting for a free trainer: 1 ahead"). Each run (a Train click, a whole sweep, the model
pool's warm-up) gets a ``Ticket``, and ``Trainer.train(slot=ticket)`` trains an epoch only
while holding a slot. A run that ``pauses`` between epochs (the Train page's Watch mode sleeps
to pace its frames) gives its slot back at every epoch end, so it holds no trainer while it
sleeps.

Who goes first: the line is ordered by priority class (``NORMAL`` before ``BACKGROUND``), then
by how much trainer time a run has already had, in steps of ``quantum`` seconds, then by
arrival (first come, first served). Between training steps a run holding a slot asks
``checkpoint``: when a waiting run should go first and no slot is free, it gives its slot
back and lines up again; so long runs share the slots in turns of about ``quantum`` seconds.
And a long run (more than ``short`` seconds of trainer time) steps aside entirely while a
short run of its class wants to train, even with a slot free: on two cores, one more
training beside it would still slow the short run several times over (CPU and Python's GIL
are shared). A visitor's default run thus waits at most one training step of a long run.

Nothing can be stuck: a waiting run asks ``stop()`` and calls ``on_wait`` (which may raise,
as Streamlit does in an interrupted script) every ``poll`` seconds and leaves the line when
either says so; ``Trainer.train`` gives its slot back in a ``finally``.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

from anomagram.budget import default_limits

NORMAL, BACKGROUND = 0, 1
QUANTUM = 0.5  # seconds of trainer time per step down the line
SHORT = 2.0  # a run is short until it has had this much trainer time (a default run: 0.1-2 s)
POLL = 0.2  # seconds between a waiting run's stop() checks and place reports


class Stopped(Exception):
    """A run's ``stop()`` said to stop while it waited for, or held, a trainer."""


def place_text(ahead: int) -> str:
    """A waiting run's place in plain words."""
    if ahead <= 0:
        return "Waiting for a free trainer: you are next"
    return f"Waiting for a free trainer: {ahead} ahead"


class Ticket:
    """One run's place in the scheduler: acquire, checkpoint between steps, release.

    ``on_wait(ahead)`` is called while waiting (the runs ahead in line, at once and then at
    least every ``poll`` seconds), and ``on_wait(None)`` once the slot is granted after a wait.
    ``stop()`` returning True makes ``acquire`` and ``checkpoint`` raise ``Stopped``.
    """

    def __init__(
        self,
        scheduler: Scheduler,
        priority: int,
        on_wait: Callable[[int | None], None] | None,
        stop: Callable[[], bool] | None,
        name: str,
        pauses: bool,
    ):
        self._scheduler = scheduler
        self.priority = priority
        self.on_wait = on_wait
        self.stop = stop
        self.name = name
        self.pauses = pauses  # gives the slot back between epochs
        self.held = False
        self.served = 0.0  # trainer seconds of the slots released so far
        self._since = 0.0  # when the slot held now was granted
        self._seq = 0  # arrival order of the latest wait

    def __repr__(self) -> str:
        return f"Ticket({self.name!r}, held={self.held}, served={self.served:.2f})"

    def _served(self, now: float) -> float:
        return self.served + (now - self._since if self.held else 0.0)

    def _key(self, now: float) -> tuple:
        return (self.priority, int(self._served(now) // self._scheduler.quantum), self._seq)

    def _short(self, now: float) -> bool:
        return self._served(now) < self._scheduler.short

    def _check_stop(self) -> None:
        if self.stop is not None and self.stop():
            raise Stopped(f"{self.name or 'the run'} was stopped")

    def acquire(self) -> None:
        """Wait for a slot, in line; no-op when this ticket holds one already."""
        if self.held:
            return
        s = self._scheduler
        with s._cond:
            self._seq = next(s._arrivals)
            s._waiting.append(self)
        waited = False
        told, told_at = None, 0.0
        try:
            while True:
                with s._cond:
                    now = time.monotonic()
                    ahead = s._ahead(self, now)
                    if len(s._holders) + ahead < s.slots and not s._steps_aside(self, now):
                        s._waiting.remove(self)
                        s._holders.add(self)
                        self.held, self._since = True, now
                        break
                    if ahead == told and now - told_at < s.poll:
                        s._cond.wait(s.poll - (now - told_at))  # a release wakes it early
                        continue
                # Outside the lock: stop() and on_wait may take time, and on_wait may raise.
                waited = True
                self._check_stop()
                if self.on_wait is not None:
                    self.on_wait(ahead)
                told, told_at = ahead, time.monotonic()
        except BaseException:
            with s._cond:
                if self in s._waiting:
                    s._waiting.remove(self)
                s._cond.notify_all()
            raise
        if waited and self.on_wait is not None:
            try:
                self.on_wait(None)
            except BaseException:
                self.release()
                raise

    def try_acquire(self) -> bool:
        """Take a slot only if one is free and nobody waits; never waits."""
        s = self._scheduler
        with s._cond:
            if self.held:
                return True
            if s._waiting or len(s._holders) >= s.slots:
                return False
            self._seq = next(s._arrivals)
            s._holders.add(self)
            self.held, self._since = True, time.monotonic()
            return True

    def release(self) -> None:
        """Give the slot back (no-op when none is held)."""
        if not self.held:
            return
        s = self._scheduler
        with s._cond:
            if self.held:
                self.served += time.monotonic() - self._since
                self.held = False
                s._holders.discard(self)
                s._cond.notify_all()

    def checkpoint(self, before_yield: Callable[[], None] | None = None) -> None:
        """Between training steps: stop if asked to, and give the slot to a waiting run that
        should go first, then line up again.

        ``before_yield`` runs just before the slot is given back (a trainer finishes the
        steps it has queued, so the slot is really free). Cheap when nobody waits.
        """
        self._check_stop()
        s = self._scheduler
        if not self.held:
            self.acquire()
            return
        # Read without the lock: a stale answer costs one step at most.
        if not s._waiting and len(s._holders) < 2:
            return
        with s._cond:
            now = time.monotonic()
            mine = self._key(now)
            first = any(t._key(now) < mine for t in s._waiting) and len(s._holders) >= s.slots
            if not first and not s._steps_aside(self, now):
                return
        if before_yield is not None:
            before_yield()
        self.release()
        self.acquire()

    def __enter__(self) -> Ticket:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class Scheduler:
    """At most ``slots`` tickets hold a slot at once; see the module docstring for the order."""

    def __init__(
        self, slots: int, *, quantum: float = QUANTUM, short: float = SHORT, poll: float = POLL
    ):
        if slots < 1:
            raise ValueError("A scheduler needs at least one slot.")
        self.slots = slots
        self.quantum = quantum
        self.short = short
        self.poll = poll
        self._cond = threading.Condition()
        self._holders: set[Ticket] = set()
        self._waiting: list[Ticket] = []
        self._arrivals = itertools.count()

    def ticket(
        self,
        *,
        priority: int = NORMAL,
        on_wait: Callable[[int | None], None] | None = None,
        stop: Callable[[], bool] | None = None,
        name: str = "",
        pauses: bool = False,
    ) -> Ticket:
        """A run's ticket; ``pauses``: it sleeps between epochs, so it gives its slot back at
        each epoch end instead of keeping it for the next epoch."""
        return Ticket(self, priority, on_wait, stop, name, pauses)

    def _ahead(self, ticket: Ticket, now: float) -> int:
        key = ticket._key(now)
        return sum(1 for t in self._waiting if t is not ticket and t._key(now) < key)

    def _steps_aside(self, ticket: Ticket, now: float) -> bool:
        """A long run trains only while no short run of its class (or a better one) holds or
        waits for a slot."""
        if ticket._short(now):
            return False
        return any(
            t is not ticket and t.priority <= ticket.priority and t._short(now)
            for t in itertools.chain(self._holders, self._waiting)
        )

    @property
    def running(self) -> int:
        with self._cond:
            return len(self._holders)

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._waiting)


_shared: Scheduler | None = None
_shared_lock = threading.Lock()


def shared(slots: int | None = None) -> Scheduler:
    """The process-wide scheduler of a server. The first call sizes it (``slots``, else the
    limit from the environment); later calls return the same one."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Scheduler(slots or default_limits().trainings)
        return _shared
