"""Does one article's text match a parsed query? The index's answer, computed in memory.

An article is found by :func:`search.search` when every term's token phrase stands at consecutive
positions of its title tokens or of its body tokens (a phrase never spans the two), and no
exclusion's phrase does. This module applies that rule to the very tokens :func:`index_tokens`
writes to the index, so a watch (processor.watches) alerts exactly on what search would list.

A field is kept as its token string padded with spaces (" t1 t2 ... "), so a phrase of whole
tokens is a substring test and a phrase with a prefix token (a Han character that may begin a
longer token) a small regex: both run in C, which is what lets one article meet 10,000 watches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ._query import ParsedQuery, Term
from ._tokens import QueryToken, index_tokens

__all__ = ["ArticleTokens", "QueryPlan", "article_tokens", "plan", "query_matches", "term_in"]


@dataclass(frozen=True)
class ArticleTokens:
    """An article's title and body as the index sees them, ready for many queries."""

    title: str  # " t1 t2 ... " (the title's index tokens, space-padded)
    body: str
    keys: frozenset[str]  # every token
    chars: frozenset[str]  # every character of a token: a superset of what prefix tokens begin with


def article_tokens(title: str, body: str, tokens: tuple[str, str] | None = None) -> ArticleTokens:
    """Tokenise an article once (the index's tokens) to test it against any number of queries;
    ``tokens``: the title's and body's index tokens when already made (search.index_article)."""
    t, b = tokens if tokens is not None else (index_tokens(title or ""), index_tokens(body or ""))
    keys = frozenset(t.split()) | frozenset(b.split())
    return ArticleTokens(f" {t} ", f" {b} ", keys, frozenset(t) | frozenset(b))


Finder = Callable[[str], bool]


def _finder(tokens: tuple[QueryToken, ...]) -> Finder:
    """A test for the phrase in one padded field string."""
    if not any(t.prefix for t in tokens):
        needle = " " + " ".join(t.text for t in tokens) + " "
        return lambda field: needle in field
    parts = [
        re.escape(t.text) + ("[^ ]*" if t.prefix and k < len(tokens) - 1 else "")
        for k, t in enumerate(tokens)
    ]
    last = "" if tokens[-1].prefix else " "
    pattern = re.compile(" " + " ".join(parts) + last)
    return lambda field: pattern.search(field) is not None


@dataclass(frozen=True)
class QueryPlan:
    """A parsed query made ready to test many articles: the tokens it cannot match without (a
    set test, which settles one-token terms and exclusions alone), then a finder per longer term
    and exclusion."""

    keys: frozenset[str]
    chars: frozenset[str]
    terms: tuple[Finder, ...]  # terms of several tokens or a prefix
    excluded_keys: frozenset[str]  # one-token exclusions: a token that must not occur
    excluded: tuple[Finder, ...]

    def matches(self, doc: ArticleTokens) -> bool:
        if not (
            self.keys <= doc.keys and self.chars <= doc.chars and self.excluded_keys.isdisjoint(doc.keys)
        ):
            return False
        title, body = doc.title, doc.body
        for found in self.terms:
            if not (found(body) or found(title)):
                return False
        return not any(found(body) or found(title) for found in self.excluded)


def _single(term: Term) -> bool:
    return len(term.tokens) == 1 and not term.tokens[0].prefix


def plan(parsed: ParsedQuery) -> QueryPlan:
    """The query compiled for :meth:`QueryPlan.matches`."""
    tokens = [t for term in parsed.terms for t in term.tokens]
    return QueryPlan(
        frozenset(t.text for t in tokens if not t.prefix),
        frozenset(t.text[:1] for t in tokens if t.prefix),
        tuple(_finder(term.tokens) for term in parsed.terms if not _single(term)),
        frozenset(term.tokens[0].text for term in parsed.excluded if _single(term)),
        tuple(_finder(term.tokens) for term in parsed.excluded if not _single(term)),
    )


_plan = lru_cache(maxsize=4096)(plan)


def term_in(term: Term, doc: ArticleTokens) -> bool:
    """Does the term's token phrase occur in the title or in the body?"""
    found = _finder(term.tokens)
    return found(doc.body) or found(doc.title)


def query_matches(parsed: ParsedQuery, doc: ArticleTokens) -> bool:
    """Would search list this article for the query: every term found, no exclusion found."""
    return _plan(parsed).matches(doc)
