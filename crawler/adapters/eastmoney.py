"""finance.eastmoney.com news lists and articles (2019 and 2025-26 templates)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlparse

from processor.items import ArticleData

from ..dates import parse_cn_datetime
from .base import Adapter, ListItem, ListPage, absolute, article_from_fragment, first_text, origin_from_text
from .eastmoney_api import (
    API_HEADERS,
    LIST_MODES,
    api_url,
    article_from_json,
    is_share_body,
    parse_api_list,
    share_body_url,
)

if TYPE_CHECKING:  # Scrapy loads when a crawl runs, not when the config is read
    from scrapy.http import TextResponse

__all__ = ["Eastmoney"]

_ARTICLE = re.compile(r"/a/\d{18}\.html$|/news/\d+,\d{18}\.html$")
_LIST_PAGE = re.compile(r"^(?P<stem>.*?)(?:_(?P<n>\d+))?\.html$")


class Eastmoney(Adapter):
    kind = "eastmoney"
    tier = "portal"
    option_help: ClassVar[dict[str, str]] = {
        "list": 'how the list is read: "html" (list pages, the default), "api" (the JSON column API '
        'getNewsByColumns; start_urls names the API) or "fast" (the 7x24 fast news getFastNewsList, '
        "stored from the list itself)",
        "column": 'the column id(s) list = "api" reads, e.g. 350 or "345,346"',
        "fast_column": 'the fast-news column list = "fast" reads (default 102)',
        "page_size": "items asked per API page (default 20)",
    }

    @classmethod
    def check_option(cls, key: str, value: Any) -> str | None:
        if key == "list":
            return None if value in LIST_MODES else f"must be one of {', '.join(LIST_MODES)}, not {value!r}"
        if key in ("column", "fast_column"):
            ok = (isinstance(value, int) and not isinstance(value, bool) and value > 0) or (
                isinstance(value, str) and re.fullmatch(r"\d+(,\d+)*", value)
            )
            return None if ok else f"must be a column id (a number, or ids joined by commas), not {value!r}"
        if key == "page_size":
            ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 200
            return None if ok else f"must be a whole number from 1 to 200, not {value!r}"
        return None

    @property
    def mode(self) -> str:
        return self.options.get("list", "html")

    def list_request(self, url: str) -> tuple[str, dict[str, str]]:
        if self.mode == "html":
            return url, {}
        return api_url(url, self.mode, self.options), dict(API_HEADERS)

    def body_url(self, response: TextResponse) -> str | None:
        return share_body_url(response)

    @classmethod
    def suggest(cls, response: TextResponse) -> dict[str, Any] | None:
        """An eastmoney HTML news list: the ul#newsListContent template anywhere, or any page of
        an eastmoney.com host that links to articles (its lists are redesigned often)."""
        host = (urlparse(response.url).hostname or "").lower()
        if not response.css("ul#newsListContent > li") and not host.endswith("eastmoney.com"):
            return None
        return {"kind": cls.kind} if cls().parse_list(response).items else None

    def parse_list(self, response: TextResponse) -> ListPage:
        if self.mode != "html":
            return parse_api_list(response, self.mode)
        page = ListPage()
        seen: set[str] = set()
        for li in response.css("ul#newsListContent > li"):
            url = absolute(response, li.css("p.title a::attr(href)").get())
            if url and url not in seen:
                seen.add(url)
                title = " ".join(li.css("p.title a ::text").getall()).strip() or None
                page.items.append(ListItem(url, title, first_text(li, "p.time::text")))
        # List pages are redesigned often: any link shaped like an article counts.
        for href in response.css("a::attr(href)").getall():
            url = absolute(response, href)
            if url and _ARTICLE.search(url.split("?")[0]) and url not in seen:
                seen.add(url)
                page.items.append(ListItem(url))
        nxt = response.xpath("//a[contains(normalize-space(.), '下一页')]/@href").get()
        url = absolute(response, nxt)
        if url and url != response.url:
            page.next_urls = [url]
        return page

    def next_part(self, response: TextResponse) -> str | None:
        """Long articles continue on <infoCode>_2.html, _3.html …"""
        m = re.search(r"/(\d{18})(?:_(\d+))?\.html$", response.url.split("?")[0])
        if not m:
            return None
        wanted = f"{m.group(1)}_{int(m.group(2) or 1) + 1}.html"
        href = response.css(f'a[href$="{wanted}"]::attr(href)').get()
        return absolute(response, href)

    def recognises(self, response: TextResponse) -> bool:
        return is_share_body(response) or bool(response.css("#ContentBody, div.newsContent"))

    def parse_article(self, response: TextResponse) -> ArticleData | None:
        if is_share_body(response):
            return article_from_json(response)
        body = response.css("#ContentBody").get()
        if not body:
            return None
        items = [" ".join(i.css("::text").getall()).strip() for i in response.css(".infos .item")]
        title = first_text(response, "div.newsContent > h1::text", "h1::text")
        if not title:
            title = re.sub(r"_东方财富网$", "", first_text(response, "title::text") or "").strip()
        date_text = next((i for i in items if parse_cn_datetime(i)), None) or first_text(
            response, "div.time-source div.time::text", ".time::text"
        )
        media = " ".join(response.css("#ContentBody p.em_media ::text").getall())
        origin = (
            next((origin_from_text(i) for i in items if "来源" in i), None)
            or first_text(response, ".sourcebox span::text", "div.source::attr(data-source)")
            or origin_from_text(media)
        )
        author = next((re.sub(r"^作者\s*[：:]\s*", "", i) for i in items if "作者" in i), None)
        body = re.sub(r'<p class="em_media">.*?</p>', "", body, flags=re.S)
        return article_from_fragment(
            response,
            body,
            title=title,
            published_at=parse_cn_datetime(date_text),
            origin=origin,
            author=author or None,
            summary=first_text(response, "div.b-review::text", "meta[name=description]::attr(content)"),
        )
