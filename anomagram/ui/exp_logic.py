"""What the Experiments page needs besides widgets: choices, link parsing, tables and the
one-sentence reading of a result. No Streamlit here, so it is tested directly."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from anomagram.spec import (
    ABNORMAL_PCT_CHOICES,
    BATCH_SIZE_CHOICES,
    LEARNING_RATE_CHOICES,
    OPTIMIZERS,
    REGULARIZERS,
    TRAIN_SIZE_CHOICES,
    Spec,
)
from anomagram.sweep import (
    ARCHITECTURE_PRESETS,
    SWEEP_PARAMS,
    RunRecord,
    parse_values,
    summarise,
    value_label,
)

MAX_SEEDS = 5
DEFAULT_PARAM = "abnormal_pct"
DEFAULT_SEEDS = 3

CHOICES: dict[str, tuple] = {
    "abnormal_pct": tuple(float(v) for v in ABNORMAL_PCT_CHOICES),
    "optimizer": OPTIMIZERS,
    "learning_rate": LEARNING_RATE_CHOICES,
    "batch_size": BATCH_SIZE_CHOICES,
    "hidden": tuple(ARCHITECTURE_PRESETS.values()),
    "latent": (1, 2, 3, 4, 8, 16),
    "regularizer": REGULARIZERS,
    "train_size": TRAIN_SIZE_CHOICES,
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
_OPTIMIZER_NAMES = {
    "adam": "Adam",
    "adamax": "Adamax",
    "adadelta": "Adadelta",
    "rmsprop": "RMSprop",
    "momentum": "Momentum",
    "sgd": "SGD",
}


def display(param: str, value) -> str:
    if param == "abnormal_pct":
        return f"{value:g} %"
    if param == "hidden":
        return _PRESET_NAMES.get(tuple(value), f"layers {value_label(tuple(value))}")
    if param == "optimizer":
        return _OPTIMIZER_NAMES.get(value, str(value))
    return value_label(value)


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
    return sep.join(value_label(v) for v in values)


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
            f"the link asks to vary {param!r}, which is not one of: {', '.join(SWEEP_PARAMS)}"
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
    """A rough duration for the sweep, before it starts.

    A rule of thumb from bench/sweep_speed.py on 2 shared cores, rounded up by a third for a
    busy server: ~1.5 s to compile each architecture not in ``known`` (architecture keys
    already compiled), ~0.2 s of data preparation, PCA and metrics per run, ~3 ms per batch
    and ~4 ms per epoch to probe the test beats.
    """
    specs = [base.replace(**{param: v}) for v in values]
    new_archs = len({s.architecture_key for s in specs} - set(known))
    total = 0.0
    for s in specs:
        steps = -(-s.train_size // s.batch_size)
        per_run = 0.2 + s.epochs * (0.003 * steps + 0.004)
        total += per_run * seeds
    return total + 1.5 * new_archs


def duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "a while"
    seconds = max(seconds, 0.0)
    if seconds < 10:
        return "under 10 s"
    if seconds < 90:
        return f"about {seconds:.0f} s"
    return f"about {seconds / 60:.1f} min"


# --- results ------------------------------------------------------------------------------------


def summary_frame(records: Sequence[RunRecord], values: Sequence | None = None) -> pd.DataFrame:
    """sweep.summarise as a table, plus the ``baseline_auc`` column sweep_chart draws."""
    df = pd.DataFrame(summarise(records, values))
    if len(df):
        df["baseline_auc"] = df["baseline_auc_mean"]
    return df


def display_table(param: str, df: pd.DataFrame, values: Sequence) -> pd.DataFrame:
    """The summary as people read it: one row per value, "mean ± std" cells."""
    names = {value_label(v): display(param, v) for v in values}

    def pm(key: str) -> list[str]:
        return [_pm(m, s) for m, s in zip(df[f"{key}_mean"], df[f"{key}_std"], strict=True)]

    out = pd.DataFrame(
        {
            SWEEP_PARAMS[param]: [names.get(v, v) for v in df["value"]],
            "Runs": df["runs"],
            "AUC": pm("auc"),
            "PCA baseline AUC": pm("baseline_auc"),
            "Accuracy": pm("accuracy"),
            "Precision": pm("precision"),
            "Recall": pm("recall"),
            "Seconds per run": [f"{s:.1f}" for s in df["seconds_mean"]],
        }
    )
    if df["diverged"].any():
        out["Diverged runs"] = df["diverged"]
    return out


def _pm(mean: float, std: float) -> str:
    if not math.isfinite(mean):
        return "n/a"
    return f"{mean:.3f} ± {std:.3f}" if math.isfinite(std) else f"{mean:.3f}"


def runs_frame(param: str, records: Sequence[RunRecord]) -> pd.DataFrame:
    df = pd.DataFrame([r.to_dict() for r in records])
    if len(df):
        df.insert(0, "param", param)
    return df


def explain(param: str, df: pd.DataFrame, values: Sequence) -> str:
    """One or two sentences that say what the chart shows, in numbers the user can check."""
    df = df[df["auc_mean"].apply(lambda x: math.isfinite(x))]
    if df.empty:
        return "No run gave a usable AUC, so there is nothing to compare yet."
    names = {value_label(v): display(param, v) for v in values}
    label = SWEEP_PARAMS[param].lower()
    seeds = int(df["runs"].max())
    spread = float(df["auc_std"].max()) if seeds > 1 else 0.0
    best = df.loc[df["auc_mean"].idxmax()]
    worst = df.loc[df["auc_mean"].idxmin()]
    first, last = df.iloc[0], df.iloc[-1]
    gap = float(best["auc_mean"] - worst["auc_mean"])
    sentences = []
    if len(df) == 1:
        sentences.append(
            f"With {names.get(best['value'], best['value'])} the autoencoder reaches an AUC of "
            f"{best['auc_mean']:.2f}. Add more values to compare."
        )
    elif param == "abnormal_pct":
        a0, a1 = float(first["auc_mean"]), float(last["auc_mean"])
        p0, p1 = names.get(first["value"]), names.get(last["value"])
        if a1 < a0 - max(0.02, spread):
            sentences.append(
                f"With {p0} abnormal beats in the training data the AUC is {a0:.2f}; with {p1} "
                f"it falls to {a1:.2f}. The more abnormal beats the autoencoder trains on, the "
                "better it learns to rebuild them too, so their errors stop standing out."
            )
            if a1 < 0.5:
                sentences.append(
                    "Below 0.5 the model has it backwards: trained mostly on abnormal beats, it "
                    "now rebuilds them better than the normal ones."
                )
        else:
            sentences.append(
                f"The AUC goes from {a0:.2f} with {p0} abnormal training beats to {a1:.2f} with "
                f"{p1}: in this setup the leak barely hurt."
            )
    elif gap < 0.02:
        sentences.append(
            f"Every {label} tried gives about the same AUC ({worst['auc_mean']:.2f} to "
            f"{best['auc_mean']:.2f}): this setting hardly matters here."
        )
    else:
        sentences.append(
            f"The best {label} here is {names.get(best['value'], best['value'])} (AUC "
            f"{best['auc_mean']:.2f}); the worst is {names.get(worst['value'], worst['value'])} "
            f"({worst['auc_mean']:.2f})."
        )
    if param != "abnormal_pct" and float(worst["auc_mean"]) < 0.5:
        sentences.append(
            f"An AUC below 0.5 (at {names.get(worst['value'], worst['value'])}) means the errors "
            "point the wrong way: that model failed to learn what normal beats look like."
        )
    if seeds == 1:
        sentences.append("With one seed per value you cannot tell luck from effect: try 3.")
    elif len(df) > 1 and gap <= spread:
        sentences.append(
            "The differences are within the spread between seeds (the error bars), so they may "
            "be luck rather than a real effect."
        )
    base = df["baseline_auc_mean"]
    if base.notna().any():
        wins = int((base >= df["auc_mean"]).sum())
        if wins == len(df):
            sentences.append(
                "The PCA baseline (grey), a far simpler model, does at least as well everywhere: "
                "a reminder to always check a simple model first."
            )
        elif wins:
            sentences.append(
                f"The PCA baseline (grey) matches or beats the autoencoder for {wins} of "
                f"{len(df)} values."
            )
        else:
            sentences.append("The autoencoder beats the simpler PCA baseline (grey) everywhere.")
    return " ".join(sentences)
