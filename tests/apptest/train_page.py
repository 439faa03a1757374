"""Helpers the Train page's AppTests share (test_train.py, test_train_datasets.py)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "train.py")


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def go_button(at: AppTest):
    """Train / Continue (its key alternates between runs, see action_bar.finish_live)."""
    (button,) = [b for b in at.button if str(b.key).startswith("train_go_")]
    return button


def start_button(at: AppTest):
    """The Train button beside the presets, in a laptop's first screen (same key scheme)."""
    (button,) = [b for b in at.button if str(b.key).startswith("train_start_")]
    return button


def click_train(at: AppTest) -> AppTest:
    go_button(at).click().run()
    no_exception(at)
    return at
