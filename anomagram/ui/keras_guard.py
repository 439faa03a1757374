"""Stop Streamlit from resetting Keras after every script run.

After each run of any session, Streamlit calls ``keras.backend.clear_session()`` when Keras is
imported (``script_runner._clean_problem_modules``). That helps a notebook-style app that
builds a new model on every rerun; here it is harmful. ``clear_session`` replaces Keras's
global state objects for *every* thread, so a script run that ends in one session pulls the
state (stateless and symbolic scopes, the list of variables still to initialise) from under
a model another session is building or training at that moment, and it forces a full garbage
collection each time. Found by the 10-session load test: trainings failed inside ``Dense.call``
(``'NoneType' object is not callable``), so those sessions never showed a finished run.

Models in this app are built once per click and kept, so there is nothing to clear between
runs. The replacement keeps Streamlit's other clean-up (closing Matplotlib figures).
"""

from __future__ import annotations

import contextlib
import sys

_MARK = "_anomagram_keeps_keras"


def _clean_problem_modules_but_keras() -> None:
    if "matplotlib.pyplot" in sys.modules:
        # As in Streamlit: a failed clean-up must never fail the run.
        with contextlib.suppress(Exception):
            sys.modules["matplotlib.pyplot"].close("all")


setattr(_clean_problem_modules_but_keras, _MARK, True)


def install() -> bool:
    """Replace Streamlit's hook; True if it is in place (idempotent)."""
    try:
        from streamlit.runtime.scriptrunner import script_runner
    except ImportError:  # pragma: no cover - Streamlit moved it; tests/test_keras_guard.py says so
        return False
    if not hasattr(script_runner, "_clean_problem_modules"):
        return False
    script_runner._clean_problem_modules = _clean_problem_modules_but_keras
    return True


def installed() -> bool:
    from streamlit.runtime.scriptrunner import script_runner

    return getattr(getattr(script_runner, "_clean_problem_modules", None), _MARK, False)
