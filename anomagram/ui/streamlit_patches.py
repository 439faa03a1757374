"""Every place the app reaches into Streamlit's private API, in one module.

Each hook names exactly what it touches, and ``tests/test_streamlit_patches.py`` fails when a
Streamlit upgrade renames or removes it. Nothing here runs on import: ``streamlit_app.py`` calls
``install()`` once per run, and the AppTests (which run a page without the app shell) do too.

1. Keras reset: after each script run of any session, Streamlit calls
   ``keras.backend.clear_session()`` when Keras is imported
   (``script_runner._clean_problem_modules``). That suits a notebook-style app that rebuilds its
   model on every rerun. Here models are built once per click and kept, and ``clear_session``
   replaces Keras's global state for *every* thread: a run ending in one session pulls that state
   from under a model another session is building or training (it then fails inside
   ``Dense.call``). The replacement keeps Streamlit's other clean-up, closing Matplotlib figures.
2. Legacy ``pages/`` mode: until some run in this process has executed ``st.navigation``,
   Streamlit serves ``/score`` by running ``pages/score.py`` alone (the pre-navigation
   convention), without our page config and sidebar. ``require_app_shell`` switches that off and
   reruns through ``streamlit_app.py``, which lands on the same page.
3. Fragment reruns: Streamlit has no public way to ask whether the current run is a fragment
   rerun; ``is_fragment_rerun`` reads it from the script run context.
"""

from __future__ import annotations

import contextlib
import sys

import streamlit as st

_MARK = "_anomagram_keeps_keras"


# --- 1. Keras reset ------------------------------------------------------------------------------


def _clean_problem_modules_but_keras() -> None:
    if "matplotlib.pyplot" in sys.modules:
        # As in Streamlit: a failed clean-up must never fail the run.
        with contextlib.suppress(Exception):
            sys.modules["matplotlib.pyplot"].close("all")


setattr(_clean_problem_modules_but_keras, _MARK, True)


def install_keras_guard() -> bool:
    """Replace Streamlit's per-run Keras reset; True if the guard is in place (idempotent)."""
    try:
        from streamlit.runtime.scriptrunner import script_runner
    except ImportError:  # pragma: no cover - the test of this module says so
        return False
    if not hasattr(script_runner, "_clean_problem_modules"):
        return False
    script_runner._clean_problem_modules = _clean_problem_modules_but_keras
    return True


def keras_guard_installed() -> bool:
    from streamlit.runtime.scriptrunner import script_runner

    return getattr(getattr(script_runner, "_clean_problem_modules", None), _MARK, False)


# --- 2. Legacy pages/ mode -----------------------------------------------------------------------


def _pages_manager():
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a Streamlit without the legacy mode
        return None
    return PagesManager


def require_app_shell() -> None:
    """Called first by every page: rerun through the app shell if Streamlit ran the page alone."""
    manager = _pages_manager()
    if manager is not None and getattr(manager, "uses_pages_directory", False):
        manager.uses_pages_directory = False
        st.rerun()


# --- 3. Fragment reruns --------------------------------------------------------------------------


def is_fragment_rerun() -> bool:
    """True while a fragment reruns on its own (such a run has no page end after it)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:  # pragma: no cover - the test of this module says so
        return False
    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


def install() -> None:
    """Install the hooks that change Streamlit's behaviour (only the Keras guard does)."""
    install_keras_guard()
