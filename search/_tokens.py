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
from operator import add

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
    normalised = normalise_fast(text)[0]
    return " ".join(_han_tokens(han) if han else word for han, word in _RUNS.findall(normalised))


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
