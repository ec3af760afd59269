"""What every site adapter shares: list items, the page contract, and small extraction helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urljoin

from processor.items import ArticleData

from ..clean import clean_body, html_to_text

if TYPE_CHECKING:
    from parsel import Selector  # Scrapy loads when a crawl runs, not when the config is read
    from scrapy.http import TextResponse

__all__ = [
    "Adapter", "BrokenPage", "ListError", "ListItem", "ListPage", "article_from_fragment", "first_text",
    "origin_from_text",
]  # fmt: skip


class BrokenPage(ValueError):
    """The page is the site's article page, but holds no readable article: skip it, do not guess."""


class ListError(ValueError):
    """The list page is the site's answer, but says it failed (a JSON API's error code): the
    message is the reason, reported as the source's error rather than as an empty list."""


@dataclass
class ListItem:
    """A link found on a list page or feed; stamp changes when the site says the post changed."""

    url: str
    title: str | None = None
    stamp: str | None = None
    # Set when the list itself carries the whole article (eastmoney fast news): stored, not fetched.
    article: ArticleData | None = None


@dataclass
class ListPage:
    items: list[ListItem] = field(default_factory=list)
    next_urls: list[str] = field(default_factory=list)
    # A page of pages (robots.txt, a sitemap index): no items of its own, every next_url is
    # followed at the same depth, and it keeps no validators (its children may change alone).
    index: bool = False


class Adapter:
    """One site structure. Subclasses read list pages and article pages of that structure."""

    kind = "base"
    # The tier (storage.TIERS name) a source of this kind gets when its [[sources]] entry names none.
    tier = "other"
    # [[sources]] keys this kind reads beyond the common ones, with their help text: the config
    # loader accepts exactly these for the kind and asks `check_option` about each value.
    option_help: ClassVar[dict[str, str]] = {}

    def __init__(
        self, selectors: dict[str, str] | None = None, options: dict[str, Any] | None = None
    ) -> None:
        self.selectors = selectors or {}
        self.options = options or {}

    @classmethod
    def check_option(cls, key: str, value: Any) -> str | None:
        """What is wrong with one of this kind's option values, in words for the config error."""
        return None

    @classmethod
    def suggest(cls, response: TextResponse) -> dict[str, Any] | None:
        """For `sources add`: the [[sources]] keys besides name and start_urls (kind, options,
        selectors) that watch this page with this kind, or None when it is not this kind's page."""
        return None

    def parse_list(self, response: TextResponse) -> ListPage:
        raise NotImplementedError

    def list_request(self, url: str) -> tuple[str, dict[str, str]]:
        """The URL and extra headers to fetch for this list page: a JSON API adds its query
        (a fresh token each time) and the headers its callers send."""
        return url, {}

    def body_url(self, response: TextResponse) -> str | None:
        """Where the body of this article page really is, when the page is a script shell."""
        return None

    def recognises(self, response: TextResponse) -> bool:
        """True when an article page looks like this adapter's site (used for feeds' links)."""
        return False

    def parse_article(self, response: TextResponse) -> ArticleData | None:
        """Fields from the site's own markup, or None when its selectors find no body."""
        raise NotImplementedError

    def next_part(self, response: TextResponse) -> str | None:
        """URL of the article's next page, for sites that split long articles."""
        return None


def first_text(sel: Selector | TextResponse, *queries: str) -> str | None:
    """The first non-empty stripped text any of the CSS queries yields."""
    for q in queries:
        for value in sel.css(q).getall():
            value = re.sub(r"\s+", " ", value).strip()
            if value:
                return value
    return None


_ORIGIN = re.compile(r"(?:文章)?来源\s*[：:]\s*([^\s）)<|｜]+)")


def origin_from_text(text: str | None) -> str | None:
    """'来源：北京日报' or '（文章来源：北京市人民政府官网）' -> the source name."""
    if not text:
        return None
    m = _ORIGIN.search(text)
    return m.group(1).strip() if m else None


def article_from_fragment(response: TextResponse, fragment_html: str, **fields) -> ArticleData:
    """Build an article from the body's raw HTML; BrokenPage when nothing readable is left."""
    body_html = clean_body(fragment_html, response.url)
    body_text = html_to_text(body_html)
    if not body_text.strip():
        raise BrokenPage("the article body is empty")
    fields.setdefault("language", language_of(body_text))
    return ArticleData(
        source="",
        url=response.url,
        title=fields.pop("title", None) or "",
        body_text=body_text,
        body_html=body_html,
        **fields,
    )


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]+")


def language_of(text: str) -> str:
    """'zh' when Chinese characters carry the text, else 'en' for Latin text: enough to route it."""
    sample = text[:2000]
    cjk, words = len(_CJK.findall(sample)), len(_LATIN.findall(sample))
    if not cjk and not words:
        return "und"
    return "zh" if cjk >= words else "en"


def absolute(response: TextResponse, href: str | None) -> str | None:
    if not href or href.startswith(("javascript:", "mailto:", "#")):
        return None
    return urljoin(response.url, href.strip())
