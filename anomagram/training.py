"""Epoch-by-epoch training with a report after every epoch.

A ``Trainer`` owns one model, its data and its whole history, so a caller (a Streamlit page,
the CLI, a sweep) can run some epochs, stop, and continue later with the epoch count going on,
as Anomagram's cumulative "steps" do. After each epoch a ``EpochReport`` goes to a
caller-supplied function, which may return ``False`` to stop after that epoch.
"""

from __future__ import annotations

import ctypes
import functools
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from anomagram import compiled, metrics, sources
from anomagram.backend import keras_module
from anomagram.data import Dataset, MinMaxScaler, Split
from anomagram.inference import probe
from anomagram.model import Detector, build_autoencoder, reinitialize
from anomagram.scheduler import Stopped, Ticket
from anomagram.spec import Spec

COMPLETED, STOPPED, DIVERGED = "completed", "stopped", "diverged"
# Beats are scaled to [0, 1], so a reconstruction MSE past this is no longer learning anything:
# treat it like NaN instead of drawing charts with a y axis of 1e30.
DIVERGENCE_LOSS = 1e6
# Threshold strategies that read the test labels; unlabelled data uses training errors instead.
LABEL_STRATEGIES = ("best_accuracy", "best_f1")


@dataclass(frozen=True)
class Prepared:
    """A composed split plus its scaler, fitted on the training beats only."""

    split: Split
    scaler: MinMaxScaler
    train_scaled: np.ndarray
    test_scaled: np.ndarray
    dataset: Dataset

    @property
    def test_is_abnormal(self) -> np.ndarray:
        return self.dataset.is_abnormal(self.split.test_y)

    @property
    def labelled(self) -> bool:
        """Whether anything is known to be abnormal: without labels there is no AUC or ROC."""
        return self.dataset.labelled


def prepare(spec: Spec, data: Dataset | None = None) -> Prepared:
    """The split and scaling ``spec`` describes, of ``data`` (default: the dataset it names)."""
    data = sources.load(spec) if data is None else data
    if spec.length != data.length:
        raise ValueError(
            f"The spec's beats have {spec.length} samples, {data.name}'s {data.length}; "
            "use sources.for_data(spec, data)."
        )
    split = sources.split_for(spec, data)
    scaler = MinMaxScaler.fit(split.train_x)
    return Prepared(
        split, scaler, scaler.transform(split.train_x), scaler.transform(split.test_x), data
    )


@dataclass(frozen=True)
class EpochReport:
    epoch: int  # cumulative over continued runs, 1-based
    target_epoch: int  # the epoch the current run ends at if not stopped
    loss: float  # training loss (MSE plus any regularization penalty)
    val_loss: float  # mean reconstruction MSE of the test beats
    test_errors: np.ndarray  # (test_size,) per-beat MSE
    latent: np.ndarray  # (test_size, latent)
    seconds: float  # since the start of this run


@dataclass
class RunResult:
    status: str  # completed | stopped | diverged
    epochs_run: int
    seconds_total: float
    seconds_first_epoch: float  # includes compilation on a fresh model
    seconds_per_epoch: float  # median of the later epochs
    message: str = ""

    @property
    def seconds_compile(self) -> float:
        """Estimate: what the first epoch took beyond an ordinary one."""
        return max(self.seconds_first_epoch - self.seconds_per_epoch, 0.0)


@functools.cache
def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): nothing to trim
        return None


def release_memory() -> None:
    """Hand freed heap pages back to the OS.

    glibc keeps the heap a new model's compilation frees (about 10 MB each), so without this a
    long-running server grows with every new model as if it leaked.
    """
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


@functools.cache
def _batches_class():
    """Defined lazily so importing this module does not import Keras."""
    keras = keras_module()

    class Batches(keras.utils.PyDataset):
        """Full batches only, reshuffled every epoch.

        A last partial batch has another shape, which makes JAX compile the train step a second
        time; topping it up with other random beats of the same set keeps one shape. Every beat
        is still seen every epoch.
        """

        def __init__(self, x: np.ndarray, batch_size: int, seed: int):
            super().__init__()
            self.x = x
            self.batch_size = min(batch_size, len(x))
            self.steps = -(-len(x) // self.batch_size)
            self.rng = np.random.default_rng(seed)
            self.on_epoch_end()

        def __len__(self):
            return self.steps

        def on_epoch_end(self):
            n = len(self.x)
            order = self.rng.permutation(n)
            extra = self.steps * self.batch_size - n
            self.order = np.concatenate([order, self.rng.choice(n, extra, replace=False)])

        def __getitem__(self, i):
            batch = self.x[self.order[i * self.batch_size : (i + 1) * self.batch_size]]
            return batch, batch

    return Batches


@functools.cache
def _epoch_end_class():
    """Defined lazily so importing this module does not import Keras."""
    keras = keras_module()

    class EpochEnd(keras.callbacks.Callback):
        """After every epoch: score the test beats, catch divergence, report, maybe stop.

        When ``fit`` returns, ``status`` is COMPLETED, STOPPED or DIVERGED, ``last_good`` holds
        the weights of the last finite epoch and ``epoch_times`` the seconds of every epoch.
        """

        def __init__(
            self,
            trainer: Trainer,
            target: int,
            on_epoch: Callable[[EpochReport], bool | None] | None,
            t0: float,
        ):
            super().__init__()
            self.trainer = trainer
            self.target = target
            self.on_epoch = on_epoch
            self.t0 = t0
            self.status = COMPLETED
            self.last_good = [np.array(v) for v in trainer.model.weights]
            self.epoch_times: list[float] = []
            self.epoch_start = t0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            trainer = self.trainer
            loss = float((logs or {}).get("loss", math.nan))
            latent, _, errors = probe(trainer.model, trainer.prepared.test_scaled)
            self.epoch_times.append(time.perf_counter() - self.epoch_start)
            finite = math.isfinite(loss) and np.isfinite(errors).all()
            if not finite or loss > DIVERGENCE_LOSS or errors.mean() > DIVERGENCE_LOSS:
                self.status = DIVERGED
                self.model.stop_training = True
                return
            # A host copy: the train step donates its device buffers, so a reference to them
            # would be deleted by the next step.
            self.last_good = [np.array(v.value) for v in trainer.model.weights]
            report = EpochReport(
                epoch + 1,
                self.target,
                loss,
                float(errors.mean()),
                errors,
                latent,
                time.perf_counter() - self.t0,
            )
            trainer._remember(report)
            if self.on_epoch is not None and self.on_epoch(report) is False:
                self.status = STOPPED
                self.model.stop_training = True

    return EpochEnd


@functools.cache
def _hold_slot_class():
    """Defined lazily so importing this module does not import Keras."""
    keras = keras_module()

    class HoldSlot(keras.callbacks.Callback):
        """Trains only while holding a scheduler slot (see ``anomagram.scheduler``).

        The slot is taken when an epoch begins; between steps the scheduler may hand it to a
        run that should go first. A ticket that ``pauses`` gives it back when the epoch ends,
        before the report is drawn and the frame paced. Only a batch *begin* hook is used: an
        ``on_train_batch_end`` would make Keras wait for every step's logs instead of
        dispatching the next step at once.
        """

        def __init__(self, slot: Ticket):
            super().__init__()
            self.slot = slot
            self.in_epoch = False  # an interruption now leaves a partly trained epoch

        def on_epoch_begin(self, epoch, logs=None):
            self.slot.acquire()
            self.in_epoch = True

        def on_train_batch_begin(self, batch, logs=None):
            self.slot.checkpoint(self._finish_queued_steps)

        def on_epoch_end(self, epoch, logs=None):
            self.in_epoch = False
            if self.slot.pauses:
                self.slot.release()

        def _finish_queued_steps(self):
            # JAX dispatches steps asynchronously: wait for the ones queued, so the slot given
            # back is really free. Syncing the state is how Keras lets a callback read it.
            self.model.jax_state_sync()
            np.asarray(self.model.trainable_variables[-1].value)

    return HoldSlot


@dataclass
class Trainer:
    """One model, its data and its history; the unit a UI keeps in its session."""

    spec: Spec
    prepared: Prepared
    model: object = None
    epochs_done: int = 0
    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    error_history: list[np.ndarray] = field(default_factory=list)  # test errors per epoch
    last_report: EpochReport | None = None
    status: str = "new"  # new | completed | stopped | diverged
    message: str = ""
    runs: list[RunResult] = field(default_factory=list)
    # A stable identity for callers that keep per-model state (``id`` is reused once freed).
    token: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def create(cls, spec: Spec, ecg: Dataset | None = None, model=None) -> Trainer:
        """A fresh trainer on ``ecg`` (default: the dataset the spec names); pass ``model``
        (same architecture) to reuse its compiled code. The spec takes the data's length."""
        if ecg is not None:
            spec = sources.for_data(spec, ecg)
        prepared = prepare(spec, ecg)
        if model is None:
            model = build_autoencoder(spec)
        else:
            reinitialize(model, spec)
        return cls(spec, prepared, model)

    def set_spec_epochs(self, spec: Spec) -> None:
        """Adopt ``spec`` for the next run; it may differ from the model's spec only in epochs.

        The step count says how long the next run is, not what the model is, so a page can
        change it between runs and the model saved afterwards still carries its exact spec.
        """
        if spec.replace(epochs=self.spec.epochs) != self.spec:
            raise ValueError("Only the number of epochs can change for a model being trained.")
        self.spec = spec

    # --- training ------------------------------------------------------------------------------

    def untrained_report(self) -> EpochReport:
        """Epoch 0: how the freshly initialised model does (the replay's starting point)."""
        latent, _, errors = probe(self.model, self.prepared.test_scaled)
        return EpochReport(0, 0, math.nan, float(errors.mean()), errors, latent, 0.0)

    def train(
        self,
        epochs: int | None = None,
        on_epoch: Callable[[EpochReport], bool | None] | None = None,
        slot: Ticket | None = None,
    ) -> RunResult:
        """Train ``epochs`` more epochs (default: the spec's), reporting after each one.

        With a ``slot`` (a ``scheduler.Ticket``), each epoch trains only while holding one of
        the server's trainer slots; the slot's ``stop()`` ends the run like ``on_epoch``
        returning False.
        """
        if self.status == DIVERGED:
            return self._record(RunResult(DIVERGED, 0, 0.0, 0.0, 0.0, self.message))
        epochs = self.spec.epochs if epochs is None else int(epochs)
        start = self.epochs_done
        target = start + epochs
        t0 = time.perf_counter()
        epoch_end = _epoch_end_class()(self, target, on_epoch, t0)
        callbacks = [epoch_end]
        hold = None
        if slot is not None:
            hold = _hold_slot_class()(slot)
            callbacks.insert(0, hold)  # first: a pausing run gives its slot back before the report
        seed = self.spec.seed * 1000 + start
        batches = _batches_class()(self.prepared.train_scaled, self.spec.batch_size, seed)
        try:
            # compiled.training: JAX's caches are not cleared under a running fit.
            with np.errstate(all="ignore"), compiled.training():
                self.model.fit(
                    batches,
                    epochs=target,
                    initial_epoch=start,
                    verbose=0,
                    shuffle=False,  # Keras would reorder batches with the unseeded `random`
                    callbacks=callbacks,
                )
        except Stopped:
            # Asked to stop while waiting for, or holding, a trainer: a stop like any other.
            epoch_end.status = STOPPED
            if hold.in_epoch:
                self._roll_back(epoch_end.last_good)
        except BaseException:
            # Interrupted from outside (a Streamlit rerun, Ctrl-C): the epochs reported so far
            # are kept and the model is synced by Keras, so training can continue from here
            # (from the last whole epoch, if a wait for a trainer interrupted one).
            if hold is not None and hold.in_epoch:
                self._roll_back(epoch_end.last_good)
            self._record(
                RunResult(STOPPED, self.epochs_done - start, time.perf_counter() - t0, 0.0, 0.0)
            )
            raise
        finally:
            if slot is not None:
                slot.release()
        total = time.perf_counter() - t0
        release_memory()
        message = ""
        if epoch_end.status == DIVERGED:
            self._roll_back(epoch_end.last_good)
            message = (
                f"Training diverged at epoch {self.epochs_done + 1}: the loss became huge, "
                "infinite or NaN. The model was rolled back to its last finite epoch. "
                "Try a smaller learning rate or another optimizer."
            )
        epoch_times = epoch_end.epoch_times
        later = epoch_times[1:]
        result = RunResult(
            epoch_end.status,
            self.epochs_done - start,
            total,
            epoch_times[0] if epoch_times else 0.0,
            float(np.median(later)) if later else 0.0,
            message,
        )
        return self._record(result)

    def _roll_back(self, weights: list[np.ndarray]) -> None:
        for variable, value in zip(self.model.weights, weights, strict=True):
            variable.assign(value)

    def _remember(self, report: EpochReport) -> None:
        self.epochs_done = report.epoch
        self.loss.append(report.loss)
        self.val_loss.append(report.val_loss)
        self.error_history.append(report.test_errors.astype(np.float32))
        self.last_report = report

    def _record(self, result: RunResult) -> RunResult:
        self.runs.append(result)
        self.status = result.status
        self.message = result.message
        return result

    # --- results -------------------------------------------------------------------------------

    @property
    def epochs(self) -> list[int]:
        return list(range(1, self.epochs_done + 1))

    def test_errors(self) -> np.ndarray:
        if self.last_report is not None:
            return self.last_report.test_errors
        return self.untrained_report().test_errors

    def train_errors(self) -> np.ndarray:
        _, _, errors = probe(self.model, self.prepared.train_scaled)
        return errors

    def strategy_for(self, strategy: str) -> str:
        """``strategy``, or the 95th percentile of training errors where it needs labels the
        data does not have (best accuracy without a single abnormal beat flags nothing)."""
        if strategy in LABEL_STRATEGIES and not self.prepared.labelled:
            return "percentile"
        return strategy

    def threshold(self, strategy: str = "best_accuracy", *, k: float = 2.0, q: float = 95.0):
        strategy = self.strategy_for(strategy)
        train_errors = self.train_errors() if strategy in ("mean_std", "percentile") else None
        return metrics.choose_threshold(
            strategy,
            test_errors=self.test_errors(),
            test_is_abnormal=self.prepared.test_is_abnormal,
            train_errors=train_errors,
            k=k,
            q=q,
        )

    def detector(self, threshold: float, info: dict | None = None) -> Detector:
        # The rows it learnt from: a small dataset gives fewer than the spec's train_size.
        info = {
            "epochs": self.epochs_done,
            "train_rows": len(self.prepared.split.train_y),
            **(info or {}),
        }
        return Detector(
            self.model,
            self.prepared.scaler,
            float(threshold),
            self.spec,
            info,
            dataset=sources.describe(self.prepared.dataset),  # saved with the model
        )


def evaluate(trainer: Trainer, strategy: str = "best_accuracy") -> dict:
    """Everything the CLI reports about a trained model, as plain JSON-ready values."""
    p = trainer.prepared
    errors = trainer.test_errors()
    y = p.test_is_abnormal
    strategy = trainer.strategy_for(strategy)
    threshold = trainer.threshold(strategy)
    m = metrics.metrics_at(y, errors, threshold)
    baseline = metrics.pca_baseline(p.train_scaled, p.test_scaled, y, trainer.spec.latent)
    return {
        "auc": metrics.auc(y, errors),
        "threshold": threshold,
        "threshold_strategy": strategy,
        **{
            key: getattr(m, key)
            for key in ("accuracy", "precision", "recall", "f1", "tpr", "tnr", "fpr", "fnr")
        },
        "confusion": {"tp": m.tp, "fp": m.fp, "tn": m.tn, "fn": m.fn},
        "per_class": {
            str(c): r
            for c, r in metrics.per_class_detection(
                p.split.test_y, errors, threshold, sorted(p.dataset.counts)
            ).items()
        },
        "baseline_pca_auc": baseline.auc,
    }
