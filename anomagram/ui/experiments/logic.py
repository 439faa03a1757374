"""What the Experiments form needs besides widgets: the values offered per setting, how they
read, links that reproduce an experiment, and checks and timing before it runs. No Streamlit
here, so it is tested directly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from anomagram import budget, sources
from anomagram import spec as spec_module
from anomagram.data import Dataset
from anomagram.numbers import shown
from anomagram.presets import PRESETS, matching_preset, preset_spec
from anomagram.spec import FIELDS, REGULARIZERS, TRAIN_SIZE_CHOICES, Spec, SpecError, value_text
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


# The settings that choose the data: a link carries them for the built-in datasets (a CSV's
# name too, though not its data). ``length`` follows from the data and is never in a link.
# The data settings a link carries (the length follows from the data, never from a link).
DATA_FIELDS = tuple(name for name in spec_module.DATA_FIELDS if name in spec_module.CHOSEN)
EXPERIMENT_KEYS = ("param", "values", "seeds")
# ``preset``: the base the sweep varies (e.g. Overfits, for the regularisation insight).
PRESET_KEY = "preset"
LINK_KEYS = (*EXPERIMENT_KEYS, *DATA_FIELDS, PRESET_KEY)


def data_query(spec: Spec) -> dict[str, str]:
    """The data settings of ``spec`` as query parameters (defaults left out, as in every link)."""
    return {k: v for k, v in spec.to_query_params().items() if k in DATA_FIELDS}


def data_from_query(params: Mapping[str, str], spec: Spec) -> tuple[Spec | None, list[str]]:
    """``spec`` with the data a link names, and any problems.

    A link with any experiment or data key names its data: the ones it leaves out are the
    defaults (ECG5000), as :meth:`Spec.to_query_params` leaves defaults out. A bad value leaves
    ``spec``'s data as it was (None) and says why.
    """
    if not set(LINK_KEYS) & set(params):
        return None, []
    present = {k: str(params[k]) for k in DATA_FIELDS if k in params}
    try:
        linked = Spec.from_query_params(present)
        return spec.replace(**{k: getattr(linked, k) for k in DATA_FIELDS}), []
    except SpecError as exc:
        why, kept = " ".join(exc.problems), dataset_label(spec)
        return None, [f"its data settings could not be used ({why}), so the data stays {kept}"]


def preset_from_query(params: Mapping[str, str], spec: Spec) -> tuple[Spec | None, list[str]]:
    """``spec`` turned into the preset a link names (its seed and data kept), and any problems;
    None when the link names no preset or an unknown one."""
    if PRESET_KEY not in params:
        return None, []
    key = str(params[PRESET_KEY]).strip().lower()
    if key not in PRESETS:
        return None, [f"unknown preset {shown(params[PRESET_KEY])}, so the setup stays yours"]
    return preset_spec(key, spec), []


def preset_query(spec: Spec) -> dict[str, str]:
    """``preset=KEY`` when ``spec`` is one of the presets other than the default, so a link to
    an experiment on it reproduces its base."""
    key = matching_preset(spec)
    return {PRESET_KEY: key} if key not in (None, "default") else {}


def dataset_label(spec: Spec) -> str:
    """The data a spec names, as people read it: ``ECG5000``, ``ECG200``, ``mine.csv``."""
    return "ECG5000" if spec.dataset == "ecg5000" else spec.dataset.split(":", 1)[-1]


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


# The settings that decide which rows land in a run's training and test sets.
SPLIT_PARAMS = ("train_size", "test_size", "abnormal_pct")
MAX_NOTES = 6


def split_notes(base: Spec, param: str, values: Sequence, data: Dataset) -> list[str]:
    """What ``data`` changes in the splits the sweep asks for, in sentences: the notes of a
    small dataset's splits (``Split.notes``), and values whose runs would train and test on
    the very same rows (so give the same results) instead of differing silently.

    Seeds change which rows are drawn, not how many, so the base seed stands for all.
    """
    vary = param in SPLIT_PARAMS
    found: dict[str, list] = {}
    sizes: dict[tuple[int, int], list] = {}
    for value in values if vary else values[:1]:
        try:
            split = sources.split_for(base.replace(**{param: value}), data)
        except ValueError as exc:  # said again, with the run, if the sweep is started
            found.setdefault(str(exc), []).append(value)
            continue
        for note in split.notes:
            found.setdefault(note, []).append(value)
        sizes.setdefault((len(split.train_y), len(split.test_y)), []).append(value)
    out = []
    for note, at in found.items():
        if vary and len(at) < len(values):
            note = f"{FIELDS[param].label} {', '.join(display(param, v) for v in at)}: {note}"
        out.append(note)
    if param in ("train_size", "test_size"):
        for (n_train, n_test), same in sizes.items():
            if len(same) > 1:
                shown_values = ", ".join(display(param, v) for v in same)
                out.append(
                    f"The values {shown_values} all train on {n_train:,} and test on {n_test:,} "
                    f"{data.unit} of {data.name}, so their runs are identical: the curve is flat "
                    f"there because {data.name} has no more, not because the size does not matter."
                )
    return out[:MAX_NOTES]
