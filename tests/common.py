"""Small specs shared by tests (kept out of conftest so test modules can import them)."""

from anomagram.spec import Spec

SMALL = Spec(train_size=500, test_size=100, epochs=3, batch_size=128)
