"""Many stored queries against one article, without running each: an index of queries by token.

Each query is filed under one token it cannot match without (its rarest required token, by the
document frequencies given, else a guess: Latin words and numbers before Han bigrams before
one-character prefixes). An article's token set then names the few candidate queries, and only
those are checked with the same rule search applies (search._match).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from typing import Generic, TypeVar

from ._match import ArticleTokens, QueryPlan, plan
from ._query import ParsedQuery
from ._tokens import QueryToken

__all__ = ["QueryIndex", "index_key"]

K = TypeVar("K", bound=Hashable)


def _key(tok: QueryToken) -> str:
    return tok.text[:1] + "*" if tok.prefix else tok.text


def _guess(tok: QueryToken) -> tuple[int, int]:
    """Smaller is rarer, with no counts at hand: a prefix matches many tokens; a long word few."""
    if tok.prefix:
        return (2, 0)
    return (1, 0) if len(tok.text) == 2 and not tok.text.isascii() else (0, -len(tok.text))


def index_key(parsed: ParsedQuery, df: Mapping[str, int] | None = None) -> str:
    """The token a query is filed under: its rarest required token ("c*" for a prefix)."""
    tokens = [t for term in parsed.terms for t in term.tokens]
    if df:
        return _key(min(tokens, key=lambda t: (df.get(_key(t), 0), _guess(t))))
    return _key(min(tokens, key=_guess))


class QueryIndex(Generic[K]):
    """Parsed queries by key (a watch id...); :meth:`matching` returns the keys an article matches.

    ``df``: how many of a sample of articles hold each token ("c*": a token beginning with c), so
    each query is filed under its rarest; without it, a guess."""

    def __init__(self, df: Mapping[str, int] | None = None) -> None:
        self._df = df
        self._by_token: dict[str, dict[K, QueryPlan]] = {}  # whole tokens
        self._by_char: dict[str, dict[K, QueryPlan]] = {}  # prefixes: a token beginning with this
        self._token_of: dict[K, str] = {}
        self._names: tuple[frozenset[str], frozenset[str]] | None = None  # the two dicts' keys

    def __len__(self) -> int:
        return len(self._token_of)

    def add(self, key: K, parsed: ParsedQuery) -> None:
        self.discard(key)
        self._names = None
        token = index_key(parsed, self._df)
        self._bucket(token).setdefault(token.rstrip("*") if token.endswith("*") else token, {})[key] = plan(
            parsed
        )
        self._token_of[key] = token

    def _bucket(self, token: str) -> dict[str, dict[K, QueryPlan]]:
        return self._by_char if token.endswith("*") and len(token) == 2 else self._by_token

    def discard(self, key: K) -> None:
        token = self._token_of.pop(key, None)
        if token is None:
            return
        self._names = None
        by = self._bucket(token)
        name = token[:-1] if by is self._by_char else token
        by[name].pop(key, None)
        if not by[name]:
            del by[name]

    def candidates(self, doc: ArticleTokens) -> Iterator[tuple[K, QueryPlan]]:
        """The queries filed under a token the article has (a superset of those it matches)."""
        if self._names is None:
            self._names = (frozenset(self._by_token), frozenset(self._by_char))
        tokens, chars = self._names
        for by, names in ((self._by_token, tokens & doc.keys), (self._by_char, chars & doc.chars)):
            for name in names:
                yield from by[name].items()

    def matching(self, doc: ArticleTokens) -> list[K]:
        """Keys of the queries this article matches (search's rule), in no particular order."""
        return [key for key, p in self.candidates(doc) if p.matches(doc)]
