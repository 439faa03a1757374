"""A damaged entry of the persistent XLA cache is replaced, not tripped over forever.

Each run is a fresh process on a temporary cache directory (the cache is process-wide state):
the first compiles and writes the entry, then the entry is cut in half as a process killed
mid-write leaves it, and the next runs must still compute the right answer, replace the entry,
and read the new one from the cache.
"""

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

RUN = """
import json, warnings
warnings.simplefilter("always")
from anomagram import backend
backend._enable_compilation_cache()
import jax, jax.numpy as jnp
from jax._src import monitoring
events = []
monitoring.register_event_listener(lambda event, **kw: events.append(event))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    value = jax.jit(lambda x: jnp.sin(x) * 3 + 1)(jnp.arange(5.0)).tolist()
print(json.dumps({
    "value": value,
    "hits": events.count("/jax/compilation_cache/cache_hits"),
    "warnings": [str(w.message) for w in caught],
}))
"""


def _run(cache: Path) -> dict:
    env = {**os.environ, "ANOMAGRAM_JAX_CACHE": str(cache), "JAX_PLATFORMS": "cpu"}
    out = subprocess.run(
        [sys.executable, "-c", RUN], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "stderr": out.stderr}


def _entry(cache: Path) -> Path:
    (entry,) = cache.glob("jit__lambda-*-cache")
    return entry


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage"])
def test_damaged_cache_entry_is_replaced(tmp_path, damage):
    first = _run(tmp_path)
    entry = _entry(tmp_path)
    good = entry.read_bytes()
    zlib.decompress(good)  # JAX 0.10 without zstandard: zlib-compressed executables
    damaged = {"truncated": good[: len(good) // 2], "empty": b"", "garbage": bytes(500)}[damage]
    entry.write_bytes(damaged)

    second = _run(tmp_path)
    assert second["value"] == first["value"]
    assert not [w for w in second["warnings"] if "persistent compilation cache" in w]
    assert "Replacing damaged JAX cache entry" in second["stderr"]
    replaced = _entry(tmp_path).read_bytes()
    assert len(replaced) == len(good)
    zlib.decompress(replaced)

    third = _run(tmp_path)
    assert third["value"] == first["value"] and third["hits"] >= 1
    assert "Replacing" not in third["stderr"]
