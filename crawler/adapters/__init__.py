"""Site adapters: one module per site structure, chosen by a source's kind."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from processor.items import ArticleData

from ..clean import clean_fields, text_only
from .base import Adapter, BrokenPage, ListError, ListItem, ListPage
from .beijing_gov import BeijingGov
from .eastmoney import Eastmoney
from .fallback import extract_fallback
from .feed import Feed
from .generic import Generic
from .gov_cn import GovCn
from .jekyll import Jekyll
from .pbc import Pbc
from .sitemap import Sitemap

if TYPE_CHECKING:  # Scrapy loads when a crawl runs, not when the config is read
    from scrapy.http import TextResponse

__all__ = [
    "ADAPTERS",
    "Adapter",
    "BrokenPage",
    "ListError",
    "body_source",
    "next_part",
    "ListItem",
    "ListPage",
    "adapter_for",
    "extract_article",
    "extract_list",
]

ADAPTERS: dict[str, type[Adapter]] = {
    a.kind: a for a in (BeijingGov, GovCn, Pbc, Eastmoney, Jekyll, Feed, Sitemap, Generic)
}
_SITE_ADAPTERS = (BeijingGov(), GovCn(), Pbc(), Eastmoney(), Jekyll())
# The site adapters that read split articles: only they are asked whether a page is theirs for
# its next part (the others' answer would be None; asking costs CSS queries on every article).
_SPLITTING = tuple(a for a in _SITE_ADAPTERS if type(a).next_part is not Adapter.next_part)


def adapter_for(
    kind: str, selectors: dict[str, str] | None = None, options: dict[str, Any] | None = None
) -> Adapter:
    return ADAPTERS[kind](selectors, options)


def extract_article(
    response: TextResponse, adapter: Adapter, article_kind: str = "auto"
) -> ArticleData | None:
    """The site adapter's article, else the one that recognises the page, else trafilatura.

    The `extraction` field records which path produced the article, so a broken selector shows.
    """
    response = text_only(response)
    first = adapter_for(article_kind, adapter.selectors) if article_kind != "auto" else adapter
    article = first.parse_article(response) if first.kind != "feed" else None
    # The page is not what the source's adapter expects: another known site's, or unknown.
    for candidate in _SITE_ADAPTERS:
        if article is not None:
            break
        if candidate.kind != first.kind and candidate.recognises(response):
            article = candidate.parse_article(response)
    if article is None:
        article = extract_fallback(response)
    return clean_fields(article) if article is not None else None


def extract_list(response: TextResponse, adapter: Adapter) -> ListPage:
    """The list page's items, read as text only (no script contents) with control characters gone."""
    page = adapter.parse_list(text_only(response))
    page.items = [clean_fields(item) for item in page.items]
    for item in page.items:
        if item.article is not None:  # an article the list carried whole (eastmoney fast news)
            clean_fields(item.article)
    return page


def next_part(response: TextResponse, adapter: Adapter) -> str | None:
    """The next page of a split article, asked of the source's adapter and the site it looks like."""
    for candidate in (
        adapter,
        *(a for a in _SPLITTING if a.kind != adapter.kind and a.recognises(response)),
    ):
        url = candidate.next_part(response)
        if url:
            return url
    return None


def body_source(response: TextResponse, adapter: Adapter) -> tuple[str, str] | None:
    """(URL, kind) of where a script-shell article page keeps its body (eastmoney's share page ->
    its JSON), asked of the source's adapter, then of every site adapter (a shell has no markup
    to recognise, only its URL). That kind's adapter reads the answer."""
    for candidate in (adapter, *(a for a in _SITE_ADAPTERS if a.kind != adapter.kind)):
        url = candidate.body_url(response)
        if url:
            return url, candidate.kind
    return None
