"""A site described only by the user's CSS or XPath selectors."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from processor.items import ArticleData

from ..dates import parse_cn_datetime
from ..selectors import is_xpath
from .base import Adapter, ListItem, ListPage, absolute, article_from_fragment, origin_from_text

if TYPE_CHECKING:
    from parsel import Selector, SelectorList  # Scrapy loads when a crawl runs, not when the config is read
    from scrapy.http import TextResponse

__all__ = ["Generic", "select"]


def select(sel: Selector | TextResponse, query: str) -> SelectorList:
    """XPath when the query looks like one ('/', './', '(' ), CSS otherwise."""
    q = query.strip()
    return sel.xpath(q) if is_xpath(q) else sel.css(q)


def _text(sel: Selector | TextResponse, query: str | None) -> str | None:
    if not query:
        return None
    found = select(sel, query)
    values = (
        found.getall()
        if ("::" in query or "/@" in query or "text()" in query)
        else [" ".join(s.css("::text").getall()) for s in found]
    )
    for value in values:
        value = re.sub(r"\s+", " ", value).strip()
        if value:
            return value
    return None


class Generic(Adapter):
    kind = "generic"

    def parse_list(self, response: TextResponse) -> ListPage:
        s = self.selectors
        page = ListPage()
        for item in select(response, s["list_item"]):
            link_q = s.get("link", "a::attr(href)")
            href = select(item, link_q).get()
            url = absolute(response, href)
            if url:
                page.items.append(ListItem(url, _text(item, s.get("title", "a")), _text(item, s.get("date"))))
        if s.get("next_page"):
            found = select(response, s["next_page"])
            nxt = found.attrib.get("href") if found and not found.get("").startswith("http") else found.get()
            url = absolute(response, nxt)
            if url and url != response.url:
                page.next_urls = [url]
        return page

    def parse_article(self, response: TextResponse) -> ArticleData | None:
        s = self.selectors
        found = select(response, s["article_body"]) if s.get("article_body") else None
        if not found:  # no article selectors (what `sources add` writes): trafilatura reads the page
            return None
        body = "".join(found.getall())
        origin = _text(response, s.get("article_origin"))
        return article_from_fragment(
            response,
            body,
            title=_text(response, s.get("article_title", "h1")),
            published_at=parse_cn_datetime(_text(response, s.get("article_date"))),
            origin=origin_from_text(origin) or origin,
        )
