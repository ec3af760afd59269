"""Site adapters: one module per site structure, chosen by a source's kind."""

from __future__ import annotations

from scrapy.http import TextResponse

from processor.items import ArticleData

from .base import Adapter, BrokenPage, ListItem, ListPage
from .beijing_gov import BeijingGov
from .eastmoney import Eastmoney
from .fallback import extract_fallback
from .feed import Feed
from .generic import Generic
from .gov_cn import GovCn
from .jekyll import Jekyll

__all__ = [
    "ADAPTERS",
    "Adapter",
    "BrokenPage",
    "next_part",
    "ListItem",
    "ListPage",
    "adapter_for",
    "extract_article",
]

ADAPTERS: dict[str, type[Adapter]] = {
    a.kind: a for a in (BeijingGov, GovCn, Eastmoney, Jekyll, Feed, Generic)
}
_SITE_ADAPTERS = (BeijingGov(), GovCn(), Eastmoney(), Jekyll())


def adapter_for(kind: str, selectors: dict[str, str] | None = None) -> Adapter:
    return ADAPTERS[kind](selectors)


def extract_article(
    response: TextResponse, adapter: Adapter, article_kind: str = "auto"
) -> ArticleData | None:
    """The site adapter's article, else the one that recognises the page, else trafilatura.

    The `extraction` field records which path produced the article, so a broken selector shows.
    """
    first = adapter_for(article_kind, adapter.selectors) if article_kind != "auto" else adapter
    if first.kind != "feed":
        article = first.parse_article(response)
        if article is not None:
            return article
    # The page is not what the source's adapter expects: another known site's, or unknown.
    for candidate in _SITE_ADAPTERS:
        if candidate.kind != first.kind and candidate.recognises(response):
            article = candidate.parse_article(response)
            if article is not None:
                return article
    return extract_fallback(response)


def next_part(response: TextResponse, adapter: Adapter) -> str | None:
    """The next page of a split article, asked of the source's adapter and the site it looks like."""
    for candidate in (
        adapter,
        *(a for a in _SITE_ADAPTERS if a.kind != adapter.kind and a.recognises(response)),
    ):
        url = candidate.next_part(response)
        if url:
            return url
    return None
