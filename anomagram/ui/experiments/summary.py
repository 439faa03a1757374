"""How a finished sweep reads: the summary table as people read it, every run as a table, and
a sentence or two about what the chart shows. No Streamlit here, so it is tested directly."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from anomagram.baselines import DETECTORS
from anomagram.spec import value_text
from anomagram.sweep import SWEEP_PARAMS, RunRecord
from anomagram.ui.common.tiles import share
from anomagram.ui.experiments.logic import display


def display_table(param: str, df: pd.DataFrame, values: Sequence) -> pd.DataFrame:
    """The summary as people read it: one row per value, "mean ± std" cells."""
    names = {value_text(v): display(param, v) for v in values}

    def pm(key: str, percent: bool = False) -> list[str]:
        # One run has no spread: "± 0.000" would claim a precision nobody measured.
        stds = [
            s if n > 1 else float("nan") for s, n in zip(df[f"{key}_std"], df["runs"], strict=True)
        ]
        return [_pm(m, s, percent) for m, s in zip(df[f"{key}_mean"], stds, strict=True)]

    out = pd.DataFrame(
        {
            SWEEP_PARAMS[param]: [names.get(v, v) for v in df["value"]],
            "Runs": df["runs"],
            "AUC": pm("auc"),
            "PCA baseline AUC": pm("baseline_auc"),
            "Accuracy": pm("accuracy", percent=True),
            "Precision": pm("precision", percent=True),
            "Recall": pm("recall", percent=True),
            "Seconds per run": [f"{s:.1f}" for s in df["seconds_mean"]],
        }
    )
    if df["diverged"].any():
        out["Diverged runs"] = df["diverged"]
    return out


def chart_frame(param: str, df: pd.DataFrame, values: Sequence) -> pd.DataFrame:
    """The summary with each value as the table shows it ("30 %", not "30"), for the chart."""
    names = {value_text(v): display(param, v) for v in values}
    return df.assign(value=[names.get(v, v) for v in df["value"]])


def _pm(mean: float, std: float, percent: bool = False) -> str:
    """``0.950 ± 0.010`` for AUC; shares in the app's one format, ``96.6 ± 1.2 %``."""
    if not math.isfinite(mean):
        return "n/a"
    if percent:
        return f"{100 * mean:.1f} ± {100 * std:.1f} %" if math.isfinite(std) else share(mean)
    return f"{mean:.3f} ± {std:.3f}" if math.isfinite(std) else f"{mean:.3f}"


def runs_frame(param: str, records: Sequence[RunRecord]) -> pd.DataFrame:
    df = pd.DataFrame([r.to_dict() for r in records])
    if len(df):
        df.insert(0, "param", param)
    return df


SHARE_COLUMNS = ("accuracy", "precision", "recall", "f1")


def runs_display(runs: pd.DataFrame) -> pd.DataFrame:
    """Every run as people read it: shares in the app's "96.6 %" format, AUC as 0.978.

    The CSV download keeps the raw fractions; this copy is only for the table on the page.
    """
    out = runs.copy()
    for col in SHARE_COLUMNS:
        if col in out.columns:
            out[col] = [share(v) if math.isfinite(v) else "n/a" for v in out[col]]
    for col in ("auc", "baseline_auc"):
        if col in out.columns:
            out[col] = [f"{v:.3f}" if math.isfinite(v) else "n/a" for v in out[col]]
    if "seconds" in out.columns:
        out["seconds"] = [f"{v:.1f}" for v in out["seconds"]]
    return out


def explain(param: str, df: pd.DataFrame, values: Sequence) -> str:
    """One or two sentences that say what the chart shows, in numbers the user can check."""
    df = df[df["auc_mean"].apply(lambda x: math.isfinite(x))]
    if df.empty:
        return "No run gave a usable AUC, so there is nothing to compare yet."
    names = {value_text(v): display(param, v) for v in values}
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
            f"{best['auc_mean']:.3f}. Add more values to compare."
        )
    elif param == "abnormal_pct":
        a0, a1 = float(first["auc_mean"]), float(last["auc_mean"])
        p0, p1 = names.get(first["value"]), names.get(last["value"])
        if a1 < a0 - max(0.02, spread):
            sentences.append(
                f"With {p0} abnormal beats in the training data the AUC is {a0:.3f}; with {p1} "
                f"it falls to {a1:.3f}. The more abnormal beats the autoencoder trains on, the "
                "better it learns to rebuild them too, so their errors stop standing out."
            )
            if a1 < 0.5:
                sentences.append(
                    "Below 0.5 the model has it backwards: trained mostly on abnormal beats, it "
                    "now rebuilds them better than the normal ones."
                )
        else:
            sentences.append(
                f"The AUC goes from {a0:.3f} with {p0} abnormal training beats to {a1:.3f} with "
                f"{p1}: in this setup the leak barely hurt."
            )
    elif gap < 0.02:
        sentences.append(
            f"Every {label} tried gives about the same AUC ({worst['auc_mean']:.3f} to "
            f"{best['auc_mean']:.3f}): this setting hardly matters here."
        )
    else:
        sentences.append(
            f"The best {label} here is {names.get(best['value'], best['value'])} (AUC "
            f"{best['auc_mean']:.3f}); the worst is {names.get(worst['value'], worst['value'])} "
            f"({worst['auc_mean']:.3f})."
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


# --- classic detectors as reference lines -------------------------------------------------------


def reference_frame(
    param: str, values: Sequence, aucs: Mapping[tuple[str, int, str], float]
) -> pd.DataFrame:
    """Mean AUC per (value, detector) over the seeds' splits, for ``charts.sweep_chart``.

    ``aucs`` maps (value as text, seed, detector key) to the detector's AUC on that run's
    split. ``value`` is the value as text (as in ``summary_table``), ``setting`` as the chart
    labels it.
    """
    names = {value_text(v): display(param, v) for v in values}
    grouped: dict[tuple[str, str], list[float]] = {}
    for (value, _seed, detector), auc in aucs.items():
        if math.isfinite(auc):
            grouped.setdefault((value, detector), []).append(auc)
    order = {value_text(v): i for i, v in enumerate(values)}
    rows = [
        {
            "value": value,
            "setting": names.get(value, value),
            "detector": detector,
            "auc": sum(found) / len(found),
            "splits": len(found),
        }
        for (value, detector), found in sorted(
            grouped.items(), key=lambda item: (order.get(item[0][0], 1e9), item[0][1])
        )
    ]
    return pd.DataFrame(rows, columns=["value", "setting", "detector", "auc", "splits"])


def reference_sentence(param: str, df: pd.DataFrame, refs: pd.DataFrame, per_value: bool) -> str:
    """Which classic detector does best on these splits, against the autoencoder."""
    if refs.empty:
        return ""
    ae = dict(zip(df["value"], df["auc_mean"], strict=True))
    means = refs.groupby("detector", sort=False)["auc"].mean()
    best = str(means.idxmax())
    rows = refs[refs["detector"] == best]
    pairs = zip(rows["value"], rows["auc"], strict=True)
    wins = sum(1 for value, auc in pairs if auc >= ae.get(value, math.inf))
    label = SWEEP_PARAMS[param].lower()
    how = (
        f"The {label} changes which beats are in the split, so each detector is fitted on every "
        "value's splits."
        if per_value
        else f"The {label} does not change the split, so each detector's line is flat: its "
        "mean over the seeds' splits."
    )
    return (
        f"{how} The best classic detector here, {DETECTORS[best]}, reaches an AUC of "
        f"{float(means[best]):.3f} on average and matches or beats the autoencoder for {wins} "
        f"of {len(rows)} values."
    )
