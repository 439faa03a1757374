"""What the Experiments form needs besides widgets: the values offered per setting, how they
read, links that reproduce an experiment, and checks and timing before it runs. No Streamlit
here, so it is tested directly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from anomagram import budget
from anomagram.numbers import shown
from anomagram.spec import FIELDS, REGULARIZERS, TRAIN_SIZE_CHOICES, Spec, value_text
from anomagram.sweep import (
    ARCHITECTURE_PRESETS,
    SWEEP_PARAMS,
    parse_values,
)

MAX_SEEDS = 5
DEFAULT_PARAM = "abnormal_pct"
DEFAULT_SEEDS = 3

# What the form offers: the Train page's choices, plus architectures and latent sizes (which
# the Train page edits as numbers) worth comparing.
CHOICES: dict[str, tuple] = {
    **{name: FIELDS[name].offered for name in SWEEP_PARAMS},
    "abnormal_pct": tuple(float(v) for v in FIELDS["abnormal_pct"].offered),
    "hidden": tuple(ARCHITECTURE_PRESETS.values()),
    "latent": (1, 2, 3, 4, 8, 16),
}
DEFAULTS: dict[str, tuple] = {
    # The question Anomagram asks: what if abnormal beats leak into the training data?
    "abnormal_pct": (0.0, 10.0, 30.0, 50.0, 70.0),
    "optimizer": ("adam", "rmsprop", "momentum", "sgd"),
    "learning_rate": (0.001, 0.01, 0.1),
    "batch_size": (64, 256, 1024),
    "hidden": tuple(ARCHITECTURE_PRESETS.values()),
    "latent": (1, 2, 4, 8),
    "regularizer": REGULARIZERS,
    "train_size": TRAIN_SIZE_CHOICES,
}
# Shown in the page so a non-expert knows what each sweep asks.
QUESTIONS = {
    "abnormal_pct": "What happens when abnormal beats leak into the training data?",
    "optimizer": "Which optimizer learns the normal beats best in the same number of epochs?",
    "learning_rate": "How big should each learning step be?",
    "batch_size": "Do smaller batches (more, noisier steps) help?",
    "hidden": "Does a bigger network detect anomalies better?",
    "latent": "How narrow should the bottleneck be?",
    "regularizer": "Does penalising large weights help?",
    "train_size": "How many training beats does the model need?",
}
_PRESET_NAMES = {v: k for k, v in ARCHITECTURE_PRESETS.items()}


def display(param: str, value) -> str:
    if param == "hidden":
        return _PRESET_NAMES.get(tuple(value), f"layers {value_text(tuple(value))}")
    return FIELDS[param].display(value)


def options(param: str, extra: Sequence = ()) -> list:
    """The values offered for ``param``, plus any a link asked for, in a sensible order."""
    values = list(CHOICES[param])
    for v in extra:
        if v not in values:
            values.append(v)
    if param not in ("hidden", "optimizer", "regularizer"):
        values.sort()
    return values


def in_order(param: str, chosen: Sequence, extra: Sequence = ()) -> list:
    """The chosen values in the order they are offered (the chart's x axis order)."""
    order = options(param, extra)
    return sorted(dict.fromkeys(chosen), key=lambda v: order.index(v) if v in order else 1e9)


# --- links --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedExperiment:
    param: str
    values: tuple
    seeds: int


def query_text(param: str, values: Sequence) -> str:
    sep = ";" if param == "hidden" else ","
    return sep.join(value_text(v) for v in values)


def from_query(params: Mapping[str, str]) -> tuple[LinkedExperiment | None, list[str]]:
    """The experiment a link asks for (``param``, ``values``, ``seeds``), and any problems.

    Missing pieces fall back to the defaults; a bad piece is reported and replaced by its
    default rather than refusing the whole link.
    """
    keys = {"param", "values", "seeds"}
    if not keys & set(params):
        return None, []
    problems: list[str] = []
    param = str(params.get("param", DEFAULT_PARAM)).strip()
    if param not in SWEEP_PARAMS:
        problems.append(
            f"the link asks to vary {shown(param)}, which is not one of: {', '.join(SWEEP_PARAMS)}"
        )
        param = DEFAULT_PARAM
    values = DEFAULTS[param]
    if "values" in params and param == str(params.get("param", DEFAULT_PARAM)).strip():
        try:
            values = tuple(dict.fromkeys(parse_values(param, str(params["values"]))))
        except ValueError as exc:
            problems.append(f"its values could not be read ({exc})")
    seeds = DEFAULT_SEEDS
    if "seeds" in params:
        try:
            seeds = int(str(params["seeds"]).strip())
            if not 1 <= seeds <= MAX_SEEDS:
                raise ValueError
        except ValueError:
            problems.append(f"seeds must be a whole number from 1 to {MAX_SEEDS}")
            seeds = DEFAULT_SEEDS
    return LinkedExperiment(param, tuple(values), seeds), problems


# --- planning and timing -----------------------------------------------------------------------


def plan_problems(base: Spec, param: str, values: Sequence) -> list[str]:
    """Values that would make an invalid spec together with the base (e.g. sizes vs. data)."""
    out = []
    for v in values:
        try:
            base.replace(**{param: v})
        except ValueError as exc:
            out.append(f"{display(param, v)}: {exc}")
    return out


def estimate_seconds(
    base: Spec, param: str, values: Sequence, seeds: int, *, known: set = frozenset()
) -> float:
    """A rough duration for the sweep, before it starts: the work budget's estimate
    (``anomagram.budget``), with ``known`` the architecture keys already compiled."""
    return budget.sweep_seconds(base, param, values, seeds, known=known)
