"""The Train page's status line: progress, pause, divergence, run errors and loss hints."""

from __future__ import annotations

import math

import streamlit as st

from anomagram import metrics
from anomagram.scheduler import place_text
from anomagram.spec import Spec
from anomagram.training import DIVERGED, Trainer
from anomagram.ui.common.text import escape_markdown
from anomagram.ui.common.tiles import fmt
from anomagram.ui.train import run_state
from anomagram.ui.train.run_state import RUN_ERROR_KEY, phase


def _status_text(trainer: Trainer) -> str:
    run = trainer.runs[-1] if trainer.runs else None
    parts = [f"✅ Trained {trainer.epochs_done} epochs"]
    if run is not None and run.epochs_run:
        parts.append(f"last run {run.epochs_run} epochs in {run.seconds_total:.1f} s")
    if trainer.loss:
        parts.append(f"training loss {trainer.loss[-1]:.4f}")
    report = trainer.last_report
    if report is not None and trainer.prepared.labelled:  # without labels, no AUC
        parts.append(
            f"AUC {fmt(metrics.auc(trainer.prepared.test_is_abnormal, report.test_errors))}"
        )
    return " · ".join(parts)


def loss_hint(trainer: Trainer) -> str | None:
    """A plain-words hint when the loss went up or never moved."""
    loss = [v for v in trainer.loss if math.isfinite(v)]
    if len(loss) < 5:
        return None
    first, last = loss[0], loss[-1]
    if last > first * 1.5:
        return (
            "📈 The loss went **up** instead of down: the learning rate is probably too large "
            "for this optimizer. Try a smaller learning rate."
        )
    if first - last < 0.02 * first:
        # Never suggest the optimizer that is already selected.
        if trainer.spec.optimizer == "adam":
            advice = "Try another learning rate, or a seed that starts the weights elsewhere."
        else:
            advice = "Try Adam, or another learning rate."
        return (
            "➖ The loss has barely moved: the model is stuck. This happens with plain SGD or "
            "Adadelta at small learning rates, or when a huge step throws the weights into a "
            f"flat region. {advice}"
        )
    return None


def show_waiting(slot, epoch: int, target: int, ahead: int | None) -> None:
    """The progress line while a run waits for a free trainer (``ahead`` runs before it), or,
    with ``ahead=None``, once its turn has come."""
    if ahead is None:
        text = f"Training · epoch {epoch} of {target}"
    else:
        text = f"⏳ {place_text(ahead)} · epoch {epoch} of {target}"
    slot.progress(min(epoch / target, 1.0), text=text)


def show_status(slot, trainer: Trainer | None, spec: Spec) -> None:
    with slot.container():
        error = st.session_state.get(RUN_ERROR_KEY)
        if error:
            st.error(escape_markdown(error), icon="🚫")
        if trainer is None:
            return
        current = phase(trainer, spec)
        target = run_state.target() or trainer.epochs_done
        if trainer.status == DIVERGED:
            st.warning(trainer.message, icon="⚠️")
            if trainer.epochs_done:
                st.caption(f"The charts show epoch {trainer.epochs_done}, the last finite one.")
        elif current == "paused":
            st.progress(
                min(trainer.epochs_done / target, 1.0),
                text=f"⏸ Paused at epoch {trainer.epochs_done} of {target}",
            )
        elif trainer.epochs_done:
            st.progress(1.0, text=_status_text(trainer))
        hint = loss_hint(trainer) if trainer.status != DIVERGED else None
        if hint:
            st.info(hint)
        if current == "stale" and trainer.epochs_done:
            st.caption("The charts below still show the model trained with the earlier settings.")
