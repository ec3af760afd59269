"""www.beijing.gov.cn columns and articles, across the template generations seen since 2019."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from processor.items import ArticleData

from ..dates import parse_cn_datetime
from .base import Adapter, ListItem, ListPage, absolute, article_from_fragment, first_text, origin_from_text

if TYPE_CHECKING:  # Scrapy loads when a crawl runs, not when the config is read
    from scrapy.http import TextResponse

__all__ = ["BeijingGov"]

_PAGER = re.compile(
    r"Pager\(\{[^}]*size\s*:\s*(\d+)[^}]*current\s*:\s*(\d+)[^}]*prefix\s*:\s*'([^']*)'[^}]*suffix\s*:\s*'([^']*)'"
)
_PAGEVARS = {
    name: re.compile(rf"var\s+{name}\s*=\s*[\"']?([\w.]+)[\"']?")
    for name in ("pageName", "pageExt", "pageIndex", "pageCount")
}
_DOC_INFO = {
    "发文机构": "issuer",
    "发文字号": "doc_number",
    "主题分类": "subject",
    "成文日期": "written_date",
    "发布日期": "published_date",
    "实施日期": "effective_date",
    "有效性": "validity",
}
_ITEMS = "ul.default_news li, ul.list li, div.listBox ul li"


def _spans(response: TextResponse) -> list[str]:
    """The texts of the "发布时间：… 来源：…" line, read only when the page's meta tags lack them."""
    return [" ".join(s.css("::text").getall()) for s in response.css("div#othermessage span")]


def _page_url(base: str, prefix: str, suffix: str, index: int) -> str:
    name = f"{prefix}.{suffix}" if index == 0 else f"{prefix}_{index}.{suffix}"
    return base.rsplit("/", 1)[0] + "/" + name


class BeijingGov(Adapter):
    kind = "beijing_gov"
    tier = "official"

    @classmethod
    def suggest(cls, response: TextResponse) -> dict[str, Any] | None:
        """A column of beijing.gov.cn or of a sub-site on the same template: its list items, and
        the host or the template's pager script (Pager({...}) or the pageName/pageCount variables)."""
        host = (urlparse(response.url).hostname or "").lower()
        text = response.text
        pager = bool(_PAGER.search(text)) or all(rx.search(text) for rx in _PAGEVARS.values())
        if not (host == "beijing.gov.cn" or host.endswith(".beijing.gov.cn") or pager):
            return None
        return {"kind": cls.kind} if cls().parse_list(response).items else None

    def parse_list(self, response: TextResponse) -> ListPage:
        page = ListPage()
        seen: set[str] = set()
        for li in response.css(_ITEMS):
            url = absolute(response, li.css("a::attr(href)").get())
            if not url or url in seen:
                continue
            seen.add(url)
            title = li.css("a::attr(title)").get() or " ".join(li.css("a ::text").getall())
            stamp = first_text(li, "span::text")
            page.items.append(ListItem(url, re.sub(r"\s+", " ", title).strip() or None, stamp))
        page.next_urls = self._next(response)
        return page

    def _next(self, response: TextResponse) -> list[str]:
        text = response.text
        m = _PAGER.search(text)
        if m:
            size, current, prefix, suffix = int(m[1]), int(m[2]), m[3], m[4]
            if current + 1 < size:
                return [_page_url(response.url, prefix, suffix, current + 1)]
            return []
        found = {k: rx.search(text) for k, rx in _PAGEVARS.items()}
        if all(found.values()):
            index, count = int(found["pageIndex"][1]), int(found["pageCount"][1])
            if index + 1 < count:
                return [_page_url(response.url, found["pageName"][1], found["pageExt"][1], index + 1)]
            return []
        nxt = response.xpath("//a[contains(normalize-space(.), '下一页')]/@href").get()
        url = absolute(response, nxt)
        return [url] if url and url != response.url else []

    def recognises(self, response: TextResponse) -> bool:
        return bool(response.css("meta[name=ArticleTitle], #mainText, div#othermessage"))

    def parse_article(self, response: TextResponse) -> ArticleData | None:
        body = response.css("#mainText .TRS_Editor").get() or response.css("#mainText").get()
        if not body:
            return None
        title = first_text(
            response,
            "meta[name=ArticleTitle]::attr(content)",
            "div.header p::text",
            "h1::text",
            "title::text",
        )
        date_text = first_text(response, "meta[name=PubDate]::attr(content)") or next(
            (s for s in _spans(response) if parse_cn_datetime(s)), None
        )
        origin = first_text(response, "meta[name=ContentSource]::attr(content)") or next(
            (origin_from_text(s) for s in _spans(response) if origin_from_text(s)), None
        )
        article = article_from_fragment(
            response,
            body,
            title=title,
            published_at=parse_cn_datetime(date_text),
            origin=origin,
            category=first_text(response, "meta[name=ColumnName]::attr(content)"),
        )
        if article is not None:
            article.policy = self._policy(response)
        return article

    def _policy(self, response: TextResponse) -> dict | None:
        info: dict = {}
        for li in response.css("ol.doc-info > li"):
            text = re.sub(r"\s+", "", "".join(li.css("::text").getall()))
            for label, key in _DOC_INFO.items():
                if text.startswith(label):
                    value = re.sub(r"\s+", " ", " ".join(li.css("span ::text").getall())).strip()
                    value = value or text[len(label) :].lstrip("：:")
                    if key.endswith("_date"):
                        parsed = parse_cn_datetime(value)
                        value = parsed.date().isoformat() if parsed else None
                    info[key] = value or None
        attachments = [
            {
                "title": re.sub(r"\s+", " ", " ".join(a.css("::text").getall())).strip(),
                "url": absolute(response, href),
            }
            for a in response.css("ul.fujian li a")
            if (href := a.attrib.get("href"))
        ]
        if attachments:
            info["attachments"] = attachments
        return info or None
