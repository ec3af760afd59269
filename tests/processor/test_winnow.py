"""The vectorised fingerprints equal a plain per-window reference, so stored fingerprints stay valid
(a change here would leave every stored article unmatched by the new text's fingerprints)."""

from __future__ import annotations

import pytest

from classifier import normalise
from processor import _winnow as Wn
from tests.storage.stories.util import EM_SHORT, FOOTER, GOV_FULL, body

M64 = 2**64 - 1


def _mix(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & M64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def reference(text: str) -> list[int]:
    """Steps 1-3 of tests/storage/stories/README.md, one k-gram and one window at a time."""
    codes = [ord(c) for c in normalise(text) if c.isalnum()]
    pows = [pow(1_000_003, Wn.K - 1 - i, 2**64) for i in range(Wn.K)]
    h = [_mix(sum(codes[i + j] * pows[j] for j in range(Wn.K)) & M64) for i in range(len(codes) - Wn.K + 1)]
    windows = [h] if len(h) <= Wn.W else [h[i : i + Wn.W] for i in range(len(h) - Wn.W + 1)]
    low = {min(w) & 0xFFFFFFFF for w in windows if w}
    return sorted(x - 2**32 if x >= 2**31 else x for x in low)


@pytest.mark.parametrize(
    "text",
    [
        EM_SHORT,
        GOV_FULL[:3000],
        body(range(0, 12)) + FOOTER,
        "Ａｂｃ，ＤＥＦ。１２３４５ ６７８９０ ﬁ㎏" * 4,
        "關於推進北京城市副中心高質量發展的實施方案，數字人民幣試點。" * 3,
        "短文",
    ],
)
def test_fingerprints_match_the_reference(text):
    assert Wn.fingerprints(text).tolist() == reference(text)


def test_a_shared_passage_of_w_plus_k_minus_1_characters_always_shares_a_fingerprint():
    passage = GOV_FULL[5000:5200]
    kept = "".join(c for c in normalise(passage) if c.isalnum())[: Wn.W + Wn.K - 1]
    for a, b in [(body(range(0, 10)), body(range(20, 30))), (FOOTER, body(range(40, 44)))]:
        left, right = set(Wn.fingerprints(a + kept + b).tolist()), set(Wn.fingerprints(b + kept).tolist())
        assert left & right
