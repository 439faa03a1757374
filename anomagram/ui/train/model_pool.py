"""Warm, compiled models kept ready for the Train page.

A new Keras model pays XLA compilation on its first epoch (about a second, several on a busy
host). While a person is still reading the page or editing the composer, one background worker
builds a model of the current architecture and trains it for one epoch, which compiles the
train step and the report probe. When Train is clicked the page takes that spare and
``Trainer.create(..., model=spare)`` gives it fresh seeded weights, so the run starts compiled.

Spares are process-wide (any session may take one) but each is handed out once: a model in a
session is never shared. One worker compiles one model at a time and then only the latest
wish, so stepping a layer from 7 to 12 units compiles two models, not six. A click waits for a
spare only while the worker is compiling that very architecture. Spares wait in the
process-wide pool of ``anomagram.compiled``, which bounds them together with the sweeps' models.
"""

from __future__ import annotations

import threading

from anomagram import compiled, scheduler
from anomagram.data import Dataset
from anomagram.spec import Spec

WAIT_SECONDS = 60.0


def compile_spare(spec: Spec, ecg: Dataset | None):
    """A model of ``spec``'s architecture whose train step and report probe are compiled."""
    from anomagram.training import Trainer

    trainer = Trainer.create(spec, ecg)
    trainer.train(1)
    _warm_charts(trainer)
    return trainer.model


class ModelPool:
    def __init__(self, models: compiled.CompiledPool | None = None, compile_fn=compile_spare):
        self.models = compiled.CompiledPool() if models is None else models
        self._compile = compile_fn
        self._cond = threading.Condition()
        self._wanted: tuple[Spec, Dataset | None] | None = None
        self._busy: tuple | None = None  # the architecture being compiled right now
        self._worker: threading.Thread | None = None

    def request(self, spec: Spec, ecg: Dataset | None = None) -> None:
        """Compile a spare for ``spec``'s architecture in the background, if none is ready."""
        key = spec.architecture_key
        with self._cond:
            if key in self.models or key == self._busy:
                return
            self._wanted = (spec, ecg)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._work, name="anomagram-train-warm", daemon=True
                )
                self._worker.start()

    def take(self, spec: Spec, wait: float = WAIT_SECONDS):
        """A compiled spare for ``spec``'s architecture, or None.

        Waits (at most ``wait`` seconds) only while this architecture is being compiled.
        """
        key = spec.architecture_key
        with self._cond:
            # A wish for this architecture that is still queued is withdrawn and the caller
            # builds its own model now: with many sessions on two cores, waiting in line for
            # the one worker cost each of them up to a minute before its compilation began.
            if self._wanted is not None and self._wanted[0].architecture_key == key:
                self._wanted = None
            self._cond.wait_for(lambda: self._busy != key, timeout=wait)
            return self.models.take(key)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until the worker has nothing left to compile; True if it is idle.

        For a process about to exit (a test session): XLA aborts the interpreter when a
        compilation is still running in a daemon thread as it shuts down."""
        with self._cond:
            worker = self._worker
        if worker is not None:
            worker.join(timeout)
        return worker is None or not worker.is_alive()

    def ready(self, spec: Spec) -> bool:
        with self._cond:
            return spec.architecture_key in self.models

    def _work(self) -> None:
        _after_app_warm_up()
        while True:
            with self._cond:
                wish, self._wanted = self._wanted, None
                if wish is None:
                    return
                spec, ecg = wish
                key = spec.architecture_key
                if key in self.models:
                    continue
                self._busy = key
            model = None
            # A warm-up trains too, but only on a trainer nobody wants: on a busy server it is
            # skipped (the click compiles its own model, in line) rather than queued.
            slot = scheduler.shared().ticket(priority=scheduler.BACKGROUND, name="warm-up")
            try:
                if slot.try_acquire():
                    model = self._compile(spec, ecg)
            except Exception:  # noqa: BLE001 - a failed warm-up only means a slower first click
                model = None
            finally:
                slot.release()
                with self._cond:
                    if model is not None:
                        self.models.put(key, model)
                    self._busy = None
                    self._cond.notify_all()


def _warm_charts(trainer) -> None:
    """Build the live charts once: the first draw of a process otherwise pays for importing
    scikit-learn (ROC, PCA) and for Altair's first conversions, seconds on a busy host."""
    from anomagram import baselines, charts, metrics

    report = trainer.last_report
    p = trainer.prepared
    y = p.test_is_abnormal
    roc = metrics.roc(y, report.test_errors)
    baseline = metrics.pca_baseline(p.train_scaled[:200], p.test_scaled, y, trainer.spec.latent)
    m = metrics.metrics_at(y, report.test_errors, float(report.test_errors.mean()))
    for chart in (
        charts.loss_chart(trainer.epochs, trainer.loss, trainer.val_loss),
        charts.error_histogram(report.test_errors, y, threshold=m.threshold),
        charts.roc_chart(
            roc.fpr, roc.tpr, roc.auc, baseline=(baseline.roc.fpr, baseline.roc.tpr, baseline.auc)
        ),
        charts.latent_scatter(report.latent, p.split.test_y),
        charts.confusion_matrix_chart(m.tp, m.fp, m.tn, m.fn),
        charts.per_class_chart(
            metrics.per_class_detection(p.split.test_y, report.test_errors, m.threshold)
        ),
        # The comparison panel's chart, drawn right after the first run's final frame.
        charts.leaderboard_chart(baselines.leaderboard(0.5, {"pca": baseline.auc})),
    ):
        chart.to_dict(validate=False)


def _after_app_warm_up() -> None:
    """Let the app's own warm-up (Keras import, pretrained model, on-disk compilation cache of
    the default spec) finish first: on two cores, compiling side by side only slows both."""
    for thread in threading.enumerate():
        if thread.name == "anomagram-warm-up" and thread is not threading.current_thread():
            thread.join(WAIT_SECONDS)


_pool: ModelPool | None = None
_pool_lock = threading.Lock()


def pool() -> ModelPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ModelPool(compiled.pool())
        return _pool
