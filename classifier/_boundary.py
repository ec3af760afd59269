"""Word-boundary confirmation: is a candidate hit a whole word, or a fragment of a longer one?

Segmenting whole articles with jieba runs at ~400 KB/s, far too slow for
thousands of articles per second.  jieba (taught all terms) runs only on a
~20-character window around a hit whose edge touches another Han character,
and only when a dictionary word could cross that edge at all.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from math import log

from ._cache import cache_key, cached
from ._normalise import is_cjk

_CONTEXT = 4  # chars of context each side of a hit given to jieba
_MAX_CROSS = 5  # longest dictionary word looked for across a hit edge
# Common words missing from jieba's dictionary whose absence would let a
# topic term win a segmentation it should lose (低碳|交易所 vs 低|碳交易|所).
_EXTRA_WORDS = {"低碳": 5000, "零碳": 2000, "负碳": 1000}
_SEG_CACHE_MAX = 50_000
_CONFIRM_CACHE_MAX = 200_000


_dictionary_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load_default_dictionary() -> tuple[dict[str, int], int]:
    import jieba

    base = jieba.Tokenizer()
    level = jieba.default_logger.level
    jieba.default_logger.setLevel(logging.WARNING)
    try:
        base.initialize()
    finally:
        jieba.default_logger.setLevel(level)
    return base.FREQ, base.total


def _default_dictionary() -> tuple[dict[str, int], int]:
    """jieba's default dictionary, loaded once per process (~1 s) and never changed: each
    tokenizer gets its own copy, so sharing it does not tie a process to one crawl."""
    with _dictionary_lock:  # two classifiers built at once load it once
        return _load_default_dictionary()


def new_tokenizer(words: set[str]) -> Dictionary:
    """jieba's default dictionary taught ``words``, as a private :class:`Dictionary`.

    Private so teaching it our terms does not change segmentation for other
    packages that use the global ``jieba`` instance. The taught dictionary
    comes from the on-disk cache when one was built for the same words: jieba
    itself is then not even imported (its import alone costs ~0.2 s).
    """
    taught = sorted(w for w in words if any(is_cjk(c) for c in w))
    key = cache_key(repr(sorted(_EXTRA_WORDS.items())), *taught, libraries=["jieba"])
    freq, total = cached("tokenizer", key, lambda: _taught_dictionary(taught))
    return Dictionary(freq, total)


class Dictionary:
    """jieba's dictionary segmentation (HMM off) over a taught word -> frequency table.

    ``get_DAG`` and ``calc`` are jieba's own (jieba/__init__.py, MIT licence), line for line, so
    the segmentation is jieba's; only the dictionary comes from our cache.
    """

    def __init__(self, freq: dict[str, int], total: int) -> None:
        self.FREQ = freq
        self.total = total

    def get_DAG(self, sentence: str) -> dict[int, list[int]]:  # noqa: N802 - jieba's name
        freq = self.FREQ
        dag: dict[int, list[int]] = {}
        n = len(sentence)
        for k in range(n):
            tmplist = []
            i = k
            frag = sentence[k]
            while i < n and frag in freq:
                if freq[frag]:
                    tmplist.append(i)
                i += 1
                frag = sentence[k : i + 1]
            if not tmplist:
                tmplist.append(k)
            dag[k] = tmplist
        return dag

    def calc(self, sentence: str, dag: dict[int, list[int]], route: dict[int, tuple[float, int]]) -> None:
        freq = self.FREQ
        n = len(sentence)
        route[n] = (0, 0)
        logtotal = log(self.total)
        for idx in range(n - 1, -1, -1):
            route[idx] = max(
                (log(freq.get(sentence[idx : x + 1]) or 1) - logtotal + route[x + 1][0], x) for x in dag[idx]
            )


def _taught_dictionary(words: list[str]) -> tuple[dict[str, int], int]:
    import jieba

    freq, total = _default_dictionary()
    tok = jieba.Tokenizer()
    tok.FREQ = dict(freq)
    tok.total = total
    tok.initialized = True
    for word, f in _EXTRA_WORDS.items():
        tok.add_word(word, f)
    for word in words:
        tok.add_word(word)
    return tok.FREQ, tok.total


def word_crosses(text: str, pos: int, s: int, e: int, freq: dict[str, int]) -> bool:
    """Could a dictionary word straddle edge ``pos`` of the hit ``text[s:e]``?

    With HMM off, jieba only emits dictionary words (freq > 0) or single
    characters, so when no word of up to _MAX_CROSS chars crosses the edge
    without covering the whole hit, no segmentation can split the hit there
    and jieba need not run.
    """
    n = len(text)
    for a in range(max(0, pos - _MAX_CROSS + 1), pos):
        # jieba's FREQ holds every prefix of every word (freq 0), so when
        # text[a:pos] is missing no word starting at a reaches past pos
        if text[a:pos] not in freq:
            continue
        for b in range(pos + 1, min(n, a + _MAX_CROSS) + 1):
            if a <= s and b >= e:
                break  # covers the hit (副中心 inside 城市副中心): fine, and so does every longer b
            f = freq.get(text[a:b])
            if f is None:
                break  # not even a prefix: no longer word either
            if f:
                return True
    return False


class Boundaries:
    """Confirms hits against jieba's segmentation; caches windows seen before (reused text is common)."""

    def __init__(self, words: set[str]) -> None:
        self.tok = new_tokenizer(words)
        self.seg_cache: dict[str, list[int]] = {}
        self.confirm_cache: dict[tuple[str, int, int], bool] = {}

    def clear(self) -> None:
        """Forget every decision seen before (the bench measures new text this way)."""
        self.seg_cache.clear()
        self.confirm_cache.clear()

    def segment(self, window: str) -> list[int]:
        """Token boundaries of jieba's dictionary segmentation (HMM off) of ``window``.

        Calls jieba's DAG and route directly: the same segmentation as
        ``cut(window, HMM=False)`` for Han text, without the generator and
        regex block-splitting overhead that dominates on 15-char windows.
        """
        cached = self.seg_cache.get(window)
        if cached is None:
            dag = self.tok.get_DAG(window)
            route: dict[int, tuple[float, int]] = {}
            self.tok.calc(window, dag, route)
            cached = [0]
            x, n = 0, len(window)
            while x < n:
                x = route[x][1] + 1
                cached.append(x)
            if len(self.seg_cache) > _SEG_CACHE_MAX:
                self.seg_cache.clear()
            self.seg_cache[window] = cached
        return cached

    def confirm(self, text: str, s: int, e: int) -> bool:
        """Is text[s:e] a whole word (or sequence of words), not a fragment?

        Latin terms need non-alphanumeric neighbours.  A Han edge next to
        another Han character is checked with jieba: the hit is rejected when
        a token crosses one of its edges (低|碳交易 inside 低碳交易所); a
        token wholly containing it is fine (副中心 inside 城市副中心).
        """
        n = len(text)
        left = right = False
        if s > 0:  # inline rather than a helper: this runs for every candidate hit
            a, b = text[s - 1], text[s]
            if a.isascii() and b.isascii():
                if a.isalnum() and b.isalnum():
                    return False
            else:
                left = is_cjk(a) and is_cjk(b)
        if e < n:
            a, b = text[e - 1], text[e]
            if a.isascii() and b.isascii():
                if a.isalnum() and b.isalnum():
                    return False
            else:
                right = is_cjk(a) and is_cjk(b)
        if not (left or right):
            return True
        ws = max(0, s - _CONTEXT)
        window = text[ws : e + _CONTEXT]
        rs, re_ = s - ws, e - ws
        ck = (window, rs, re_)
        ok = self.confirm_cache.get(ck)
        if ok is None:
            freq = self.tok.FREQ
            if (left and word_crosses(window, rs, rs, re_, freq)) or (
                right and word_crosses(window, re_, rs, re_, freq)
            ):
                ok = self._straddles_no_token(window, rs, re_)
            else:
                ok = True
            if len(self.confirm_cache) > _CONFIRM_CACHE_MAX:
                self.confirm_cache.clear()
            self.confirm_cache[ck] = ok
        return ok

    def _straddles_no_token(self, window: str, rs: int, re_: int) -> bool:
        bounds = self.segment(window)
        for i in range(len(bounds) - 1):
            ts, te = bounds[i], bounds[i + 1]
            if te <= rs:
                continue
            if ts >= re_:
                break
            inside = ts >= rs and te <= re_
            contains = ts <= rs and te >= re_
            if not inside and not contains:
                return False
        return True
