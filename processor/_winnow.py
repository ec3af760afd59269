"""Winnowing fingerprints of a body: the numeric core of near-duplicate search.

Schleimer, Wilkerson, Aiken (SIGMOD 2003, what MOSS uses): normalise the text, hash every
character K-gram, and keep the minimum hash of each window of W consecutive K-grams. Two bodies
sharing a passage of at least W + K - 1 normalised characters share a fingerprint, and about
2 / (W + 1) fingerprints are kept per character. A window lying inside a shared passage picks
the same minimum in every copy, so a copy cut from a longer original (a lead paragraph, a
truncated repost) keeps every fingerprint whose window it holds whole: containment stays near 1
whatever the length of the original.

Normalisation is the classifier's (NFKC, full width, lower case, traditional -> simplified), then
only letters and digits are kept: copies differ mostly in punctuation, spacing and script.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from classifier import normalise_fast

__all__ = ["K", "W", "fingerprints", "kgram_hashes", "normalised_codes"]

K = 16  # characters per k-gram: longer than most shared phrases, so a common phrase is not a shared gram
W = 64  # k-grams per window: any shared passage of W + K - 1 = 79 characters shares a fingerprint

_EMPTY = np.zeros(0, dtype=np.int32)
_POW = np.array([pow(1_000_003, K - 1 - i, 2**64) for i in range(K)], dtype=np.uint64)
_S30, _S27, _S31, _S32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)
_C1, _C2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


@lru_cache(maxsize=1)
def _alnum() -> np.ndarray:
    """BMP code point -> kept (str.isalnum) after normalisation."""
    return np.array([chr(o).isalnum() for o in range(0x10000)], dtype=bool)


def normalised_codes(text: str) -> np.ndarray:
    """The body as the classifier normalises it, letters and digits only, as uint32 code points."""
    out, _, points = normalise_fast(text)
    if points is None:
        points = np.frombuffer(out.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(points) == 0:
        return points
    if int(points.max()) < 0x10000:
        return points[_alnum()[points]]
    kept = "".join(c for c in out if c.isalnum())  # astral characters: rare, the plain way
    return np.frombuffer(kept.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads polynomial hashes over all 64 bits (in place on x)."""
    t = np.right_shift(x, _S30)
    x ^= t
    x *= _C1
    np.right_shift(x, _S27, out=t)
    x ^= t
    x *= _C2
    np.right_shift(x, _S31, out=t)
    x ^= t
    return x


def kgram_hashes(codes: np.ndarray) -> np.ndarray:
    """64-bit hash of every K-gram of code points, in text order (uint64 arithmetic wraps)."""
    n = len(codes) - K + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    codes = codes.astype(np.uint64)
    h = codes[:n] * _POW[0]
    tmp = np.empty(n, dtype=np.uint64)
    for i in range(1, K):
        np.multiply(codes[i : i + n], _POW[i], out=tmp)
        h += tmp
    return _mix(h)


def fingerprints(text: str, min_chars: int = 0) -> np.ndarray:
    """The body's distinct winnowing fingerprints as sorted signed 32-bit integers (none when it
    has fewer than `min_chars` normalised letters and digits).

    Windows are ranked by the high 32 bits of each k-gram hash and the low 32 bits are kept:
    window minima are small numbers, so storing the ranking bits would crowd every fingerprint
    into a narrow range and make unrelated articles collide far more often than 1 in 2^32.
    """
    codes = normalised_codes(text)
    if len(codes) < min_chars:
        return _EMPTY
    h = kgram_hashes(codes)
    if len(h) == 0:
        return _EMPTY
    # Minimum of each window (a body shorter than one window: its minimum), as 64-bit values.
    chosen = h.min(keepdims=True) if len(h) <= W else sliding_window_view(h, W).min(axis=1)
    return np.unique(chosen.astype(np.uint32).view(np.int32))
