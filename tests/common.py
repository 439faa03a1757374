"""Small specs and files shared by tests (kept out of conftest so test modules can import them)."""

import numpy as np

from anomagram.signal import strokes_from_json, strokes_to_signal
from anomagram.spec import Spec

SMALL = Spec(train_size=500, test_size=100, epochs=3, batch_size=128)


def drawing_to_signal(json_data, width, height):
    """Canvas JSON straight to a beat, as a page reads a one-stroke drawing."""
    return strokes_to_signal(strokes_from_json(json_data), width, height)


# Issue 13's link: one click on a public server started ~1.7 h of training. The budget tests,
# the Train page's AppTest and bench/noisy_neighbour.py all start from it.
COSTLY_LINK = {
    "hidden": "256,256,256,256,256,256",
    "latent": "64",
    "batch_size": "1",
    "epochs": "1000",
    "train_size": "4500",
    "abnormal_pct": "41.62",
}


def recording_csv(n: int = 6000) -> bytes:
    """A sine recording with 20 spikes, flagged in its anomaly column (a "Your CSV" upload)."""
    rng = np.random.default_rng(1)
    values = np.sin(np.arange(n) * 2 * np.pi / 50) + rng.normal(0, 0.05, n)
    anomaly = np.zeros(n, int)
    spikes = rng.choice(n - 10, 20, replace=False)
    values[spikes] += 4
    anomaly[spikes] = 1
    rows = "\n".join(f"{v:.4f},{a}" for v, a in zip(values, anomaly, strict=True))
    return f"value,anomaly\n{rows}\n".encode()
