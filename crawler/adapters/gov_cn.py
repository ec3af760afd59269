"""www.gov.cn (the State Council): JSON column lists and policy/news article pages."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from processor.items import ArticleData

from ..dates import parse_cn_datetime
from .base import Adapter, ListItem, ListPage, absolute, article_from_fragment, first_text, origin_from_text

if TYPE_CHECKING:  # Scrapy loads when a crawl runs, not when the config is read
    from scrapy.http import TextResponse

__all__ = ["GovCn"]

_JSON_LIST = re.compile(r"""["']([^"'\s]+/[A-Z_]+\.json)["']""")
_BODY = ("div.TRS_UEDITOR", "#UCAP-CONTENT", "div.pages_content", "div.article div.content")


class GovCn(Adapter):
    """List pages are JavaScript shells fed by JSON arrays of {TITLE, URL, DOCRELPUBTIME};
    a source points its start_urls at the JSON (e.g. /zhengce/zuixin/ZUIXINZHENGCE.json)."""

    kind = "gov_cn"
    tier = "official"

    @classmethod
    def suggest(cls, response: TextResponse) -> dict[str, Any] | None:
        """The JSON column list itself (rows of TITLE and URL), or a www.gov.cn column page whose
        script names the JSON it loads: then the JSON is what to watch."""
        if response.text.lstrip()[:1] in ("[", "{"):
            return {"kind": cls.kind} if cls().parse_list(response).items else None
        host = (urlparse(response.url).hostname or "").lower()
        if host != "gov.cn" and not host.endswith(".gov.cn"):
            return None
        m = _JSON_LIST.search(response.text)
        return {"kind": cls.kind, "start_urls": [response.urljoin(m[1])]} if m else None

    def parse_list(self, response: TextResponse) -> ListPage:
        page = ListPage()
        try:
            rows = json.loads(response.text)
        except ValueError:
            return page  # not JSON: the spider reports an empty list page
        if isinstance(rows, dict):  # some columns wrap the array
            rows = next((v for v in rows.values() if isinstance(v, list)), [])
        for row in rows:
            if not isinstance(row, dict):
                continue
            url = absolute(response, row.get("URL") or row.get("url"))
            if url:
                title = (row.get("TITLE") or row.get("title") or "").strip() or None
                page.items.append(ListItem(url, title, row.get("DOCRELPUBTIME") or row.get("PUBTIME")))
        return page

    def recognises(self, response: TextResponse) -> bool:
        return bool(response.css("meta[name=firstpublishedtime], #UCAP-CONTENT, div.share-title"))

    def parse_article(self, response: TextResponse) -> ArticleData | None:
        body = next((b for b in (response.css(q).get() for q in _BODY) if b), None)
        if not body:
            return None
        title = first_text(
            response,
            "div.share-title::text",
            "meta[name=ArticleTitle]::attr(content)",
            "h1::text",
            "title::text",
        )
        title = re.sub(r"_[^_]*(政府|国务院)[^_]*$", "", title or "").strip()
        published = parse_cn_datetime(
            first_text(
                response, "meta[name=firstpublishedtime]::attr(content)", "meta[name=PubDate]::attr(content)"
            )
        )
        origin = first_text(response, "meta[name=ContentSource]::attr(content)") or origin_from_text(
            " ".join(response.css("div.pages-date ::text, .font ::text").getall())
        )
        article = article_from_fragment(
            response,
            body,
            title=title,
            published_at=published,
            origin=origin,
            author=first_text(response, "meta[name=author]::attr(content)"),
            category=first_text(response, "meta[name=lanmu]::attr(content)"),
        )
        keywords = first_text(response, "meta[name=keywords]::attr(content)")
        if keywords:
            article.tags = [k for k in re.split(r"[;,；，\s]+", keywords) if k]
        article.policy = self._policy(response)
        return article

    def _policy(self, response: TextResponse) -> dict | None:
        """The 索引号/发文机关/发文字号/成文日期/发布日期 table of policy pages (table.bd1)."""
        cells = [
            re.sub(r"\s+", "", "".join(td.css("::text").getall())) for td in response.css("table.bd1 td")
        ]
        labels = {
            "发文机关": "issuer",
            "发文字号": "doc_number",
            "主题分类": "subject",
            "成文日期": "written_date",
            "发布日期": "published_date",
        }
        info: dict = {}
        for label_cell, value in zip(cells, cells[1:], strict=False):
            key = labels.get(label_cell.rstrip("：:"))
            if key and value:
                if key.endswith("_date"):
                    parsed = parse_cn_datetime(value)
                    value = parsed.date().isoformat() if parsed else None
                info[key] = value
        return info or None
