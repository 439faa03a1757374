"""⑤ How does it compare? The trained autoencoder beside five classic detectors on its split.

The detectors come from ``anomagram.baselines`` and are fitted in the background
(``ui.common.detector_fits``), once per split, so the page never waits for them and a threshold
move never refits. While some are still fitting, the leaderboard is a small fragment that
redraws itself every ``POLL_SECONDS``; when the last one is in, it reruns the page once, so the
ROC curve's overlay (chosen with ``overlay_picker``) appears too.
"""

from __future__ import annotations

import streamlit as st

from anomagram import baselines, metrics
from anomagram.charts import leaderboard_chart
from anomagram.training import Trainer
from anomagram.ui.common import detector_fits
from anomagram.ui.streamlit_patches import is_fragment_rerun
from anomagram.ui.train import data_state
from anomagram.ui.train.widgets import persisted, show

POLL_SECONDS = 1.0
OVERLAY_KEY = "train_overlay"
OVERLAY_WIDGET = "train_overlay_w"
NO_OVERLAY = "none"
DEFAULT_OVERLAY = "pca"
FITTING = "still fitting"
FAILED = "failed"


# --- the ROC overlay ---------------------------------------------------------------------------


def _on_overlay() -> None:
    st.session_state[OVERLAY_KEY] = st.session_state[OVERLAY_WIDGET]


def overlay_choice() -> str | None:
    """The detector whose ROC curve is drawn beside the autoencoder's, or None."""
    choice = st.session_state.get(OVERLAY_KEY, DEFAULT_OVERLAY)
    return choice if choice in baselines.DETECTORS else None


def _overlay_label(key: str) -> str:
    name = baselines.DETECTORS.get(key)
    return f"ROC vs {name}" if name else "ROC: autoencoder alone"


def overlay_picker(container) -> None:
    """Which classic detector the ROC chart shows beside the autoencoder."""
    persisted(OVERLAY_WIDGET, OVERLAY_KEY, DEFAULT_OVERLAY)
    container.selectbox(
        "ROC: compare with",
        [NO_OVERLAY, *baselines.DETECTORS],
        format_func=_overlay_label,
        key=OVERLAY_WIDGET,
        on_change=_on_overlay,
        # The label is in every option instead: a label line would make this row taller than
        # the pills beside it, and push the chart grid's second row out of a laptop window.
        label_visibility="collapsed",
        help=(
            "Draw one classic detector's ROC curve beside the autoencoder's, fitted on the same "
            "training beats. If a simpler model does as well, the autoencoder is not earning "
            "its keep."
        ),
    )


def _fits(trainer: Trainer, detectors) -> dict:
    """The fits on the trainer's own split and data (not the data picked since)."""
    data_id = data_state.trainer_data_id(trainer)
    return detector_fits.fits(trainer.spec, detectors, trainer.prepared, data_id)


def overlay_curve(trainer: Trainer, detector: str | None):
    """``(fpr, tpr, auc, name)`` of ``detector`` on the trainer's split, or None while fitting."""
    if detector is None or not trainer.prepared.labelled:
        return None
    job = _fits(trainer, [detector])[detector]
    if not job.done() or job.exception() is not None:
        return None
    result = job.result()
    roc = metrics.roc(trainer.prepared.test_is_abnormal, result.scores)
    return roc.fpr, roc.tpr, roc.auc, baselines.SHORT_NAMES[detector]


# --- the leaderboard ---------------------------------------------------------------------------


def _autoencoder_seconds(trainer: Trainer) -> float:
    """Training time of every run, compilation included, without Watch mode's pauses."""
    return sum(
        r.seconds_first_epoch + r.seconds_per_epoch * max(r.epochs_run - 1, 0)
        for r in trainer.runs
        if r.epochs_run
    )


def board(trainer: Trainer) -> tuple[list[baselines.Row], dict[str, str], bool]:
    """Leaderboard rows (finished ones best first, then the rest), their notes, and whether
    every detector is done."""
    jobs = _fits(trainer, baselines.DETECTORS)
    done = detector_fits.finished(jobs)
    ae_auc = metrics.auc(trainer.prepared.test_is_abnormal, trainer.last_report.test_errors)
    rows = baselines.leaderboard(ae_auc, done, ae_seconds=_autoencoder_seconds(trainer))
    notes = {}
    failed = detector_fits.failed(jobs)
    for key in baselines.DETECTORS:
        if key not in done:
            name = baselines.DETECTORS[key]
            rows.append(baselines.Row(key, name, float("nan"), None, False))
            notes[name] = FAILED if key in failed else FITTING
    return rows, notes, not detector_fits.pending(jobs)


def _draw(trainer: Trainer) -> bool:
    rows, notes, complete = board(trainer)
    show(st, leaderboard_chart(rows, notes))
    if complete:
        st.markdown(f"**{baselines.verdict(rows)}**")
        failed = [name for name, note in notes.items() if note == FAILED]
        if failed:
            st.caption(
                f"{', '.join(failed)} could not be fitted on this split, so "
                f"{'it is' if len(failed) == 1 else 'they are'} left out."
            )
    else:
        st.caption(f"Fitting the classic detectors on the same split: {len(notes)} to go…")
    return complete


@st.fragment(run_every=POLL_SECONDS)
def _polling(trainer: Trainer) -> None:
    # On its own timer tick: once the last detector is in, rerun the page, which draws the
    # board without a timer and the ROC chart with its overlay.
    if _draw(trainer) and is_fragment_rerun():
        st.rerun(scope="app")


def comparison(trainer: Trainer) -> None:
    """The leaderboard and one sentence on who wins; redraws itself while detectors fit."""
    st.subheader("⑤ How does it compare?")
    if not trainer.prepared.labelled:
        st.caption(
            "No row is labelled abnormal, so neither the autoencoder nor the classic detectors "
            "have an AUC to rank them by: label some rows (a label or anomaly column) to "
            "compare them."
        )
        return
    st.caption(
        "Five classic detectors from scikit-learn, fitted on the same training beats with the "
        "same scaling and scored on the same test beats: PCA with as many components as the "
        "bottleneck, distance to the nearest training beats, Local Outlier Factor, a "
        "One-Class SVM and an Isolation Forest. AUC does not depend on the threshold."
    )
    jobs = _fits(trainer, baselines.DETECTORS)
    if detector_fits.pending(jobs):
        _polling(trainer)
    else:
        _draw(trainer)
