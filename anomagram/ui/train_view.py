"""The Train page's action bar, live training, chart grid, evaluation panel and export.

How a click flows: the Train / Pause / Reset buttons only record a request (``on_click``); the
page script turns it into a new or continued run; the results panel (an ``st.fragment``)
trains with ``Trainer.train`` and redraws its placeholders from the epoch reports, at most
every ``REDRAW_SECONDS``. Everything lives in the session's Trainer (``state.set_trainer``),
which keeps every finished epoch even when a click interrupts the run, and every chart is
drawn from it, so a rerun, a Pause or a trip to another page never loses the model or a curve.

Threshold moves rerun only the results fragment: the histogram's threshold line, the ROC
marker, the tiles and the evaluation charts follow without retraining or redrawing the
composer above.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import streamlit as st

from anomagram import charts, metrics
from anomagram.model import save_detector
from anomagram.spec import Spec
from anomagram.training import DIVERGED, STOPPED, Trainer
from anomagram.ui.common import resources, state
from anomagram.ui.common.state import get_spec, get_trainer, set_trainer
from anomagram.ui.common.tiles import confusion_caption, fmt, metric_tiles
from anomagram.ui.train_models import pool

REDRAW_SECONDS = 0.2
PROGRESS_SECONDS = 0.05
GRID_HEIGHT = 320  # one height for the 2x2 grid, so its rows line up

REQUEST_KEY = "train_request"  # set by the buttons' callbacks, read once per full run
LIVE_KEY = "train_live"  # epochs the results panel should train in this run
TARGET_KEY = "train_target"  # the epoch the current (or paused) run ends at
THRESHOLD_KEY = state.THRESHOLD_KEY  # shared: the Score page uses the chosen threshold
THRESHOLD_FOR_KEY = "train_threshold_for"
STRATEGY_KEY = "train_strategy"
K_KEY, Q_KEY = "train_k", "train_q"
SHOW_KEY = "train_show"
PCA_KEY = "train_pca"
TILES_KEY = "train_tiles_thresholds"
PCA_CACHE_KEY = "train_pca_cache"
RUN_ERROR_KEY = "train_run_error"
LOCK_KEY = "train_lock"  # held while a run trains this session's model
BAR_GENERATION_KEY = "train_bar_generation"

GRID = ("loss", "histogram", "roc", "latent")
PANELS = {
    "loss": "📉 Loss",
    "histogram": "📊 Error histogram",
    "roc": "🎯 ROC curve",
    "latent": "🔵 Bottleneck",
    "metrics": "🧮 Evaluation",
}
LOOK_FOR = {
    "loss": "Look for both curves falling, then levelling off. A validation curve far above "
    "the training curve means the model memorises its training beats.",
    "histogram": "Normal beats (blue) should pile up at small errors and abnormal beats (orange) "
    "further right. The dashed line is the threshold: beats to its right are flagged.",
    "roc": "Each point on the curve is one threshold. The closer the curve hugs the top-left "
    "corner, the better the two kinds of beat are told apart; ◆ marks the current threshold.",
    "latent": "Every test beat squeezed into the bottleneck. Separate colour clusters mean the "
    "model learned what makes a beat different without ever being told the labels.",
}
STRATEGIES = (*metrics.THRESHOLD_STRATEGIES, "manual")
STRATEGY_LABELS = {**metrics.STRATEGY_LABELS, "manual": "Manual (slider)"}


# --- requests and phases -----------------------------------------------------------------------


def _training_lock() -> threading.Lock:
    return st.session_state.setdefault(LOCK_KEY, threading.Lock())


def wait_for_training_to_stop(timeout: float = 60.0) -> None:
    """Let an interrupted run finish its epoch before this run reads or trains the model.

    With ``runner.fastReruns`` a click starts the new run at once, while the old run is still
    inside ``model.fit`` until its next Streamlit call stops it: without this wait the new run
    would read a half-updated trainer, or train the same model from two threads.
    """
    lock = _training_lock()
    if lock.acquire(timeout=timeout):
        lock.release()


def take_request() -> str | None:
    """The button request of this full run; also drops a live run an interrupt left behind."""
    wait_for_training_to_stop()
    st.session_state.pop(LIVE_KEY, None)
    return st.session_state.pop(REQUEST_KEY, None)


def _request(action: str) -> None:
    st.session_state[REQUEST_KEY] = action


def _model_settings(spec: Spec) -> dict:
    # The step count only says how long the next run is; it does not change the model.
    settings = spec.to_dict()
    settings.pop("epochs")
    return settings


def is_stale(trainer: Trainer | None, spec: Spec) -> bool:
    return trainer is not None and _model_settings(trainer.spec) != _model_settings(spec)


def phase(trainer: Trainer | None, spec: Spec) -> str:
    """none | stale | diverged | new | paused | done."""
    if trainer is None:
        return "none"
    if trainer.status == DIVERGED:
        return "diverged"
    if is_stale(trainer, spec):
        return "stale"
    if trainer.epochs_done == 0:
        return "new"
    target = st.session_state.get(TARGET_KEY)
    if trainer.status == STOPPED and target and trainer.epochs_done < target:
        return "paused"
    return "done"


def warm(spec: Spec) -> None:
    """Compile the next model in the background while the person is still choosing."""
    trainer = get_trainer()
    if trainer is None or trainer.spec.architecture_key != spec.architecture_key:
        pool().request(spec, resources.ecg_data())


def build_trainer(spec: Spec) -> Trainer | None:
    """A fresh trainer for ``spec``, reusing compiled code where the architecture allows."""
    old = get_trainer()
    with st.spinner("Building the autoencoder…"):
        if old is not None and old.spec.architecture_key == spec.architecture_key:
            model = old.model
        else:
            # Waits if the background warm-up is compiling this very architecture.
            model = pool().take(spec)
        try:
            return Trainer.create(spec, resources.ecg_data(), model=model)
        except ValueError as exc:  # SpecError and impossible data compositions
            st.error(f"This model cannot be built: {exc}", icon="🚫")
            return None


def handle_request(request: str | None, spec: Spec) -> bool:
    """Act on a button request; True when the results panel should train in this run."""
    if request == "reset":
        trainer = build_trainer(spec)
        if trainer is not None:
            set_trainer(trainer)
            st.session_state.pop(TARGET_KEY, None)
        return False
    if request != "go":
        return False
    trainer = get_trainer()
    current = phase(trainer, spec)
    if current in ("none", "stale", "diverged"):
        trainer = build_trainer(spec)
        if trainer is None:
            return False
        set_trainer(trainer)
        current = "new"
    # Only the step count may differ here; keep the trainer's spec (saved with the model) exact.
    trainer.set_spec_epochs(spec)
    if current == "paused":
        target = int(st.session_state[TARGET_KEY])
    else:
        target = trainer.epochs_done + spec.epochs
    st.session_state[TARGET_KEY] = target
    st.session_state[LIVE_KEY] = target - trainer.epochs_done
    return True


# --- action bar --------------------------------------------------------------------------------


def _bar_keys() -> tuple[str, str]:
    generation = st.session_state.get(BAR_GENERATION_KEY, 0) % 2
    return f"train_go_{generation}", f"train_pause_{generation}"


def action_bar(spec: Spec, live: bool):
    """Train/Continue, Pause and Reset; returns the slots ``finish_live`` refreshes.

    A keyed widget of the previous run that this run has not drawn (yet) stays on screen,
    clickable, until the run ends, and a training run lasts seconds. So a run starts with the
    same keys the previous run ended with, and only enables or disables the buttons.
    """
    go, pause, reset, note = st.columns([2, 1.1, 1.1, 3.3], vertical_alignment="center")
    slots = (go.empty(), pause.empty(), note.empty())
    _fill_bar(slots, spec, live)
    reset.button(
        "↺ Reset",
        key="train_reset",
        on_click=_request,
        args=("reset",),
        width="stretch",
        help="Throw the learned weights away and rebuild the model from the settings above.",
    )
    return slots


def finish_live(slots, spec: Spec) -> None:
    """After a live run, Train comes back and Pause goes grey.

    A key can be drawn once per run, so the buttons switch to the other key pair; the next
    run starts from that pair, so nothing lingers.
    """
    st.session_state[BAR_GENERATION_KEY] = st.session_state.get(BAR_GENERATION_KEY, 0) + 1
    _fill_bar(slots, spec, live=False)


def _fill_bar(slots, spec: Spec, live: bool) -> None:
    go_slot, pause_slot, note_slot = slots
    go_key, pause_key = _bar_keys()
    trainer = get_trainer()
    current = phase(trainer, spec)
    if live:
        label = "⏳ Training…"
    elif current == "paused":
        label = f"▶ Continue to epoch {st.session_state[TARGET_KEY]}"
    elif current == "done":
        label = f"▶ Train {spec.epochs} more epochs"
    else:
        label = "▶ Train"
    go_slot.button(
        label,
        key=go_key,
        type="primary",
        on_click=_request,
        args=("go",),
        disabled=live,
        width="stretch",
        help="Run the chosen number of steps; the charts update live.",
    )
    pause_slot.button(
        "⏸ Pause",
        key=pause_key,
        on_click=_request,
        args=("pause",),
        disabled=not live,
        width="stretch",
        help="Stop after the current epoch. Continue picks up from the same weights.",
    )
    with note_slot.container():
        if live:
            st.caption("Training… Pause, or any change to a setting, stops after this epoch.")
        elif current == "stale" and trainer.epochs_done > 0:
            st.markdown(
                ":orange-badge[⚠️ Settings changed since this model was trained] "
                "Train will rebuild it."
            )
        elif current == "paused":
            st.caption("Paused. Continue trains on from the same weights.")
        elif current == "done":
            st.caption("Train more to continue from these weights, or Reset to start over.")
        elif current == "diverged":
            st.caption("This run diverged: Train rebuilds the model from the settings above.")
        else:
            st.caption("Train builds the model and shows it learning, epoch by epoch.")


# --- thresholds --------------------------------------------------------------------------------


def _strategy() -> str:
    return st.session_state.get(STRATEGY_KEY, "best_accuracy")


def _strategy_threshold(trainer: Trainer, strategy: str) -> float:
    if strategy == "manual":
        strategy = "best_accuracy"
    k = float(st.session_state.get(K_KEY, 2.0))
    q = float(st.session_state.get(Q_KEY, 95.0))
    return float(trainer.threshold(strategy, k=k, q=q))


def current_threshold(trainer: Trainer) -> float:
    """The chosen threshold, recomputed from the strategy whenever the model has changed."""
    state = (trainer.token, trainer.epochs_done)
    if st.session_state.get(THRESHOLD_FOR_KEY) != state or THRESHOLD_KEY not in st.session_state:
        if _strategy() == "manual":
            # A hand-picked value belonged to the previous model; start from the best one.
            st.session_state[STRATEGY_KEY] = "best_accuracy"
        st.session_state[THRESHOLD_KEY] = _strategy_threshold(trainer, _strategy())
        st.session_state[THRESHOLD_FOR_KEY] = state
    return float(st.session_state[THRESHOLD_KEY])


def _on_strategy() -> None:
    st.session_state[STRATEGY_KEY] = st.session_state["train_strategy_w"]
    for key in (K_KEY, Q_KEY):
        if f"{key}_w" in st.session_state:
            st.session_state[key] = st.session_state[f"{key}_w"]
    trainer = get_trainer()
    if trainer is not None and trainer.epochs_done and _strategy() != "manual":
        st.session_state[THRESHOLD_KEY] = _strategy_threshold(trainer, _strategy())


def _on_slider() -> None:
    st.session_state[THRESHOLD_KEY] = float(st.session_state["train_threshold_w"])
    st.session_state[STRATEGY_KEY] = "manual"


def _on_panels() -> None:
    st.session_state[SHOW_KEY] = list(st.session_state["train_show_w"] or [])


def _on_pca() -> None:
    st.session_state[PCA_KEY] = bool(st.session_state["train_pca_w"])


def _baseline(trainer: Trainer):
    """PCA reconstruction error on the same split, computed once per split and latent size."""
    s = trainer.spec
    key = (s.train_size, s.test_size, s.abnormal_pct, s.seed, s.latent)
    cached = st.session_state.get(PCA_CACHE_KEY)
    if cached is None or cached[0] != key:
        p = trainer.prepared
        cached = (
            key,
            metrics.pca_baseline(p.train_scaled, p.test_scaled, p.test_is_abnormal, s.latent),
        )
        st.session_state[PCA_CACHE_KEY] = cached
    return cached[1]


# --- drawing -----------------------------------------------------------------------------------


def _show(slot, chart, height: int | None = None) -> None:
    slot.vega_lite_chart(spec=charts.to_vega(chart, height), width="stretch")


def _grid(slot, chart) -> None:
    _show(slot, chart, GRID_HEIGHT)


def _roc(*args, **kwargs):
    chart = charts.roc_chart(*args, **kwargs)
    # Workaround: in the Streamlit theme the one-line vertical axis title is taller than the
    # plot, which squeezes the plot and pushes the chart title out of view; two lines fit.
    with contextlib.suppress(AttributeError):
        chart.layer[0].encoding.y.title = ["True positive rate", "(share of abnormal beats caught)"]
    return chart


def _confusion(m):
    # Workaround: the count colour scale and the per-cell text colour (scale=None) share the
    # colour channel, which makes Vega-Lite fail in the browser; resolving them apart fixes it.
    return charts.confusion_matrix_chart(m.tp, m.fp, m.tn, m.fn).resolve_scale(color="independent")


def draw_charts(slots: dict, trainer: Trainer, threshold: float, total: int, pca: bool) -> None:
    """Every chart of the grid from the trainer's history and last report."""
    report = trainer.last_report
    if report is None:
        return
    p = trainer.prepared
    y = p.test_is_abnormal
    errors = report.test_errors
    if "loss" in slots:
        _grid(
            slots["loss"],
            charts.loss_chart(trainer.epochs, trainer.loss, trainer.val_loss, total_epochs=total),
        )
    if "histogram" in slots:
        _grid(
            slots["histogram"],
            charts.error_histogram(
                errors,
                y,
                threshold=threshold,
                title=f"Reconstruction error of test beats · epoch {report.epoch}",
            ),
        )
    if "roc" in slots:
        roc = metrics.roc(y, errors)
        m = metrics.metrics_at(y, errors, threshold)
        baseline = None
        if pca:
            b = _baseline(trainer)
            baseline = (b.roc.fpr, b.roc.tpr, b.auc)
        _grid(
            slots["roc"],
            _roc(roc.fpr, roc.tpr, roc.auc, baseline=baseline, point=(m.fpr, m.tpr)),
        )
    if "latent" in slots:
        _grid(slots["latent"], charts.latent_scatter(report.latent, p.split.test_y))
        latent = np.asarray(report.latent, dtype=float)
        spread = float(np.ptp(latent, axis=0).max()) if latent.size else 0.0
        if spread < 1e-6:
            slots["latent_note"].warning(
                "Every beat lands on the same point: the bottleneck has collapsed (often ReLU "
                "units that all output zero). The decoder then rebuilds one average beat for "
                "any input, so detection only measures the distance from that average. Try "
                "wider layers, another activation or another seed.",
                icon="🫥",
            )
        else:
            slots["latent_note"].empty()


def _status_text(trainer: Trainer) -> str:
    run = trainer.runs[-1] if trainer.runs else None
    parts = [f"✅ Trained {trainer.epochs_done} epochs"]
    if run is not None and run.epochs_run:
        parts.append(f"last run {run.epochs_run} epochs in {run.seconds_total:.1f} s")
    if trainer.loss:
        parts.append(f"training loss {trainer.loss[-1]:.4f}")
    report = trainer.last_report
    if report is not None:
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
        return (
            "➖ The loss has barely moved: the model is stuck. This happens with plain SGD or "
            "Adadelta at small learning rates, or when a huge step throws the weights into a "
            "flat region. Try Adam, or another learning rate."
        )
    return None


def show_status(slot, trainer: Trainer | None, spec: Spec) -> None:
    with slot.container():
        error = st.session_state.get(RUN_ERROR_KEY)
        if error:
            st.error(error, icon="🚫")
        if trainer is None:
            return
        current = phase(trainer, spec)
        target = st.session_state.get(TARGET_KEY) or trainer.epochs_done
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


def _persisted(widget_key: str, key: str, default):
    """Seed a widget from its saved value (widget state is dropped when the page is left)."""
    value = st.session_state.get(key, default)
    st.session_state[widget_key] = value
    return value


def panel_toggles() -> list[str]:
    _persisted("train_show_w", SHOW_KEY, list(PANELS))
    shown = st.pills(
        "Show",
        list(PANELS),
        selection_mode="multi",
        format_func=PANELS.get,
        key="train_show_w",
        on_change=_on_panels,
        label_visibility="collapsed",
    )
    return list(shown or [])


def chart_grid(shown: list[str]) -> dict:
    """Placeholders for the live charts, two per row, each with its one-line reading guide."""
    names = [n for n in GRID if n in shown]
    slots = {}
    for start in range(0, len(names), 2):
        cols = st.columns(2, gap="large")
        for col, name in zip(cols, names[start : start + 2], strict=False):
            with col, st.container(border=True):
                slots[name] = st.empty()
                st.caption(LOOK_FOR[name])
                if name == "latent":
                    slots["latent_note"] = st.empty()
                if name == "roc":
                    _persisted("train_pca_w", PCA_KEY, True)
                    st.toggle(
                        "Compare with a PCA baseline",
                        key="train_pca_w",
                        on_change=_on_pca,
                        help=(
                            "PCA with as many components as the bottleneck: a much simpler "
                            "model. If it does as well, the autoencoder is not earning its keep."
                        ),
                    )
    return slots


# --- live training -----------------------------------------------------------------------------


def run_live(trainer: Trainer, epochs: int, status, slots: dict, tiles_slot, pca: bool):
    """Train ``epochs`` more epochs, updating the progress every epoch and charts every so often."""
    p = trainer.prepared
    y = p.test_is_abnormal
    strategy = _strategy() if _strategy() != "manual" else "best_accuracy"
    start = time.perf_counter()
    next_draw = start + REDRAW_SECONDS
    epoch_seconds = None  # a running average of one epoch, not counting the drawing
    last_epoch_end = start
    last_progress = -math.inf
    status.progress(
        trainer.epochs_done / (trainer.epochs_done + epochs),
        text=f"Starting · epoch {trainer.epochs_done} of {trainer.epochs_done + epochs}",
    )

    def on_epoch(report) -> None:
        nonlocal next_draw, epoch_seconds, last_epoch_end, last_progress
        now = time.perf_counter()
        took = now - last_epoch_end
        epoch_seconds = took if epoch_seconds is None else 0.5 * (epoch_seconds + took)
        remaining = (report.target_epoch - report.epoch) * epoch_seconds
        # Every epoch, but at most one progress message per PROGRESS_SECONDS: on a fast model
        # epochs end every 15 ms, and each message costs the browser a repaint.
        if report.epoch == report.target_epoch or now - last_progress >= PROGRESS_SECONDS:
            last_progress = now
            status.progress(
                report.epoch / report.target_epoch,
                text=(
                    f"Training · epoch {report.epoch} of {report.target_epoch} · "
                    f"{report.seconds:.1f} s"
                ),
            )
        last_epoch_end = time.perf_counter()
        # Redraw at most every REDRAW_SECONDS, and not when the run ends within two of them
        # anyway: the last epoch is drawn right after the run, with the evaluation, and a
        # redraw costs about as long as the rest of a short run.
        if now < next_draw or remaining < 2 * REDRAW_SECONDS:
            return
        started = time.perf_counter()
        threshold = _strategy_threshold(trainer, strategy)
        draw_charts(slots, trainer, threshold, report.target_epoch, pca)

        if tiles_slot is not None:
            m = metrics.metrics_at(y, report.test_errors, threshold)
            with tiles_slot.container():
                st.subheader("④ Evaluate: where to draw the line")
                st.caption(
                    f"Live, at the {STRATEGY_LABELS[strategy].split(' (')[0].lower()} threshold. "
                    "The threshold slider appears when training stops."
                )
                metric_tiles(m, metrics.auc(y, report.test_errors))
        # On a busy host a redraw can cost more than the interval: then training gets at least
        # as much time as drawing.
        done = time.perf_counter()
        next_draw = done + max(REDRAW_SECONDS, done - started)
        last_epoch_end = done

    st.session_state.pop(RUN_ERROR_KEY, None)
    try:
        with _training_lock():
            trainer.train(epochs, on_epoch=on_epoch)
    except Exception as exc:  # noqa: BLE001 - interrupts are BaseException and pass through
        # Kept in the session: the page reruns right after a live run.
        st.session_state[RUN_ERROR_KEY] = f"Training stopped with an unexpected error: {exc}"


# --- evaluation --------------------------------------------------------------------------------


def _slider_range(errors: np.ndarray, threshold: float) -> tuple[float, float, float, str]:
    hi = float(max(np.max(errors), threshold)) * 1.02
    lo = 0.0
    if not hi > lo:
        hi = 1.0
    decimals = max(3, 3 - math.floor(math.log10(hi)))
    return lo, hi, (hi - lo) / 500, f"%.{decimals}f"


def evaluation(trainer: Trainer, threshold: float) -> None:
    p = trainer.prepared
    y = p.test_is_abnormal
    errors = trainer.last_report.test_errors
    st.subheader("④ Evaluate: where to draw the line")
    st.caption(
        "A beat is flagged abnormal when its reconstruction error is above the threshold. "
        "Moving it trades missed abnormal beats against false alarms; no retraining needed."
    )
    choose, slide = st.columns([1, 2], gap="large")
    with choose:
        _persisted("train_strategy_w", STRATEGY_KEY, "best_accuracy")
        strategy = st.selectbox(
            "Threshold strategy",
            STRATEGIES,
            key="train_strategy_w",
            format_func=STRATEGY_LABELS.get,
            on_change=_on_strategy,
            help=(
                "With labels, pick the threshold that scores best on the test beats. Without "
                "labels, use the spread of the training errors."
            ),
        )
        if strategy == "mean_std":
            _persisted(f"{K_KEY}_w", K_KEY, 2.0)
            st.number_input(
                "k (standard deviations)",
                min_value=0.0,
                max_value=10.0,
                step=0.5,
                key=f"{K_KEY}_w",
                on_change=_on_strategy,
            )
        elif strategy == "percentile":
            _persisted(f"{Q_KEY}_w", Q_KEY, 95.0)
            st.number_input(
                "Percentile of training errors",
                min_value=50.0,
                max_value=100.0,
                step=0.5,
                key=f"{Q_KEY}_w",
                on_change=_on_strategy,
            )
    with slide:
        lo, hi, step, fmt_ = _slider_range(errors, threshold)
        st.session_state["train_threshold_w"] = min(max(threshold, lo), hi)
        st.slider(
            "Threshold (reconstruction error)",
            min_value=lo,
            max_value=hi,
            step=step,
            format=fmt_,
            key="train_threshold_w",
            on_change=_on_slider,
            help="Drag, or click the handle and use the arrow keys for fine steps.",
        )
    m = metrics.metrics_at(y, errors, threshold)
    flagged = m.tp + m.fp
    st.caption(
        f"**{flagged} of {len(errors)}** test beats flagged · {confusion_caption(m)}. "
        "Arrows on the tiles show the change since the previous threshold."
    )
    metric_tiles(m, metrics.auc(y, errors), previous=_previous_metrics(trainer, threshold))
    left, right = st.columns(2, gap="large")
    with left:
        _show(st, _confusion(m))
    with right:
        rates = metrics.per_class_detection(p.split.test_y, errors, threshold)
        _show(st, charts.per_class_chart(rates, metrics.class_counts(p.split.test_y)))


def _previous_metrics(trainer: Trainer, threshold: float):
    """Metrics at the threshold shown before this one (for the tiles' deltas)."""
    state = (trainer.token, trainer.epochs_done)
    saved = st.session_state.get(TILES_KEY)
    if saved is None or saved[0] != state:
        saved = (state, None, threshold)
    _, previous, shown = saved
    if threshold != shown:
        previous, shown = shown, threshold
    st.session_state[TILES_KEY] = (state, previous, shown)
    if previous is None:
        return None
    errors = trainer.last_report.test_errors
    return metrics.metrics_at(trainer.prepared.test_is_abnormal, errors, previous)


def model_bytes(
    trainer: Trainer, threshold: float, info: dict | None = None, lock: threading.Lock | None = None
) -> bytes:
    """The trained model as one .keras file (scaler, threshold and spec inside).

    ``lock`` is the session's training lock: the download runs in its own thread, and saving
    weights that a new run is updating would write a half-trained model.
    """
    with lock or contextlib.nullcontext(), tempfile.TemporaryDirectory() as tmp:
        detector = trainer.detector(threshold, info)
        path = save_detector(detector, Path(tmp) / "anomagram-model.keras")
        return path.read_bytes()


def export(trainer: Trainer, threshold: float) -> None:
    lock = _training_lock()
    info = {
        "threshold_strategy": STRATEGY_LABELS.get(_strategy(), _strategy()),
        "auc": metrics.auc(trainer.prepared.test_is_abnormal, trainer.last_report.test_errors),
        "source": "Anomagram Train page",
    }
    button, text = st.columns([1.3, 4], vertical_alignment="center")
    button.download_button(
        "⬇️ Download model (.keras)",
        data=lambda: model_bytes(trainer, threshold, info, lock),
        file_name="anomagram-model.keras",
        mime="application/octet-stream",
        key="train_download",
        on_click="ignore",
        width="stretch",
    )
    text.caption(
        f"One file with the weights, the scaling, the spec and the threshold "
        f"({threshold:.4g}). Load it on the Score page, or in Python with "
        "`anomagram.model.load_detector`."
    )


# --- the panel ---------------------------------------------------------------------------------


@st.fragment
def results_panel() -> None:
    """Status, toggles, the 2x2 chart grid and the evaluation; trains here when asked to."""
    wait_for_training_to_stop()
    spec = get_spec()
    trainer = get_trainer()
    live_epochs = st.session_state.pop(LIVE_KEY, None)
    status = st.empty()
    has_results = trainer is not None and trainer.last_report is not None
    if not live_epochs and not has_results:
        show_status(status, trainer, spec)
        if trainer is not None and trainer.status == DIVERGED:
            return
        st.info(
            "No trained model yet. Press **▶ Train**: the loss, the error histogram, the ROC "
            "curve and the bottleneck fill in live, epoch by epoch.",
            icon="👆",
        )
        return

    shown = panel_toggles()
    slots = chart_grid(shown)
    pca = bool(st.session_state.get(PCA_KEY, True))
    # Two slots: the evaluation (with widgets) is emptied while training, so no stale slider
    # or download button stays clickable mid-run; live tiles go in the second one.
    evaluation_slot, live_slot = st.empty(), st.empty()
    if live_epochs and trainer is not None:
        evaluation_slot.empty()
        run_live(
            trainer, int(live_epochs), status, slots, live_slot if "metrics" in shown else None, pca
        )
        live_slot.empty()
        trainer = get_trainer()

    if trainer.last_report is not None:
        threshold = current_threshold(trainer)
        total = max(st.session_state.get(TARGET_KEY) or 0, trainer.epochs_done)
        draw_charts(slots, trainer, threshold, total, pca)
        with evaluation_slot.container():
            if "metrics" in shown:
                evaluation(trainer, threshold)
            export(trainer, threshold)
    # Filled last, so "Trained N epochs" appears once everything below is drawn.
    show_status(status, trainer, spec)
