"""Many stored queries against one article, without running each: an index of queries by token.

Each query is filed under one token it cannot match without (its rarest required token, by the
document frequencies given, else a guess: Latin words and numbers before Han bigrams before
one-character prefixes). An article's token set then names the few candidate queries, and only
those are checked with :func:`query_matches`, the same rule search applies.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

from ._match import ArticleTokens, query_matches
from ._query import ParsedQuery
from ._tokens import QueryToken

__all__ = ["QueryIndex", "index_key"]

K = TypeVar("K", bound=Hashable)


def _key(tok: QueryToken) -> str:
    return tok.text + "*" if tok.prefix else tok.text


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
    """Parsed queries by key (a watch id...); :meth:`matching` returns the keys an article matches."""

    def __init__(self, df: Mapping[str, int] | None = None) -> None:
        self._df = df
        self._by_token: dict[str, dict[K, ParsedQuery]] = {}
        self._token_of: dict[K, str] = {}

    def __len__(self) -> int:
        return len(self._token_of)

    def add(self, key: K, parsed: ParsedQuery) -> None:
        self.discard(key)
        token = index_key(parsed, self._df)
        self._by_token.setdefault(token, {})[key] = parsed
        self._token_of[key] = token

    def discard(self, key: K) -> None:
        token = self._token_of.pop(key, None)
        if token is not None:
            bucket = self._by_token[token]
            bucket.pop(key, None)
            if not bucket:
                del self._by_token[token]

    def candidates(self, doc: ArticleTokens) -> Iterable[tuple[K, ParsedQuery]]:
        """The queries filed under a token the article has (a superset of those it matches)."""
        by_token = self._by_token
        if len(by_token) < len(doc.keys):
            for token, bucket in by_token.items():
                if token in doc.keys:
                    yield from bucket.items()
        else:
            for token in doc.keys:
                bucket = by_token.get(token)
                if bucket:
                    yield from bucket.items()

    def matching(self, doc: ArticleTokens) -> list[K]:
        """Keys of the queries this article matches (search's rule), in no particular order."""
        return [key for key, parsed in self.candidates(doc) if query_matches(parsed, doc)]
