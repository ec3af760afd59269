"""Any RSS or Atom feed (feedparser); article pages are read by the adapter that recognises them."""

from __future__ import annotations

import feedparser
from scrapy.http import TextResponse

from .base import Adapter, ListItem, ListPage

__all__ = ["Feed"]


class Feed(Adapter):
    kind = "feed"

    def parse_list(self, response: TextResponse) -> ListPage:
        parsed = feedparser.parse(response.body, response_headers={"content-location": response.url})
        page = ListPage()
        for entry in parsed.entries:
            link = entry.get("link")
            if not link:
                continue
            stamp = entry.get("updated") or entry.get("published")
            page.items.append(ListItem(response.urljoin(link), entry.get("title"), stamp))
        return page

    def parse_article(self, response: TextResponse) -> None:
        return None  # a feed links to pages of some other structure; the spider picks the adapter
