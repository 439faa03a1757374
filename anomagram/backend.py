"""Keras on JAX, imported on first use, with XLA's persistent compilation cache.

Importing Keras costs seconds, so nothing imports it at module import time: pages that only
show text and charts paint before it is loaded. Everything that needs Keras calls
:func:`keras_module`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

JAX_CACHE_ENV = "ANOMAGRAM_JAX_CACHE"

_cache_enabled = False
_log = logging.getLogger(__name__)


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
    _replace_damaged_entries()


def _replace_damaged_entries() -> None:
    """Delete a cache entry JAX cannot read, so that the program compiled instead replaces it.

    JAX writes an entry with one ``write_bytes`` (``jax._src.lru_cache.LRUCache.put``): a
    process killed mid-write (a restarted server, a full disk) leaves a truncated file. Reading
    it fails in ``compilation_cache.get_executable_and_time`` (zlib: "incomplete or truncated
    stream"; a damaged executable fails to deserialize), JAX warns and compiles, then ``put``
    keeps the damaged file because the key exists: every later process warns and compiles
    again. Wrapped here, a failed read removes the entry and counts as a miss, so the fresh
    compilation is written in its place. ``tests/test_backend_cache.py`` truncates a real
    entry and checks that it is replaced, so a JAX upgrade that moves these names fails there.
    """
    from jax._src import compilation_cache, lru_cache

    read = compilation_cache.get_executable_and_time
    if getattr(read, "replaces_damaged_entries", False):
        return

    def get_executable_and_time(cache_key, *args, **kwargs):
        try:
            return read(cache_key, *args, **kwargs)
        except Exception as exc:  # whatever decompressing or deserializing raised
            import jax

            where = Path(jax.config.jax_compilation_cache_dir)
            for suffix in (lru_cache._CACHE_SUFFIX, lru_cache._ATIME_SUFFIX):
                (where / f"{cache_key}{suffix}").unlink(missing_ok=True)
            _log.warning("Replacing damaged JAX cache entry %s (%s).", cache_key, exc)
            return None, None

    get_executable_and_time.replaces_damaged_entries = True
    compilation_cache.get_executable_and_time = get_executable_and_time


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
