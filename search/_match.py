"""Does one article's text match a parsed query? The index's answer, computed in memory.

An article is found by :func:`search.search` when every term's token phrase stands at consecutive
positions of its title tokens or of its body tokens (a phrase never spans the two), and no
exclusion's phrase does. This module applies that rule to the very tokens :func:`index_tokens`
writes to the index, so a watch (processor.watches) alerts exactly on what search would list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ._query import ParsedQuery, Term
from ._tokens import QueryToken, index_tokens

__all__ = ["ArticleTokens", "article_tokens", "query_matches", "term_in"]


@dataclass
class _Field:
    """One field's tokens with, per token and per first character (prefix tokens), their positions."""

    tokens: list[str]
    at: dict[str, list[int]] = field(default_factory=dict)
    _starts: dict[str, list[int]] | None = None

    @classmethod
    def of(cls, tokens: list[str]) -> _Field:
        at: dict[str, list[int]] = {}
        for i, tok in enumerate(tokens):
            have = at.get(tok)
            if have is None:
                at[tok] = [i]
            else:
                have.append(i)
        return cls(tokens, at)

    def positions(self, tok: QueryToken) -> Iterable[int]:
        if not tok.prefix:
            return self.at.get(tok.text, ())
        if len(tok.text) == 1:  # term_tokens' prefixes: one Han character
            if self._starts is None:
                starts: dict[str, list[int]] = {}
                for t, pos in self.at.items():
                    starts.setdefault(t[0], []).extend(pos)
                self._starts = starts
            return self._starts.get(tok.text, ())
        return sorted(p for t, pos in self.at.items() if t.startswith(tok.text) for p in pos)

    def has(self, tok: QueryToken, i: int) -> bool:
        if i >= len(self.tokens):
            return False
        have = self.tokens[i]
        return have.startswith(tok.text) if tok.prefix else have == tok.text

    def phrase(self, tokens: tuple[QueryToken, ...]) -> bool:
        first, rest = tokens[0], tokens[1:]
        for p in self.positions(first):
            if all(self.has(t, p + k) for k, t in enumerate(rest, 1)):
                return True
        return False


@dataclass
class ArticleTokens:
    """An article's title and body as the index sees them, ready for many queries."""

    title: _Field
    body: _Field
    keys: frozenset[str]  # every token, plus "c*" for each first character (what prefixes look up)


def article_tokens(title: str, body: str) -> ArticleTokens:
    """Tokenise an article once (the index's tokens) to test it against any number of queries."""
    t = index_tokens(title or "").split()
    b = index_tokens(body or "").split()
    ft, fb = _Field.of(t), _Field.of(b)
    words = ft.at.keys() | fb.at.keys()
    keys = frozenset(words | {w[0] + "*" for w in words})
    return ArticleTokens(ft, fb, keys)


def term_in(term: Term, doc: ArticleTokens) -> bool:
    """Does the term's token phrase occur in the title or in the body?"""
    return doc.title.phrase(term.tokens) or doc.body.phrase(term.tokens)


def query_matches(parsed: ParsedQuery, doc: ArticleTokens) -> bool:
    """Would search list this article for the query: every term found, no exclusion found."""
    return all(term_in(t, doc) for t in parsed.terms) and not any(term_in(t, doc) for t in parsed.excluded)
