"""Model download: the trained model as one .keras file (scaler, threshold and spec inside)."""

from __future__ import annotations

import contextlib
import tempfile
import threading
from pathlib import Path

import streamlit as st

from anomagram import metrics
from anomagram.model import save_detector
from anomagram.training import Trainer
from anomagram.ui.train import thresholds
from anomagram.ui.train.run_state import training_lock


def model_bytes(
    trainer: Trainer, threshold: float, info: dict | None = None, lock: threading.Lock | None = None
) -> bytes:
    """The trained model as the bytes of one .keras file.

    ``lock`` is the session's training lock: the download runs in its own thread, and saving
    weights that a new run is updating would write a half-trained model.
    """
    with lock or contextlib.nullcontext(), tempfile.TemporaryDirectory() as tmp:
        detector = trainer.detector(threshold, info)
        path = save_detector(detector, Path(tmp) / "anomagram-model.keras")
        return path.read_bytes()


def export(trainer: Trainer, threshold: float) -> None:
    """The download button and what the file holds."""
    lock = training_lock()
    p = trainer.prepared
    info = {
        "threshold_strategy": thresholds.strategy_label(trainer),
        # Without labels there is no AUC: None, not a NaN that JSON cannot hold.
        "auc": metrics.auc(p.test_is_abnormal, trainer.last_report.test_errors)
        if p.labelled
        else None,
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
