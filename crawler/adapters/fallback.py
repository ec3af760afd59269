"""Generic extraction with trafilatura, for pages whose site markup we do not know or that changed."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from processor.items import ArticleData

from ..dates import parse_cn_datetime
from .base import BrokenPage, article_from_fragment, first_text, origin_from_text

if TYPE_CHECKING:  # Scrapy loads when a crawl runs, not when the config is read
    from scrapy.http import TextResponse

__all__ = ["extract_fallback"]

_TITLE_SUFFIX = re.compile(r"\s*[_|\-–—]\s*[^_|\-–—]{2,20}$")


def extract_fallback(response: TextResponse) -> ArticleData | None:
    """Best-effort article from any page: trafilatura's body, meta or visible title and date."""
    import trafilatura  # here: commands that only load the config (status, subscribers) skip it

    html = response.text
    fragment = trafilatura.extract(
        html, url=response.url, output_format="html", include_tables=True, favor_recall=True
    )
    if not fragment or len(re.sub(r"<[^>]+>|\s", "", fragment)) < 20:
        return None
    fragment = re.sub(r"</?(html|body)>", "", fragment)
    meta = trafilatura.bare_extraction(html, url=response.url, with_metadata=True, fast=True)
    title = first_text(
        response,
        "meta[name=ArticleTitle]::attr(content)",
        "meta[property='og:title']::attr(content)",
        "h1::text",
    )
    if not title and meta is not None and meta.title:
        title = _TITLE_SUFFIX.sub("", meta.title)
    date_text = first_text(
        response,
        "meta[name=PubDate]::attr(content)",
        "meta[name=firstpublishedtime]::attr(content)",
        "meta[property='article:published_time']::attr(content)",
    )
    published = parse_cn_datetime(date_text) or parse_cn_datetime(meta.date if meta else None)
    origin = first_text(response, "meta[name=ContentSource]::attr(content)") or origin_from_text(
        " ".join(response.css("body *::text").getall()[:400])
    )
    try:
        return article_from_fragment(
            response, fragment, title=title, published_at=published, origin=origin, extraction="fallback"
        )
    except BrokenPage:
        return None
