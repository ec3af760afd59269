"""Chinese full-text search over the archive: tokens for the index, query parsing, ranking, snippets.

Storage keeps the index tables and runs token queries (storage.fulltext); this package decides what
is indexed and how a person's query is read.
"""

from ._match import ArticleTokens, article_tokens, query_matches
from ._query import MAX_QUERY_CHARS, ParsedQuery, QueryError, Term, parse_query
from ._queryindex import QueryIndex
from ._search import Hit, SearchPage, ensure_index, index_article, rebuild_index, search
from ._snippet import evidence
from ._stories import Copy, StoryHit, StoryPage, search_stories
from ._tokens import index_tokens

__all__ = [
    "MAX_QUERY_CHARS",
    "ArticleTokens",
    "Copy",
    "Hit",
    "ParsedQuery",
    "QueryError",
    "QueryIndex",
    "SearchPage",
    "StoryHit",
    "StoryPage",
    "Term",
    "article_tokens",
    "ensure_index",
    "evidence",
    "index_article",
    "index_tokens",
    "parse_query",
    "query_matches",
    "rebuild_index",
    "search",
    "search_stories",
]
