"""The work budget: how much training one click or one experiment may cost a shared server.

Anyone with the app's URL can train, so a public server caps what a run may cost. A run's
cost is estimated from its Spec alone, before anything is built: each epoch pays a fixed
overhead per training step (Keras and JAX dispatch, which small batches multiply), the
arithmetic of the weights times the beats, and the per-epoch report on the test beats. The
constants were fitted on a 2-core machine, so "60 s" means about a minute there.

``check_run`` and ``check_sweep`` return None or a ``BudgetProblem`` that names the setting
over the limit, says so in one sentence, and (for a run) carries the nearest Spec that fits.
The limits come from ``load_limits``: environment variables, or the same names passed in by
the UI from ``st.secrets``. The command line is the user's own machine and is not capped.
"""

from __future__ import annotations

import functools
import logging
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from anomagram.spec import BATCH_SIZE_CHOICES, FIELDS, Spec

log = logging.getLogger(__name__)

# The cost model, fitted by bench/budget_calibration.py on the development machine (x86_64,
# 2 cores, no GPU, a shared VM) on 2026-11-30 at load average ~2-3; two runs a minute apart
# agreed within ~30 %, and on specs left out of the fit it was 10-15 % off (the default spec:
# 2.5 vs 2.9 ms per epoch; the network at batch size 1: 0.75 vs 0.67 s). Seconds per
# epoch = STEP_SECONDS * steps + WEIGHT_STEP_SECONDS * weights * steps
#   + WEIGHT_BEAT_SECONDS * weights * steps * batch
#   + PROBE_WEIGHT_BEAT_SECONDS * weights * test beats + EPOCH_SECONDS
# Every step reads and updates each weight and its optimizer state whatever the batch size,
# hence the second term, which makes batch size 1 on a wide network so costly.
STEP_SECONDS = 1.66e-4
WEIGHT_STEP_SECONDS = 4.03e-10
WEIGHT_BEAT_SECONDS = 3.23e-11
PROBE_WEIGHT_BEAT_SECONDS = 6.76e-12
EPOCH_SECONDS = 1.44e-3
RUN_SECONDS = 0.05  # once per run: the data split and the evaluation (PCA baseline, metrics)
# Once per architecture a sweep has not compiled yet: a first epoch with an empty JAX cache
# (README: 1.8 s cold; the calibration grid, mostly cached, measured 0.2-0.7 s).
COMPILE_SECONDS = 1.5

# Environment variables (and st.secrets keys) that change each limit.
ENV_VARS = {
    "run_seconds": "ANOMAGRAM_MAX_RUN_SECONDS",
    "sweep_runs": "ANOMAGRAM_MAX_SWEEP_RUNS",
    "sweep_seconds": "ANOMAGRAM_MAX_SWEEP_SECONDS",
    "trainings": "ANOMAGRAM_MAX_TRAININGS",
}


def available_cores() -> int:
    """Cores this process may run on (a container may see more than it is given)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Limits:
    """What one server allows: seconds per run, runs and seconds per experiment, and how many
    trainings train at once (the others wait in line)."""

    run_seconds: float = 60.0
    sweep_runs: int = 200
    sweep_seconds: float = 600.0
    trainings: int = 0  # 0: one per available core

    def __post_init__(self):
        if self.trainings <= 0:
            object.__setattr__(self, "trainings", available_cores())


def _positive(name: str, raw, whole: bool):
    """``raw`` as a positive finite number (whole if asked), or None when it is not one."""
    if isinstance(raw, bool):
        return None
    try:
        number = float(str(raw).strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    if whole:
        if number != int(number):
            return None
        return int(number)
    return number


def load_limits(
    env: Mapping[str, str] | None = None, overrides: Mapping[str, object] | None = None
) -> Limits:
    """The limits from ``env`` (default: the process environment), with ``overrides`` (the UI's
    ``st.secrets`` entries of the same names) taking precedence.

    A value that is not a positive finite number (whole, for counts) is ignored with a logged
    warning and the default is used: a typo must not take a server down or lift its limits.
    """
    env = os.environ if env is None else env
    overrides = overrides or {}
    defaults = Limits()
    values = {}
    for f in fields(Limits):
        name = ENV_VARS[f.name]
        raw = overrides[name] if name in overrides else env.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        number = _positive(name, raw, whole=f.type in ("int", int))
        if number is None:
            log.warning(
                "%s=%r is not a positive %s; using the default, %s.",
                name,
                raw,
                "whole number" if f.type in ("int", int) else "number",
                getattr(defaults, f.name),
            )
            continue
        values[f.name] = number
    return Limits(**values)


@functools.cache
def default_limits() -> Limits:
    """The limits from the environment, read once (and warned about once)."""
    return load_limits()


# --- cost estimates ---------------------------------------------------------------------------


def epoch_seconds(spec: Spec) -> float:
    """Estimated seconds of one epoch on the 2-core reference machine."""
    batch = min(spec.batch_size, spec.train_size)
    steps = -(-spec.train_size // batch)
    weights = spec.weight_count
    return (
        STEP_SECONDS * steps
        + WEIGHT_STEP_SECONDS * weights * steps
        + WEIGHT_BEAT_SECONDS * weights * steps * batch
        + PROBE_WEIGHT_BEAT_SECONDS * weights * spec.test_size
        + EPOCH_SECONDS
    )


def run_seconds(spec: Spec) -> float:
    """Estimated seconds of one run of ``spec.epochs`` epochs, compilation not included."""
    return RUN_SECONDS + spec.epochs * epoch_seconds(spec)


def sweep_seconds(
    base: Spec, param: str, values: Sequence, seeds: int, *, known: set = frozenset()
) -> float:
    """Estimated seconds of a sweep: every run, plus compiling each architecture not in
    ``known`` (architecture keys already compiled). Values that make no valid spec are left
    out (the page reports them on their own)."""
    specs = _sweep_specs(base, param, values)
    new_architectures = len({s.architecture_key for s in specs} - set(known))
    return seeds * sum(run_seconds(s) for s in specs) + COMPILE_SECONDS * new_architectures


def _sweep_specs(base: Spec, param: str, values: Sequence) -> list[Spec]:
    specs = []
    for value in values:
        try:
            specs.append(base.replace(**{param: value}))
        except (ValueError, TypeError):
            continue
    return specs


def duration(seconds: float) -> str:
    """A rough duration: ``under 10 s``, ``about 45 s``, ``about 2.5 min``, ``about 1.7 h``."""
    if not math.isfinite(seconds):
        return "a while"
    seconds = max(seconds, 0.0)
    if seconds < 10:
        return "under 10 s"
    if seconds < 90:
        return f"about {seconds:.0f} s"
    if seconds < 5400:
        return f"about {seconds / 60:.1f} min"
    return f"about {seconds / 3600:.1f} h"


def limit_text(seconds: float) -> str:
    """A limit in words: ``45 s``, ``1 min``, ``2.5 min``."""
    if seconds < 60:
        return f"{seconds:g} s"
    return f"{seconds / 60:.3g} min"


# --- checks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetProblem:
    """What is over the budget: the setting, a one-sentence message, the estimate and the
    limit, and (for a run) the nearest Spec within the budget, if one setting plus the epochs
    can get there."""

    setting: str  # a Spec field name, or "runs" / "seconds" for a whole sweep
    message: str
    estimate: float  # seconds (or runs, for "runs")
    limit: float
    nearest: Spec | None = None

    def changes(self, spec: Spec) -> dict:
        """The settings ``nearest`` changes in ``spec``, by name."""
        if self.nearest is None:
            return {}
        return {
            name: getattr(self.nearest, name)
            for name in FIELDS
            if getattr(self.nearest, name) != getattr(spec, name)
        }

    def fix_text(self, spec: Spec) -> str:
        """``Set steps (epochs) to 9``: what applying ``nearest`` does, for a button."""
        parts = [
            f"{FIELDS[name].label.lower()} to {FIELDS[name].display(value)}"
            for name, value in self.changes(spec).items()
        ]
        return "Set " + " and ".join(parts) if parts else ""


def max_epochs(spec: Spec, limits: Limits) -> int:
    """The most epochs of ``spec`` that fit the per-run limit (0 when not even one does)."""
    room = limits.run_seconds - RUN_SECONDS
    per_epoch = epoch_seconds(spec)
    if room < per_epoch:
        return 0
    return min(int(room // per_epoch), FIELDS["epochs"].high)


def check_run(spec: Spec, limits: Limits | None = None) -> BudgetProblem | None:
    """None when one run of ``spec`` fits the per-run limit, else what to change.

    The nearest allowed spec lowers the epochs first; when not even one epoch fits, it takes
    the next larger offered batch size that lets one epoch fit (fewer steps, the per-step
    overhead is what small batches pay), with as many of the epochs as then fit.
    """
    limits = limits or default_limits()
    estimate = run_seconds(spec)
    if estimate <= limits.run_seconds:
        return None
    over = f"would take {duration(estimate)}, over this server's limit of "
    over += f"{limit_text(limits.run_seconds)} per run"
    epochs_label = FIELDS["epochs"].label.lower()
    fitting = max_epochs(spec, limits)
    if fitting >= 1:
        nearest = spec.replace(epochs=fitting)
        return BudgetProblem(
            "epochs",
            f"One run of these settings {over}: lower {epochs_label} to {fitting} or fewer.",
            estimate,
            limits.run_seconds,
            nearest,
        )
    batch_label = FIELDS["batch_size"].label.lower()
    for batch in sorted(b for b in BATCH_SIZE_CHOICES if b > spec.batch_size):
        candidate = spec.replace(batch_size=batch)
        fitting = max_epochs(candidate, limits)
        if fitting >= 1:
            nearest = candidate.replace(epochs=min(spec.epochs, fitting))
            fewer = f" and lower {epochs_label} to {fitting}" if fitting < spec.epochs else ""
            return BudgetProblem(
                "batch_size",
                f"Even one epoch of these settings {over}: raise {batch_label} to {batch}{fewer}.",
                estimate,
                limits.run_seconds,
                nearest,
            )
    return BudgetProblem(
        "hidden",
        f"Even one epoch of these settings {over}: use fewer or narrower hidden layers, or "
        "fewer training beats.",
        estimate,
        limits.run_seconds,
    )


def check_sweep(
    base: Spec,
    param: str,
    values: Sequence,
    seeds: int,
    *,
    limits: Limits | None = None,
    known: set = frozenset(),
) -> BudgetProblem | None:
    """None when the sweep fits: at most ``sweep_runs`` runs, each within the per-run limit,
    and at most ``sweep_seconds`` estimated in all."""
    limits = limits or default_limits()
    runs = len(values) * seeds
    if runs > limits.sweep_runs:
        return BudgetProblem(
            "runs",
            f"This experiment has {runs:,} training runs, over this server's limit of "
            f"{limits.sweep_runs:,}: pick fewer values or seeds.",
            runs,
            limits.sweep_runs,
        )
    for spec in _sweep_specs(base, param, values):
        problem = check_run(spec, limits)
        if problem is not None:
            value = FIELDS[param].display(getattr(spec, param))
            return BudgetProblem(
                problem.setting,
                f"With {FIELDS[param].label.lower()} {value} one run would take "
                f"{duration(problem.estimate)}, over this server's limit of "
                f"{limit_text(limits.run_seconds)} per run: leave that value out, or train "
                "fewer epochs on the Train page.",
                problem.estimate,
                problem.limit,
            )
    total = sweep_seconds(base, param, values, seeds, known=known)
    if total > limits.sweep_seconds:
        return BudgetProblem(
            "seconds",
            f"This experiment of {runs:,} runs would take {duration(total)}, over this "
            f"server's limit of {limit_text(limits.sweep_seconds)}: pick fewer values or seeds.",
            total,
            limits.sweep_seconds,
        )
    return None
