"""The vectorised signature equals a plain per-shingle reference, so stored signatures stay valid."""

from __future__ import annotations

import pytest

from storage import _minhash as M

from .util import EM_SHORT, FOOTER, GOV_FULL, body

M64 = 2**64 - 1


def _mix(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & M64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def reference(text: str) -> tuple[list[list[int]], list[int], int]:
    """Method steps 1-4 of tests/storage/stories/README.md, one shingle at a time in plain Python."""
    codes = [ord(c) for c in M.letters_and_digits(text)]
    pows = [int(p) for p in M._POW]
    h = [
        _mix(sum(codes[i + j] * pows[j] for j in range(M.SHINGLE)) & M64)
        for i in range(len(codes) - M.SHINGLE + 1)
    ]
    starts, last = [0], -M.MIN_SEGMENT
    for i, x in enumerate(h):
        if (x & 0xFFFFFFFF) % M.ANCHOR_EVERY == 0:
            if i - last >= M.MIN_SEGMENT and M.MIN_SEGMENT <= i <= len(h) - M.MIN_SEGMENT:
                starts.append(i)
            last = i
    bounds = starts + [len(h)]
    a = [int(v) for v in M._A.ravel()]
    b = [int(v) for v in M._B.ravel()]
    mins = [
        [min(((x >> 32) ^ b[k]) * a[k] & 0xFFFFFFFF for x in h[s:e]) for k in range(M.NUM_PERM)]
        for s, e in zip(bounds, bounds[1:], strict=False)
    ]
    return mins, [e - s for s, e in zip(bounds, bounds[1:], strict=False)], len(set(h))


@pytest.mark.parametrize(
    "text",
    [EM_SHORT, GOV_FULL[:3000], body(range(0, 12)) + FOOTER, "Ａｂｃ，ＤＥＦ。１２３４５ ６７８９０ ﬁ㎏" * 4],
)
def test_signature_matches_the_reference(text):
    mins, sizes, distinct = reference(text)
    sig = M.signature(text)
    assert sig.minhash.tolist() == mins
    assert sig.sizes.tolist() == sizes
    assert sig.shingles == distinct
