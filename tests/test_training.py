import contextlib
import logging

import numpy as np
import pytest
from common import SMALL

from anomagram.spec import Spec
from anomagram.training import Trainer, evaluate


def test_reports_every_epoch_with_all_fields(ecg):
    trainer = Trainer.create(SMALL, ecg)
    reports = []
    result = trainer.train(on_epoch=reports.append)
    assert result.status == "completed" and result.epochs_run == 3
    assert [r.epoch for r in reports] == [1, 2, 3]
    last = reports[-1]
    assert last.target_epoch == 3
    assert last.test_errors.shape == (100,) and last.latent.shape == (100, 2)
    assert np.isfinite(last.loss) and last.val_loss == pytest.approx(last.test_errors.mean())
    assert reports[0].seconds <= last.seconds
    assert trainer.loss == [r.loss for r in reports]
    assert len(trainer.error_history) == 3


def test_callback_can_stop_and_continue_keeps_counting(ecg):
    trainer = Trainer.create(SMALL.replace(epochs=5), ecg)
    result = trainer.train(on_epoch=lambda r: r.epoch < 2)
    assert result.status == "stopped" and trainer.epochs_done == 2
    weights = [w.copy() for w in trainer.model.get_weights()]
    seen = []
    trainer.train(3, on_epoch=lambda r: seen.append(r.epoch))
    assert seen == [3, 4, 5] and trainer.epochs_done == 5
    assert not np.array_equal(weights[0], trainer.model.get_weights()[0])
    assert len(trainer.loss) == 5


def test_training_lowers_the_loss(small_trainer):
    assert small_trainer.loss[-1] < small_trainer.loss[0]
    assert small_trainer.val_loss[-1] < small_trainer.val_loss[0]


def test_divergence_is_a_status_not_an_exception(ecg):
    spec = SMALL.replace(
        optimizer="momentum",
        learning_rate=10.0,
        activation="elu",
        output_activation="linear",
        epochs=10,
    )
    trainer = Trainer.create(spec, ecg)
    result = trainer.train()
    assert result.status == "diverged"
    assert "diverged" in result.message and "learning rate" in result.message
    assert all(np.isfinite(trainer.loss)) and all(np.isfinite(trainer.val_loss))
    # rolled back to the last finite weights: the model still scores
    assert all(np.isfinite(w).all() for w in trainer.model.get_weights())
    assert trainer.train().status == "diverged"  # stays diverged until rebuilt


def test_reuse_of_a_compiled_model_matches_a_fresh_build(ecg):
    first = Trainer.create(SMALL, ecg)
    first.train()
    spec = SMALL.replace(seed=5)
    reused = Trainer.create(spec, ecg, model=first.model)
    fresh = Trainer.create(spec, ecg)
    for a, b in zip(reused.model.get_weights(), fresh.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    reused.train()
    fresh.train()
    np.testing.assert_array_equal(reused.loss, fresh.loss)  # same seed, same numbers


def test_evaluate_summary(small_trainer):
    out = evaluate(small_trainer)
    assert 0 <= out["auc"] <= 1 and 0 <= out["accuracy"] <= 1
    assert set(out["per_class"]) == {"1", "2", "3", "4", "5"}
    c = out["confusion"]
    assert c["tp"] + c["fp"] + c["tn"] + c["fn"] == 100
    assert out["baseline_pca_auc"] > 0.5


@pytest.mark.parametrize("strategy", ["best_accuracy", "best_f1", "mean_std", "percentile"])
def test_threshold_strategies_on_a_trainer(small_trainer, strategy):
    t = small_trainer.threshold(strategy)
    assert np.isfinite(t) and t > 0


def test_default_spec_reaches_auc_095(ecg):
    trainer = Trainer.create(Spec(seed=0), ecg)
    trainer.train()
    assert evaluate(trainer)["auc"] >= 0.95


@contextlib.contextmanager
def compile_log():
    """Collect the names of the XLA programs JAX compiles inside the block."""
    import jax

    messages = []

    class Collect(logging.Handler):
        def emit(self, record):
            if record.getMessage().startswith("Compiling"):
                messages.append(record.getMessage())

    handler = Collect()
    logging.getLogger("jax").addHandler(handler)
    try:
        with jax.log_compiles(True):
            yield messages
    finally:
        logging.getLogger("jax").removeHandler(handler)


def test_no_retracing_after_the_first_epoch(ecg):
    """500 beats in batches of 128 leave a partial batch; it must not cost a second compile."""
    trainer = Trainer.create(SMALL.replace(epochs=2), ecg)
    with compile_log() as messages:
        trainer.train()
        first = list(messages)
        trainer.train(3)
        later = messages[len(first) :]
    assert sum("jit(train_step)" in m for m in first) == 1
    assert sum("jit(run)" in m for m in first) == 1  # the per-epoch report pass
    assert later == []


def test_reusing_a_model_builds_and_compiles_nothing(ecg, monkeypatch):
    from anomagram import model as model_module
    from anomagram import training as training_module

    first = Trainer.create(SMALL, ecg)
    first.train()

    def no_build(spec):
        raise AssertionError("a second model was built")

    monkeypatch.setattr(model_module, "build_autoencoder", no_build)
    monkeypatch.setattr(training_module, "build_autoencoder", no_build)
    with compile_log() as messages:
        reused = Trainer.create(SMALL.replace(seed=5), ecg, model=first.model)
        assert int(reused.model.optimizer.iterations.value) == 0
        assert reused.train().status == "completed"
    assert messages == []


def test_set_spec_epochs_changes_only_the_step_count(small_trainer):
    import pytest

    original = small_trainer.spec
    try:
        small_trainer.set_spec_epochs(original.replace(epochs=7))
        assert small_trainer.spec.epochs == 7
        with pytest.raises(ValueError):
            small_trainer.set_spec_epochs(original.replace(latent=3))
    finally:
        small_trainer.set_spec_epochs(original)
    assert small_trainer.token and isinstance(small_trainer.token, str)
