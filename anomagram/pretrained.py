"""The pretrained model shipped with the app, and the training replay recorded with it.

``python -m anomagram pretrain`` trains the default spec with a fixed seed and writes, under
``anomagram/assets/``: ``pretrained.keras`` (model, scaler, threshold, spec) and
``replay.npz`` (test errors at every epoch from 0 = untrained, losses, final metrics, and the
leaderboard of the classic detectors on the same split).
Nothing of ECG5000 is stored, not even the test beats' labels: ``prepare(PRETRAINED_SPEC)``
draws the same split from the installed dataset.
The Introduction page loads both, so it needs no training at start, and reads the leaderboard
with ``load_leaderboard`` without importing or fitting scikit-learn.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from anomagram import baselines
from anomagram.spec import Spec

ASSETS = Path(__file__).parent / "assets"
MODEL_FILE = "pretrained.keras"
REPLAY_FILE = "replay.npz"
PRETRAINED_SPEC = Spec(seed=0)
# Retraining on another machine can differ in the last digits (XLA kernels), so "equivalent"
# means the same spec and an AUC within this distance, not identical bytes.
AUC_TOLERANCE = 0.01


@dataclass(frozen=True)
class Replay:
    errors: np.ndarray  # (epochs + 1, n_test): epoch 0 is the untrained model
    classes: np.ndarray  # (n_test,) class ids of the test beats
    loss: np.ndarray  # (epochs,)
    val_loss: np.ndarray  # (epochs,)
    summary: dict  # final metrics of the shipped model

    @property
    def epochs(self) -> int:
        return len(self.errors) - 1


def train_pretrained(spec: Spec = PRETRAINED_SPEC):
    """The trained model, its untrained errors, and its summary with the detectors' results."""
    from anomagram.training import Trainer, evaluate

    trainer = Trainer.create(spec)
    epoch0 = trainer.untrained_report().test_errors
    result = trainer.train()
    if trainer.status != "completed":
        raise RuntimeError(f"Pretraining did not complete: {trainer.message}")
    summary = evaluate(trainer, "best_accuracy")
    p = trainer.prepared
    detectors = baselines.run_all(
        p.train_scaled, p.test_scaled, p.test_is_abnormal, components=spec.latent, seed=spec.seed
    )
    summary["train_seconds"] = result.seconds_total
    summary["baselines"] = baselines.as_records(detectors)
    return trainer, epoch0, summary


def build(out_dir: Path | None = None) -> list[Path]:
    from anomagram.model import save_detector

    out = Path(out_dir) if out_dir else ASSETS
    out.mkdir(parents=True, exist_ok=True)
    trainer, epoch0, summary = train_pretrained()
    info = {"threshold_strategy": "best_accuracy", "auc": summary["auc"]}
    model_path = save_detector(trainer.detector(summary["threshold"], info), out / MODEL_FILE)
    replay_path = out / REPLAY_FILE
    np.savez_compressed(
        replay_path,
        # float16 keeps the artifact small; a histogram does not need more digits.
        errors=np.vstack([epoch0, *trainer.error_history]).astype(np.float16),
        loss=np.asarray(trainer.loss, np.float32),
        val_loss=np.asarray(trainer.val_loss, np.float32),
        summary=np.array(json.dumps(summary)),
    )
    return [model_path, replay_path]


def test_classes() -> np.ndarray:
    """Class ids of the pretrained model's 500 test beats, drawn again from the dataset."""
    from anomagram.training import prepare

    return prepare(PRETRAINED_SPEC).split.test_y


def load_replay(directory: Path | None = None, classes: np.ndarray | None = None) -> Replay:
    """The recorded replay; ``classes`` (the test beats' class ids) are drawn if not given."""
    if classes is None:
        classes = test_classes()
    with np.load(Path(directory or ASSETS) / REPLAY_FILE) as z:
        return Replay(
            errors=z["errors"].astype(np.float32),
            classes=np.asarray(classes, np.int64),
            loss=z["loss"],
            val_loss=z["val_loss"],
            summary=json.loads(str(z["summary"])),
        )


def load_summary(directory: Path | None = None) -> dict:
    """The shipped model's final metrics, read from the replay alone (no dataset, no Keras)."""
    with np.load(Path(directory or ASSETS) / REPLAY_FILE) as z:
        return json.loads(str(z["summary"]))


def load_leaderboard(directory: Path | None = None) -> list[dict]:
    """The leaderboard measured when the assets were made, best AUC first.

    Each row is ``baselines.Row`` as a dict (``Row(**row)`` rebuilds it, for ``verdict``):
    key, name, auc, seconds (of fitting on the machine that ran ``pretrain``), is_autoencoder.
    """
    summary = load_summary(directory)
    rows = baselines.leaderboard(
        summary["auc"], summary["baselines"], ae_seconds=summary["train_seconds"]
    )
    return [dataclasses.asdict(row) for row in rows]


def load_pretrained(directory: Path | None = None):
    from anomagram.model import load_detector

    return load_detector(Path(directory or ASSETS) / MODEL_FILE)


def check(directory: Path | None = None) -> tuple[bool, str]:
    """Would regenerating give an equivalent artifact? (same spec, AUC within tolerance)"""
    from anomagram.model import read_metadata

    directory = Path(directory or ASSETS)
    meta = read_metadata(directory / MODEL_FILE)
    if meta["spec"] != PRETRAINED_SPEC:
        return False, "The shipped model was trained with another spec; run pretrain."
    recorded = load_summary(directory)
    if "baselines" not in recorded:
        return False, "The shipped replay has no leaderboard of classic detectors; run pretrain."
    shipped = recorded["auc"]
    _, _, summary = train_pretrained()
    diff = abs(summary["auc"] - shipped)
    ok = diff <= AUC_TOLERANCE
    verdict = "equivalent" if ok else "DIFFERENT - run `python -m anomagram pretrain`"
    return ok, f"shipped AUC {shipped:.4f}, retrained AUC {summary['auc']:.4f}: {verdict}"
