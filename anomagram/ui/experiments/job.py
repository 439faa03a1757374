"""One sweep the Experiments page runs: what it asked for, where it stands, and which finished
runs count. No Streamlit here, so the bookkeeping is tested directly.

Streamlit runs with ``fastReruns``: a click during a sweep starts a new script run at once,
while the old one goes on training until it next touches Streamlit. Each call of the page's
``run`` therefore takes an *attempt* number from :meth:`SweepJob.start`; :meth:`interrupt` and
every new start retire the old number, and :meth:`record` refuses results from a retired
attempt, so a run finishing in the old script run is not counted next to its rerun.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from anomagram.spec import Spec, value_text
from anomagram.sweep import RunRecord

Status = Literal["new", "running", "interrupted", "done", "failed"]


@dataclass
class SweepJob:
    param: str
    values: list
    seeds: int
    base: Spec
    status: Status = "new"
    error: str = ""
    cancelled: bool = False  # interrupted by the Cancel button rather than another click
    seconds: float = 0.0  # time spent running, over every attempt
    # What the data changed in the splits asked for (a small dataset): see logic.split_notes.
    notes: tuple[str, ...] = ()
    attempt: int = field(default=0, compare=False)

    @property
    def total(self) -> int:
        return len(self.values) * self.seeds

    def start(self) -> int:
        """Start (or continue) running; the number that identifies this attempt."""
        self.status = "running"
        self.cancelled = False
        self.error = ""
        self.attempt += 1
        return self.attempt

    def interrupt(self, cancelled: bool) -> None:
        """The script run that was running the sweep has been replaced by a new one."""
        if self.status == "running":
            self.status = "interrupted"
            self.cancelled = cancelled
            self.attempt += 1

    def is_current(self, attempt: int) -> bool:
        return attempt == self.attempt and self.status == "running"

    def finish(self, attempt: int, seconds: float) -> None:
        if self.is_current(attempt):
            self.status = "done"
            self.seconds += seconds

    def fail(self, attempt: int, message: str) -> None:
        if self.is_current(attempt):
            self.status = "failed"
            self.error = message

    def next_run(self, done: int) -> tuple[object, int] | None:
        """(value, seed) of run number ``done`` (0-based) in sweep order, or None past the end."""
        if done >= self.total:
            return None
        return self.values[done // self.seeds], self.base.seed + done % self.seeds

    def record(self, records: list[RunRecord], record: RunRecord, attempt: int) -> bool:
        """Append ``record`` to ``records`` if it is the next run of the current attempt."""
        expected = self.next_run(len(records))
        if not self.is_current(attempt) or expected is None:
            return False
        value, seed = expected
        if record.seed != seed or value_text(record.value) != value_text(value):
            return False
        records.append(record)
        return True

    def runs_left(self, records: Sequence[RunRecord]) -> int:
        return max(self.total - len(records), 0)
