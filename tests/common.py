"""Small specs shared by tests (kept out of conftest so test modules can import them)."""

from anomagram.signal import strokes_from_json, strokes_to_signal
from anomagram.spec import Spec

SMALL = Spec(train_size=500, test_size=100, epochs=3, batch_size=128)


def drawing_to_signal(json_data, width, height):
    """Canvas JSON straight to a beat, as a page reads a one-stroke drawing."""
    return strokes_to_signal(strokes_from_json(json_data), width, height)
