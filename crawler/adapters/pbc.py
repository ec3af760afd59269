"""pbc.gov.cn (the People's Bank of China): table list pages of news columns and #zoom articles.

List rows are `<font class="newslist_style"><a href title>` with the date in a sibling
`<span class="hui12">`; the link text is cut with "…", so titles come from `title`. Later pages
are `<column>-<N>.html` (or `index<N>.html` in older columns), 20 rows each.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from processor.items import ArticleData

from ..dates import parse_cn_datetime
from .base import Adapter, ListItem, ListPage, absolute, article_from_fragment, first_text, origin_from_text

if TYPE_CHECKING:  # Scrapy (and lxml) load when a crawl runs, not when the config is read
    from parsel import Selector
    from scrapy.http import TextResponse

__all__ = ["Pbc"]

_ROWS = "font.newslist_style"
_BODY = ("#zoom", "div.xxy_text")
# Files linked from an article (the notice's full text, forms, tables): kept as attachments.
_ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|ofd|zip|rar|7z|txt|csv)$", re.I)
_PAGE_NO = re.compile(r"(?:-(\d+)|index(\d+))\.html?$")
_CUT = re.compile(r"\s*(…|\.\.\.)+\s*$")


def _page_number(url: str) -> int:
    m = _PAGE_NO.search(urlsplit(url).path)
    return int(m[1] or m[2]) if m else 1


def _is_pbc(response: TextResponse) -> bool:
    host = urlsplit(response.url).hostname or ""
    return host == "pbc.gov.cn" or host.endswith(".pbc.gov.cn")


def _row_date(font: Selector) -> str | None:
    """The row's `span.hui12`: the font's sibling, else anywhere in its table row."""
    for query in (
        "following-sibling::span[contains(@class,'hui12')][1]//text()",
        "ancestor::tr[1]//span[contains(@class,'hui12')]//text()",
    ):
        text = " ".join(t.strip() for t in font.xpath(query).getall()).strip()
        if text:
            return text
    return None


class Pbc(Adapter):
    kind = "pbc"
    tier = "official"  # the central bank: a government source

    @classmethod
    def suggest(cls, response: TextResponse) -> dict[str, Any] | None:
        if _is_pbc(response) or response.css(f"{_ROWS} a[title]"):
            return {"kind": "pbc"}
        return None

    def parse_list(self, response: TextResponse) -> ListPage:
        page = ListPage()
        seen: set[str] = set()
        for font in response.css(_ROWS):
            item = self._row(response, font)
            if item is not None and item.url not in seen:
                seen.add(item.url)
                page.items.append(item)
        page.next_urls = self._next(response)
        return page

    def _row(self, response: TextResponse, font: Selector) -> ListItem | None:
        link = font.css("a[title]") or font.css("a[href]")
        url = absolute(response, link.attrib.get("href"))
        if not url or _ATTACHMENT.search(urlsplit(url).path):
            return None  # a row that is only a file download is no article page
        title = link.attrib.get("title") or _CUT.sub("", " ".join(link.css("::text").getall()))
        return ListItem(url, re.sub(r"\s+", " ", title).strip() or None, _row_date(font))

    def _next(self, response: TextResponse) -> list[str]:
        """The pager's 下一页 link, else the link to the page numbered one more than this one."""
        nxt = absolute(response, response.xpath("//a[normalize-space(.)='下一页']/@href").get())
        if nxt and nxt != response.url:
            return [nxt]
        want = _page_number(response.url) + 1
        for href in response.css("a::attr(href)").getall():
            url = absolute(response, href)
            if url and url != response.url and _PAGE_NO.search(urlsplit(url).path):
                if _page_number(url) == want:
                    return [url]
        return []

    def recognises(self, response: TextResponse) -> bool:
        return _is_pbc(response) or bool(response.css("div.xxy_text, #zoom ~ .hui12, span.hui12 ~ #zoom"))

    def parse_article(self, response: TextResponse) -> ArticleData | None:
        body = next((b for b in (response.css(q).get() for q in _BODY) if b), None)
        if not body:
            return None
        title = first_text(
            response, "meta[name=ArticleTitle]::attr(content)", "h2::text", "td.ttxx::text", "title::text"
        )
        date_text = first_text(response, "meta[name=PubDate]::attr(content)", "#shijian::text") or next(
            (t for t in response.css("span.hui12::text").getall() if parse_cn_datetime(t)), None
        )
        origin = first_text(response, "meta[name=ContentSource]::attr(content)") or origin_from_text(
            " ".join(response.css("span.hui12 ::text, td.hui12 ::text").getall())
        )
        article = article_from_fragment(
            response,
            body,
            title=title,
            published_at=parse_cn_datetime(date_text),
            origin=origin,
            category=first_text(response, "meta[name=ColumnName]::attr(content)"),
        )
        attachments = self._attachments(response)
        if attachments:
            article.policy = {"attachments": attachments}
        return article

    def _attachments(self, response: TextResponse) -> list[dict[str, str]]:
        """Files linked from the body (or its attachment block), as beijing_gov's policy pages give."""
        found: dict[str, str] = {}
        for a in response.css(", ".join(f"{q} a[href]" for q in _BODY)):
            url = absolute(response, a.attrib.get("href"))
            if url and _ATTACHMENT.search(urlsplit(url).path) and url not in found:
                text = re.sub(r"\s+", " ", " ".join(a.css("::text").getall())).strip()
                found[url] = text or url.rsplit("/", 1)[-1]
        return [{"title": t, "url": u} for u, t in found.items()]
