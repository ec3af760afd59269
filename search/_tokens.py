"""Text -> index tokens, one token per character position of Chinese text.

A run of Han characters ``c0 c1 ... cn`` becomes the overlapping bigrams ``c0c1 c1c2 ...`` followed
by the run's last character alone (what Lucene's CJK analyzer indexes, plus that tail), so every
character has one token that starts with it at its own position. Any run of two or more characters a
person types is then the phrase of its bigrams, and a single character is a prefix token: nothing
needs a dictionary, and two-character words a trigram index misses (央行, 通州) are found. Latin
words and numbers (CBDC, 2025) are one token each. Text is normalised first with the classifier's
normaliser (NFKC, full-width, lower case, traditional -> simplified), so both scripts meet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from operator import add
from typing import Any

import numpy as _np  # the array path of index_tokens (a dependency of ours, see pyproject.toml)

from classifier import normalise_fast

__all__ = ["QueryToken", "index_tokens", "runs", "term_tokens"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
# A Han run, or a run of other word characters (letters and digits of any script, no underscore).
_RUNS = re.compile(f"([{_HAN}]+)|([^\\W_{_HAN}]+)")


@dataclass(frozen=True)
class QueryToken:
    """One index token a query asks for; ``prefix`` matches every token that starts with it."""

    text: str
    prefix: bool = False


def runs(normalised: str) -> list[tuple[str, bool]]:
    """The word runs of normalised text in order, each with True for a Han run."""
    return [(han or word, bool(han)) for han, word in _RUNS.findall(normalised)]


def _han_tokens(run: str) -> str:
    if len(run) == 1:
        return run
    return " ".join(map(add, run[:-1], run[1:])) + " " + run[-1]


def index_tokens(text: str) -> str:
    """The space-separated index tokens of ``text`` (title or body), in text order."""
    if not text:
        return ""
    normalised, _, points = normalise_fast(text)
    if points is not None:
        return _index_tokens_np(points)
    return " ".join(_han_tokens(han) if han else word for han, word in _RUNS.findall(normalised))


@lru_cache(maxsize=1)
def _luts() -> tuple[Any, Any]:
    """BMP tables: Han characters, and the other word characters of :data:`_RUNS`."""
    han = _np.zeros(0x10000, dtype=bool)
    word = _np.zeros(0x10000, dtype=bool)
    han_re, word_re = re.compile(f"[{_HAN}]"), re.compile(f"[^\\W_{_HAN}]")
    for o in range(0x10000):
        if 0xD800 <= o <= 0xDFFF:
            continue
        c = chr(o)
        han[o] = han_re.match(c) is not None
        word[o] = word_re.match(c) is not None
    return han, word


def _index_tokens_np(points: Any) -> str:
    """:func:`index_tokens` on normalised BMP code points, in a few array operations (the same
    string; ~5x faster on an article): per position, its character, the next one when both are
    Han (a bigram), and a space after a Han token or at the end of a word."""
    n = len(points)
    if n == 0:
        return ""
    han_lut, word_lut = _luts()
    han = han_lut.take(points)
    word = word_lut.take(points)
    out = _np.zeros((n, 3), dtype=_np.uint32)
    out[:, 0] = _np.where(han | word, points, 0)
    bigram = han[:-1] & han[1:]
    out[:-1, 1][bigram] = points[1:][bigram]
    word_end = word.copy()
    word_end[:-1] &= ~word[1:]
    out[:, 2] = _np.where(han | word_end, 0x20, 0)
    flat = out.ravel()
    return flat[flat != 0].tobytes().decode("utf-32-le").rstrip(" ")


def term_tokens(normalised: str) -> list[QueryToken]:
    """The token phrase that finds ``normalised`` (one query word or quoted phrase) in the index.

    A Han run asks for its bigrams; its last character is asked for too (as a prefix: in the text
    it may begin a longer run) when the run is one character or something follows it in the phrase.
    """
    parts = runs(normalised)
    out: list[QueryToken] = []
    for k, (run, han) in enumerate(parts):
        if not han:
            out.append(QueryToken(run))
            continue
        out.extend(QueryToken(a + b) for a, b in zip(run[:-1], run[1:], strict=False))
        if len(run) == 1 or k < len(parts) - 1:
            out.append(QueryToken(run[-1], prefix=True))
    return out
