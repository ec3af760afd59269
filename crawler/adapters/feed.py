"""Any RSS or Atom feed (feedparser); article pages are read by the adapter that recognises them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .base import Adapter, ListItem, ListPage

if TYPE_CHECKING:  # Scrapy loads when a crawl runs, not when the config is read
    from scrapy.http import TextResponse

__all__ = ["Feed"]

# What an RSS, RDF or Atom document starts with, after an optional BOM, XML declaration and comments.
_FEED_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<\?[^>]*>\s*)*<(?:rss|feed|rdf:RDF)\b", re.S
)


class Feed(Adapter):
    kind = "feed"

    @classmethod
    def suggest(cls, response: TextResponse) -> dict[str, Any] | None:
        """An RSS or Atom document with entries (an HTML page that links to one is `sources add`'s
        business: it follows <link rel="alternate">)."""
        if not _FEED_START.match(response.body[:1024]):
            return None
        return {"kind": cls.kind} if cls().parse_list(response).items else None

    def parse_list(self, response: TextResponse) -> ListPage:
        import feedparser  # here: reading the config (every command) needs the kind, not the parser

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
