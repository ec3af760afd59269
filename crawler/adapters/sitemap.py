"""Sites that publish sitemaps: robots.txt, sitemap indexes and urlsets (Scrapy's SitemapSpider logic).

A urlset's <url> entries are the list items, their <lastmod> the item's stamp: the spider skips a
stored URL whose stamp has not changed, so an incremental crawl fetches only new and modified
pages. robots.txt and sitemap indexes are pages of pages (ListPage.index). Article pages are
read by the site adapter that recognises them, else trafilatura.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from .base import Adapter, ListError, ListItem, ListPage

if TYPE_CHECKING:  # Scrapy loads when a crawl runs, not when the config is read
    from scrapy.http import Response, TextResponse

__all__ = ["Sitemap", "sitemap_body"]

MAX_SIZE = 50 * 1024 * 1024  # the sitemap protocol's own limit for one uncompressed file


def sitemap_body(response: Response) -> bytes | None:
    """The sitemap XML in the response (gunzipped), or None when it is no sitemap."""
    from scrapy.http import XmlResponse
    from scrapy.utils.gz import gunzip, gzip_magic_number

    body = response.body
    if gzip_magic_number(response):
        try:
            body = gunzip(body, max_size=MAX_SIZE)
        except Exception:
            return None
    head = body[:2000].lstrip().lower()
    if isinstance(response, XmlResponse) or head.startswith(b"<?xml") or b"<urlset" in head:
        return body if (b"<urlset" in head or b"<sitemapindex" in head) else None
    return None


class Sitemap(Adapter):
    kind = "sitemap"
    option_help: ClassVar[dict[str, str]] = {
        "pattern": 'a regular expression: only page URLs it matches (re.search) are read, e.g. "/news/"',
    }

    @classmethod
    def check_option(cls, key: str, value: Any) -> str | None:
        if key == "pattern":
            if not isinstance(value, str) or not value:
                return f"must be a regular expression (a string), not {value!r}"
            try:
                re.compile(value)
            except re.error as exc:
                return f"is not a valid regular expression: {exc}"
        return None

    @classmethod
    def suggest(cls, response: TextResponse) -> dict[str, Any] | None:
        """A sitemap (index or urlset, gzipped or not) is watched as it is."""
        from scrapy.utils.sitemap import Sitemap as SitemapXml

        body = sitemap_body(response)
        if body is None:
            return None
        xml = SitemapXml(body)
        return {"kind": cls.kind} if xml.type in ("urlset", "sitemapindex") else None

    def parse_list(self, response: TextResponse) -> ListPage:
        from scrapy.utils.sitemap import Sitemap as SitemapXml
        from scrapy.utils.sitemap import sitemap_urls_from_robots

        if response.url.split("?")[0].endswith("/robots.txt"):
            urls = list(sitemap_urls_from_robots(response.body, base_url=response.url))
            if not urls:
                raise ListError("robots.txt names no sitemap (no 'Sitemap:' line)")
            return ListPage(next_urls=list(dict.fromkeys(urls)), index=True)
        body = sitemap_body(response)
        if body is None:
            raise ListError("not a sitemap (no <urlset> or <sitemapindex>)")
        xml = SitemapXml(body)
        if xml.type == "sitemapindex":
            urls = [response.urljoin(e["loc"]) for e in xml if e.get("loc")]
            return ListPage(next_urls=list(dict.fromkeys(urls)), index=True)
        pattern = re.compile(self.options["pattern"]) if self.options.get("pattern") else None
        page = ListPage()
        seen: set[str] = set()
        for entry in xml:
            url = response.urljoin(entry.get("loc") or "")
            if url in seen or not entry.get("loc") or (pattern and not pattern.search(url)):
                continue
            seen.add(url)
            page.items.append(ListItem(url, None, entry.get("lastmod") or None))
        return page

    def parse_article(self, response: TextResponse) -> None:
        return None  # a sitemap lists pages of some other structure; the spider picks the adapter
