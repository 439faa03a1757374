"""The chosen threshold and the strategy that chose it.

The threshold itself is shared (``state.get_threshold``): the Score page scores with it.
It is recomputed from the strategy whenever the model changes, and a slider move switches
the strategy to "manual". A model of unlabelled data offers only the strategies that read the
training errors; a choice that needs labels stands for the percentile there
(``Trainer.strategy_for``).
"""

from __future__ import annotations

import streamlit as st

from anomagram import metrics
from anomagram.training import Trainer
from anomagram.ui.common import state
from anomagram.ui.common.state import get_trainer

THRESHOLD_FOR_KEY = "train_threshold_for"  # the model (token, epochs) the threshold is for
STRATEGY_KEY = "train_strategy"
K_KEY, Q_KEY = "train_k", "train_q"
STRATEGY_WIDGET = "train_strategy_w"
SLIDER_WIDGET = "train_threshold_w"

DEFAULT_STRATEGY = "best_accuracy"
STRATEGIES = (*metrics.THRESHOLD_STRATEGIES, "manual")
STRATEGY_LABELS = {**metrics.STRATEGY_LABELS, "manual": "Manual (slider)"}


def strategies(trainer: Trainer | None = None) -> tuple[str, ...]:
    """The strategies offered for ``trainer``'s model: without labels, none that needs them."""
    if trainer is None or trainer.prepared.labelled:
        return STRATEGIES
    return tuple(s for s in STRATEGIES if trainer.strategy_for(s) == s)


def strategy(trainer: Trainer | None = None) -> str:
    """The chosen strategy, as it applies to ``trainer``'s model."""
    chosen = st.session_state.get(STRATEGY_KEY, DEFAULT_STRATEGY)
    if trainer is not None and chosen != "manual":
        chosen = trainer.strategy_for(chosen)
    return chosen


def automatic_strategy(trainer: Trainer | None = None) -> str:
    """The strategy in use, or the default one when the threshold was picked by hand."""
    chosen = strategy(trainer)
    if chosen != "manual":
        return chosen
    return trainer.strategy_for(DEFAULT_STRATEGY) if trainer is not None else DEFAULT_STRATEGY


def strategy_label(trainer: Trainer | None = None) -> str:
    chosen = strategy(trainer)
    return STRATEGY_LABELS.get(chosen, chosen)


def strategy_threshold(trainer: Trainer, name: str) -> float:
    if name == "manual":
        name = DEFAULT_STRATEGY
    k = float(st.session_state.get(K_KEY, 2.0))
    q = float(st.session_state.get(Q_KEY, 95.0))
    return float(trainer.threshold(name, k=k, q=q))


def current_threshold(trainer: Trainer) -> float:
    """The chosen threshold, recomputed from the strategy whenever the model has changed."""
    model = (trainer.token, trainer.epochs_done)
    if st.session_state.get(THRESHOLD_FOR_KEY) != model or state.get_threshold() is None:
        if strategy() == "manual":
            # A hand-picked value belonged to the previous model; start from the best one.
            st.session_state[STRATEGY_KEY] = DEFAULT_STRATEGY
        state.set_threshold(strategy_threshold(trainer, strategy(trainer)))
        st.session_state[THRESHOLD_FOR_KEY] = model
    return float(state.get_threshold())


def on_strategy() -> None:
    """``on_change`` of the strategy select and its k / percentile inputs."""
    st.session_state[STRATEGY_KEY] = st.session_state[STRATEGY_WIDGET]
    for key in (K_KEY, Q_KEY):
        if f"{key}_w" in st.session_state:
            st.session_state[key] = st.session_state[f"{key}_w"]
    trainer = get_trainer()
    if trainer is not None and trainer.epochs_done and strategy() != "manual":
        state.set_threshold(strategy_threshold(trainer, strategy(trainer)))


def on_slider() -> None:
    """``on_change`` of the threshold slider: a hand-picked threshold."""
    state.set_threshold(st.session_state[SLIDER_WIDGET])
    st.session_state[STRATEGY_KEY] = "manual"
