"""Streamlit must not reset Keras between script runs (see anomagram/ui/keras_guard.py)."""

import os
import sys
import threading

os.environ.setdefault("KERAS_BACKEND", "jax")

from streamlit.runtime.scriptrunner import script_runner  # noqa: E402

from anomagram.ui import keras_guard  # noqa: E402


def test_importing_the_ui_package_installs_the_guard():
    assert keras_guard.installed()
    # Streamlit still calls the hook by this name after every run: if an upgrade renames or
    # inlines it, this test is the one that notices.
    import inspect

    assert "_clean_problem_modules" in inspect.getsource(script_runner.ScriptRunner._run_script)


def test_the_hook_leaves_keras_state_of_other_threads_alone():
    from keras.src.backend.common import global_state

    from anomagram.model import keras_module

    keras_module()
    global_state.set_global_attribute("anomagram_probe", "kept")
    # Another session's script run ends, in its own thread.
    t = threading.Thread(target=script_runner._clean_problem_modules)
    t.start()
    t.join()
    assert global_state.get_global_attribute("anomagram_probe") == "kept"


def test_matplotlib_figures_are_still_closed(monkeypatch):
    import types

    closed = []
    pyplot = types.SimpleNamespace(close=closed.append)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    script_runner._clean_problem_modules()
    assert closed == ["all"]


def test_training_survives_other_sessions_ending_their_runs():
    """Without the guard every one of these trainings failed inside Dense.call (measured)."""
    from common import SMALL

    from anomagram.data import load_ecg5000
    from anomagram.training import Trainer

    ecg = load_ecg5000()
    stop = threading.Event()

    def other_sessions():
        while not stop.is_set():
            script_runner._clean_problem_modules()
            stop.wait(0.005)

    threading.Thread(target=other_sessions, daemon=True).start()
    try:
        for seed in range(3):
            trainer = Trainer.create(SMALL.replace(seed=seed, hidden=(5 + seed, 3)), ecg)
            trainer.train(3)
            assert trainer.epochs_done == 3 and trainer.status == "completed"
    finally:
        stop.set()
