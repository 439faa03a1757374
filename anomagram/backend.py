"""Keras on JAX, imported on first use, with XLA's persistent compilation cache.

Importing Keras costs seconds, so nothing imports it at module import time: pages that only
show text and charts paint before it is loaded. Everything that needs Keras calls
:func:`keras_module`.
"""

from __future__ import annotations

import os
from pathlib import Path

JAX_CACHE_ENV = "ANOMAGRAM_JAX_CACHE"

_cache_enabled = False


def _enable_compilation_cache() -> None:
    """Keep compiled XLA programs on disk, keyed by their HLO; ``ANOMAGRAM_JAX_CACHE=off``
    disables it.

    A new model of an architecture seen before (a Reset, a new session, a restarted server)
    then loads its train step from disk instead of compiling it again.
    """
    import jax

    where = os.environ.get(JAX_CACHE_ENV, str(Path.home() / ".cache" / "anomagram" / "jax"))
    if where.lower() in ("off", "0", "none", ""):
        return
    try:
        Path(where).mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # a read-only home: compile every time rather than fail
    jax.config.update("jax_compilation_cache_dir", where)
    # Every program is worth keeping: even the small ones take a noticeable share of an epoch.
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


def keras_module():
    """Import Keras on the JAX backend, and refuse to run on any other."""
    global _cache_enabled
    os.environ.setdefault("KERAS_BACKEND", "jax")
    if not _cache_enabled:
        _cache_enabled = True
        _enable_compilation_cache()
    import keras

    backend = keras.backend.backend()
    if backend != "jax":
        raise RuntimeError(
            f"Anomagram needs Keras on the JAX backend, but Keras is using {backend!r}. "
            "Set KERAS_BACKEND=jax before anything imports Keras."
        )
    return keras
