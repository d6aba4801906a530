"""Seeded random streams and vectorised categorical draws."""

from __future__ import annotations

import numpy as np

# Random streams: every purpose (and every chunk) draws from its own seeded generator.
STREAM_ANNOTATORS, STREAM_PILOT, STREAM_CHUNK, STREAM_BAD, STREAM_MODELS = 1, 2, 3, 4, 5


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, *stream])


def _categorical(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """`size` draws of an index with the given (unnormalised) weights."""
    cum = np.cumsum(weights, dtype=np.float64)
    cum /= cum[-1]
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(weights) - 1)


def _rowwise_categorical(rng: np.random.Generator, cum: np.ndarray) -> np.ndarray:
    """One draw per row of a matrix of cumulative probabilities (last column forced to 1)."""
    cum = cum.copy()
    cum[:, -1] = 1.0
    return (rng.random((cum.shape[0], 1)) < cum).argmax(axis=1)
