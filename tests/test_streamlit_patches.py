"""Every hook into Streamlit's private API (anomagram/ui/streamlit_patches.py) still hooks.

Each test fails when a Streamlit upgrade renames or removes what a hook relies on.
"""

import os
import sys
import threading

os.environ.setdefault("KERAS_BACKEND", "jax")

from streamlit.runtime.scriptrunner import script_runner  # noqa: E402

from anomagram.ui import streamlit_patches  # noqa: E402

# Explicit, as streamlit_app.py does: importing the module installs nothing.
streamlit_patches.install()


def test_install_puts_the_keras_guard_in_place():
    assert streamlit_patches.keras_guard_installed()
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


def test_importing_the_ui_packages_installs_nothing():
    import subprocess

    code = (
        "import anomagram.ui.streamlit_patches, anomagram.ui.common.state;"
        "from streamlit.runtime.scriptrunner import script_runner as s;"
        "print(getattr(s._clean_problem_modules, '_anomagram_keeps_keras', False))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_legacy_pages_mode_flag_still_exists():
    """require_app_shell switches this class attribute off; Streamlit must still read it."""
    import inspect

    from streamlit.runtime.pages_manager import PagesManager

    assert hasattr(PagesManager, "uses_pages_directory")
    assert "uses_pages_directory" in inspect.getsource(PagesManager)


def test_fragment_rerun_is_read_from_the_script_run_context():
    import dataclasses

    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    names = {f.name for f in dataclasses.fields(ScriptRunContext)}
    assert "fragment_ids_this_run" in names
    # Outside a script run there is no context: not a fragment rerun.
    assert streamlit_patches.is_fragment_rerun() is False
