import os

# Before anything imports Keras: the app only supports JAX, and tests must not pick another.
os.environ.setdefault("KERAS_BACKEND", "jax")

import pytest  # noqa: E402
from common import SMALL  # noqa: E402

from anomagram.data import load_ecg5000  # noqa: E402


@pytest.fixture(scope="session")
def ecg():
    return load_ecg5000()


@pytest.fixture(scope="session")
def small_trainer(ecg):
    """A small model trained for 3 epochs, shared by read-only tests."""
    from anomagram.training import Trainer

    trainer = Trainer.create(SMALL, ecg)
    trainer.train()
    return trainer


# Module-scoped, as before: a test may change the detector it gets (its threshold, say).
@pytest.fixture(scope="module")
def pretrained():
    """The shipped pretrained detector."""
    from anomagram.pretrained import load_pretrained

    return load_pretrained()


@pytest.fixture(scope="module")
def pretrained_bytes(pretrained):
    """The pretrained detector as the bytes of a .keras file, as the Score page receives one."""
    from anomagram.ui.score import logic

    return logic.detector_bytes(pretrained)


# A model of another dataset and length: ECG200's 96-sample beats, a few epochs (about 0.5 s).
ECG200_SPEC_SMALL = {"dataset": "ucr:ECG200", "train_size": 100, "test_size": 50, "epochs": 5}


@pytest.fixture(scope="module")
def ecg200_trainer():
    from anomagram import sources
    from anomagram.spec import Spec
    from anomagram.training import Trainer

    spec = Spec(**ECG200_SPEC_SMALL, batch_size=32)
    trainer = Trainer.create(spec, sources.load(spec))
    trainer.train()
    return trainer
