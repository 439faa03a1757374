"""One compiled pass from scaled beats to latent coordinates, reconstructions and errors.

``model.predict`` compiles a new function for every batch size it meets and carries progress
and data-adapter overhead that dominates on 500 tiny beats. Here the encoder and decoder run in
one ``jax.jit`` function of the weights, padded to a few bucket sizes, so per-epoch reports and
one-beat drawings reuse the same compiled code.

This module sits below ``anomagram.model``: it knows the autoencoder only by the names of its
two sub-models, so the model module can use it without an import cycle.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np

from anomagram.backend import keras_module

# The names model.build_autoencoder gives the two halves of every autoencoder.
ENCODER = "encoder"
DECODER = "decoder"

_BUCKETS = (1, 8, 64, 512, 4096)
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def encoder_of(model: Any) -> Any:
    return model.get_layer(ENCODER)


def decoder_of(model: Any) -> Any:
    return model.get_layer(DECODER)


def _bucket(n: int) -> int:
    for size in _BUCKETS:
        if n <= size:
            return size
    return -(-n // _BUCKETS[-1]) * _BUCKETS[-1]


def _compiled_probe(model):
    with _lock:
        fn = _cache.get(model)
        if fn is not None:
            return fn
        keras_module()
        import jax
        import jax.numpy as jnp

        encoder, decoder = encoder_of(model), decoder_of(model)

        @jax.jit
        def run(enc_vars, enc_state, dec_vars, dec_state, x):
            z, _ = encoder.stateless_call(enc_vars, enc_state, x, training=False)
            recon, _ = decoder.stateless_call(dec_vars, dec_state, z, training=False)
            diff = recon - x
            return z, recon, jnp.mean(diff * diff, axis=1)

        def call(x):
            return run(
                [v.value for v in encoder.trainable_variables],
                [v.value for v in encoder.non_trainable_variables],
                [v.value for v in decoder.trainable_variables],
                [v.value for v in decoder.non_trainable_variables],
                x,
            )

        _cache[model] = call
        return call


def probe(model, scaled: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latent (n, latent), reconstruction (n, SEQ_LEN) and per-beat MSE (n,) for scaled beats."""
    x = np.asarray(scaled, dtype=np.float32)
    n = len(x)
    padded_n = _bucket(max(n, 1))
    if padded_n != n:
        x = np.concatenate([x, np.zeros((padded_n - n, x.shape[1]), np.float32)])
    z, recon, errors = _compiled_probe(model)(x)
    return np.asarray(z)[:n], np.asarray(recon)[:n], np.asarray(errors)[:n]
