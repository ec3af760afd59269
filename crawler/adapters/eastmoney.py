"""finance.eastmoney.com news lists and articles (2019 and 2025-26 templates)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from scrapy.http import TextResponse

from processor.items import ArticleData

from ..dates import parse_cn_datetime
from .base import Adapter, ListItem, ListPage, absolute, article_from_fragment, first_text, origin_from_text

__all__ = ["Eastmoney"]

_ARTICLE = re.compile(r"/a/\d{18}\.html$|/news/\d+,\d{18}\.html$")
_LIST_PAGE = re.compile(r"^(?P<stem>.*?)(?:_(?P<n>\d+))?\.html$")


class Eastmoney(Adapter):
    kind = "eastmoney"
    tier = "portal"

    @classmethod
    def suggest(cls, response: TextResponse) -> dict[str, Any] | None:
        """An eastmoney HTML news list: the ul#newsListContent template anywhere, or any page of
        an eastmoney.com host that links to articles (its lists are redesigned often)."""
        host = (urlparse(response.url).hostname or "").lower()
        if not response.css("ul#newsListContent > li") and not host.endswith("eastmoney.com"):
            return None
        return {"kind": cls.kind} if cls().parse_list(response).items else None

    def parse_list(self, response: TextResponse) -> ListPage:
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
        return bool(response.css("#ContentBody, div.newsContent"))

    def parse_article(self, response: TextResponse) -> ArticleData | None:
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
