"""What a person types -> terms to find and terms to exclude.

Words separated by spaces must all occur (AND); "a quoted phrase" (also “…” or 「…」) must occur as
written; a leading minus excludes a word or phrase. Each term is normalised like the index, so a
traditional-script or full-width query finds simplified text and back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier import normalise

from ._tokens import QueryToken, runs, term_tokens

__all__ = ["MAX_QUERY_CHARS", "MAX_TERMS", "ParsedQuery", "QueryError", "Term", "parse_query"]

MAX_QUERY_CHARS = 500
MAX_TERMS = 12

_QUOTES = {'"': '"', "\uff02": "\uff02", "\u201c": "\u201d", "\u300c": "\u300d", "\u300e": "\u300f"}
_MINUS = "-\uff0d\u2212"
# One term: an optional minus, then a quoted phrase (closing quote optional) or a bare word.
_TERM = re.compile(
    r"(["
    + _MINUS
    + r"]?)(?:"
    + "|".join(f"{re.escape(o)}([^{re.escape(c)}]*){re.escape(c)}?" for o, c in _QUOTES.items())
    + r"|([^\s"
    + "".join(re.escape(o) for o in _QUOTES)
    + r"]+))"
)


class QueryError(ValueError):
    """A query that cannot be searched; the message is for the person who typed it, in Chinese
    (.zh) and English (.en); str() gives both, Chinese first."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.zh, self.en))


@dataclass(frozen=True)
class Term:
    """One word or phrase of a query, normalised, with the index tokens that find it."""

    text: str
    tokens: tuple[QueryToken, ...]
    exclude: bool = False

    @property
    def units(self) -> list[str]:
        """The runs to highlight in text (Han runs and whole words), normalised."""
        return [run for run, _ in runs(self.text)]


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...]
    excluded: tuple[Term, ...]

    @property
    def units(self) -> list[str]:
        return sorted({u for t in self.terms for u in t.units}, key=len, reverse=True)


def parse_query(q: str) -> ParsedQuery:
    """Parse ``q``; raises :class:`QueryError` with a user-facing message when nothing can be searched."""
    if q is None or not q.strip():
        raise QueryError("请输入要搜索的词", "Enter something to search for.")
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(
            f"搜索词过长（{len(q)} 字，最多 {MAX_QUERY_CHARS} 字）",
            f"The query is {len(q)} characters long; at most {MAX_QUERY_CHARS} are allowed.",
        )
    terms: list[Term] = []
    excluded: list[Term] = []
    seen: set[tuple[str, bool]] = set()
    for m in _TERM.finditer(q):
        raw = next((g for g in m.groups()[1:] if g is not None), "")
        minus = bool(m.group(1))
        if not raw and minus:
            continue
        text = normalise(raw)
        tokens = tuple(term_tokens(text))
        if not tokens or (text, minus) in seen:
            continue
        seen.add((text, minus))
        (excluded if minus else terms).append(Term(text, tokens, minus))
    if not terms:
        if excluded:
            raise QueryError(
                "只有排除词：请至少给出一个要查找的词",
                "Only exclusions given: add at least one word to find (e.g. 央行 -通州).",
            )
        raise QueryError(
            "搜索词里没有可查找的文字或数字",
            "The query has no letters, digits or Chinese characters to search for.",
        )
    if len(terms) + len(excluded) > MAX_TERMS:
        raise QueryError(f"词太多（最多 {MAX_TERMS} 个）", f"Too many words: at most {MAX_TERMS}.")
    return ParsedQuery(tuple(terms), tuple(excluded))
