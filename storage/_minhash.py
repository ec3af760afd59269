"""Segment MinHash: the numeric core of near-duplicate search, kept apart from the database code.

A body is normalised (NFKC, lowercase, letters and digits only), cut into character 5-gram
shingles, and the shingle sequence is split at content-defined anchors into segments of about
70 characters. Each segment gets its own small MinHash. Because an anchor depends only on the
5-gram at that spot, the same passage yields the same segments in every copy, whatever comes
before it; so a 200-character lead paragraph shares whole segments with the 20,000-character
notice it was cut from, although the Jaccard similarity of the two whole bodies is about 0.01
(which no banding can find without comparing against most of the archive).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BANDS",
    "NUM_PERM",
    "ROWS",
    "SHINGLE",
    "Signature",
    "band_keys",
    "containment",
    "letters_and_digits",
    "signature",
]

SHINGLE = 5  # character 5-grams: the usual window for Chinese text
NUM_PERM = 32  # MinHash slots per segment
BANDS = 2  # LSH bands per segment ...
ROWS = 4  # ... of 4 slots each (even: slots are hashed in pairs) (the first BANDS * ROWS slots)
ANCHOR_EVERY = 48  # a shingle is an anchor with probability 1/48 ...
MIN_SEGMENT = 24  # ... unless it is closer than this to the previous anchor (no tiny segments)
J_FLOOR = 0.2  # segment pairs estimated below this Jaccard count as unrelated (estimator noise)

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_rng = np.random.Generator(np.random.PCG64(20220211))
# MinHash "permutations" (x ^ b) * a mod 2^32 over a well-mixed 32-bit shingle hash: cheap in
# numpy, and on test sets the Jaccard estimate matched theory (bias < 0.001, RMSE = sqrt(J(1-J)/k)).
_A = (_rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32) | np.uint32(1))[:, None]
_B = _rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32)[:, None]
_POW = np.array([pow(1_000_003, SHINGLE - 1 - i, 2**64) for i in range(SHINGLE)], dtype=np.uint64)
_BAND_SALT = _rng.integers(1, 2**63, size=BANDS, dtype=np.uint64)


_DROP = re.compile(r"[\W_]+")  # everything but letters and digits (str.isalnum)


def letters_and_digits(text: str) -> str:
    """NFKC, lowercase, drop whitespace, punctuation and symbols: copies differ mostly there."""
    text = _DROP.sub("", text)  # first, so the costly NFKC pass is mostly skipped
    if not unicodedata.is_normalized("NFKC", text):
        text = _DROP.sub("", unicodedata.normalize("NFKC", text))
    return text.lower()


_COMPLEX = 0xFFFFFFFF  # a character whose normal form is several characters
_UNKNOWN = 0xFFFFFFFE  # not looked up yet


def _initial_table() -> np.ndarray:
    table = np.full(0x10000, _UNKNOWN, dtype=np.uint32)
    table[:0x80] = 0  # ASCII: letters lowercased, digits kept, the rest dropped
    for ch in "abcdefghijklmnopqrstuvwxyz0123456789":
        table[ord(ch)] = table[ord(ch.upper())] = ord(ch)
    table[0x4E00:0xA000] = np.arange(0x4E00, 0xA000, dtype=np.uint32)  # CJK ideographs: NFKC-stable
    return table


_TABLE = _initial_table()  # BMP code point -> normalised code point (0: dropped), filled lazily


def _learn(codes: np.ndarray) -> None:
    """Fill the table for characters seen for the first time (per-character letters_and_digits())."""
    for cp in np.unique(codes[_TABLE[codes] == _UNKNOWN]).tolist():
        out = letters_and_digits(chr(cp)) if not 0xD800 <= cp <= 0xDFFF else ""
        _TABLE[cp] = ord(out) if len(out) == 1 else (_COMPLEX if out else 0)


def letter_digit_codes(text: str) -> np.ndarray:
    """letters_and_digits(text) as an array of code points, by table lookup (the fast path)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(codes) and int(codes.max()) < 0x10000:
        mapped = _TABLE[codes]
        if int(mapped.max()) >= _UNKNOWN:  # _UNKNOWN or _COMPLEX: one pass checks both
            _learn(codes)
            mapped = _TABLE[codes]
        if int(mapped.max()) != _COMPLEX:
            return mapped[mapped != 0]
    norm = letters_and_digits(text)  # astral or multi-character forms: the exact, slower way
    return np.frombuffer(norm.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_C1, _C2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


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


def shingle_hashes(codes: np.ndarray) -> np.ndarray:
    """64-bit hash of every 5-gram of normalised code points, in text order.

    A polynomial over the code points (all windows at once: SHINGLE shifted multiply-adds),
    then mixed; uint64 arithmetic wraps mod 2^64.
    """
    n = len(codes) - SHINGLE + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    codes = codes.astype(np.uint64)
    h = codes[:n] * _POW[0]
    tmp = np.empty(n, dtype=np.uint64)
    for i in range(1, SHINGLE):
        np.multiply(codes[i : i + n], _POW[i], out=tmp)
        h += tmp
    return _mix(h)


def _segment_starts(h: np.ndarray) -> np.ndarray:
    """Start index of each segment: content-defined anchors (no tiny segments).

    An anchor is kept only when no other anchor lies in the MIN_SEGMENT shingles before it, a
    rule that looks at nearby text only, so a passage is cut the same way in every copy.
    """
    low = h.view(np.uint32)[0::2] if _LITTLE else h.astype(np.uint32)  # the low 32 bits
    anchors = np.flatnonzero(low % np.uint32(ANCHOR_EVERY) == 0)
    if len(anchors) == 0:
        return _ZERO
    gaps = np.empty(len(anchors), dtype=np.int64)
    gaps[0] = anchors[0] + MIN_SEGMENT
    np.subtract(anchors[1:], anchors[:-1], out=gaps[1:])
    keep = (gaps >= MIN_SEGMENT) & (anchors >= MIN_SEGMENT) & (anchors <= len(h) - MIN_SEGMENT)
    kept = anchors[keep]
    starts = np.empty(len(kept) + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = kept
    return starts


_LITTLE = np.little_endian
_ZERO = np.zeros(1, dtype=np.int64)


@dataclass(frozen=True)
class Signature:
    """Per-segment MinHash values and sizes of one body; `shingles` counts distinct 5-grams."""

    minhash: np.ndarray  # (segments, NUM_PERM) uint32
    sizes: np.ndarray  # (segments,) uint32: shingles per segment
    shingles: int

    def __len__(self) -> int:
        return int(self.sizes.shape[0])

    def to_bytes(self) -> tuple[bytes, bytes]:
        """(minhash, sizes) as little-endian uint32 bytes for the database."""
        return self.minhash.astype("<u4").tobytes(), self.sizes.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, minhash: bytes, sizes: bytes, shingles: int) -> Signature:
        s = np.frombuffer(sizes, dtype="<u4")
        m = np.frombuffer(minhash, dtype="<u4").reshape(len(s), NUM_PERM)
        return cls(m, s, shingles)


EMPTY = Signature(np.zeros((0, NUM_PERM), dtype=np.uint32), np.zeros(0, dtype=np.uint32), 0)


def signature(text: str) -> Signature:
    """Segment MinHash signature of a raw body (normalised here).

    All in numpy, no per-shingle Python: the 32 permutations of every shingle form one
    (NUM_PERM, shingles) array, and np.minimum.reduceat takes each segment's minima at once.
    """
    h = shingle_hashes(letter_digit_codes(text))
    n = len(h)
    if n == 0:
        return EMPTY
    starts = _segment_starts(h)
    high = h.view(np.uint32)[1::2] if _LITTLE else (h >> np.uint64(32)).astype(np.uint32)
    perm = np.empty((NUM_PERM, n), dtype=np.uint32)
    np.bitwise_xor(high, _B, out=perm)
    np.multiply(perm, _A, out=perm)  # (x ^ b) * a mod 2^32, every permutation and shingle
    mins = np.minimum.reduceat(perm, starts, axis=1).T.copy()  # (segments, NUM_PERM)
    sizes = np.empty(len(starts), dtype=np.uint32)
    sizes[:-1] = starts[1:] - starts[:-1]
    sizes[-1] = n - starts[-1]
    h.sort()
    distinct = int(np.count_nonzero(h[1:] != h[:-1])) + 1
    return Signature(mins, sizes, distinct)


def band_keys(sig: Signature) -> np.ndarray:
    """LSH bucket keys (signed 64-bit) of every segment and band: hash of (band index, band values)."""
    if len(sig) == 0:
        return np.zeros(0, dtype=np.int64)
    m = sig.minhash[:, : BANDS * ROWS].astype(np.uint64)
    pairs = ((m[:, 0::2] << _S32) | m[:, 1::2]).reshape(len(sig), BANDS, ROWS // 2)  # slot pairs
    acc = _mix(pairs[:, :, 0] ^ _BAND_SALT)
    for r in range(1, ROWS // 2):
        acc ^= pairs[:, :, r]
        _mix(acc)
    return np.unique(acc.view(np.int64))


_S32 = np.uint64(32)


def containment(a: Signature, b: Signature) -> tuple[float, float]:
    """Estimated (|A∩B| / min(|A|,|B|), |A∩B|) from segment signatures.

    For each segment of the smaller body, its overlap with each segment of the other is
    J*(|a|+|b|)/(1+J) from the MinHash Jaccard J (pairs under J_FLOOR count as noise); the
    sum per segment is capped at its size, so a passage split across two segments still counts.
    """
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0.0
    if int(a.sizes.sum()) > int(b.sizes.sum()):
        a, b = b, a
    same = (a.minhash[:, None, :] == b.minhash[None, :, :]).view(np.uint8)
    j = same.sum(axis=2, dtype=np.uint8) / NUM_PERM
    j = np.where(j >= J_FLOOR, j, 0.0)
    sa = a.sizes.astype(np.float64)[:, None]
    sb = b.sizes.astype(np.float64)[None, :]
    inter = j * (sa + sb) / (1.0 + j)
    per_seg = np.minimum(inter.sum(axis=1), a.sizes.astype(np.float64))
    shared = float(per_seg.sum())
    return min(1.0, shared / float(a.sizes.sum())), shared
