"""A Jekyll news aggregator (finews): category pages and post pages wrapping eastmoney HTML."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from processor.items import ArticleData

from ..dates import parse_cn_datetime
from .base import Adapter, ListItem, ListPage, absolute, article_from_fragment, origin_from_text

if TYPE_CHECKING:  # Scrapy (and lxml) load when a crawl runs, not when the config is read
    import lxml.html
    from scrapy.http import TextResponse

__all__ = ["Jekyll"]

_DATED = re.compile(r"/\d{4}/\d{2}/\d{2}/[^/]+\.html$")
_PERMALINK = re.compile(r"^/(?P<cat>[^/]+)/\d{4}/\d{2}/\d{2}/[^/]+\.html$")


class Jekyll(Adapter):
    kind = "jekyll"
    tier = "aggregator"

    @classmethod
    def suggest(cls, response: TextResponse) -> dict[str, Any] | None:
        """A Jekyll category or index page: most of its list links are dated permalinks
        (/<category>/YYYY/MM/DD/<slug>.html), or the page says Jekyll generated it."""
        items = cls().parse_list(response).items
        dated = sum(bool(_DATED.search(urlparse(i.url).path)) for i in items)
        generator = "jekyll" in (response.css("meta[name=generator]::attr(content)").get() or "").lower()
        if items and (generator or (dated and dated * 2 >= len(items))):
            return {"kind": cls.kind}
        return None

    def parse_list(self, response: TextResponse) -> ListPage:
        page = ListPage()
        scope = response.css("section") or response
        for a in scope.css("ul li a"):
            url = absolute(response, a.attrib.get("href"))
            if url:
                title = re.sub(r"\s+", " ", " ".join(a.css("::text").getall())).strip()
                page.items.append(ListItem(url, title or None))
        return page

    def recognises(self, response: TextResponse) -> bool:
        small = " ".join(response.css("section > small::text").getall())
        return "GMT+8" in small or bool(response.xpath("//section/small[1]/following-sibling::h1"))

    def parse_article(self, response: TextResponse) -> ArticleData | None:
        import lxml.html

        section = response.css("section").get()
        if not section:
            return None
        root = lxml.html.fragment_fromstring(section)
        h1 = root.find(".//h1")
        if h1 is None:
            return None
        title = re.sub(r"\s+", " ", h1.text_content()).strip()
        stamp = root.find("small")
        published = parse_cn_datetime(stamp.text_content().split(")")[-1]) if stamp is not None else None
        tags: list[str] = []
        summary = None
        parts: list[str] = []
        for el in h1.itersiblings():
            if not isinstance(el.tag, str):  # comments such as <!-- EM_StockImg_Start --> mark widgets
                parts.append(f"<!--{el.text}-->{el.tail or ''}")
                continue
            if el.tag == "small" and "tags:" in el.text_content():
                tags = [t.strip() for t in el.xpath(".//em/text()") if t.strip()]
                continue
            if el.tag == "blockquote":  # the digest line repeats the lead paragraph
                summary = el.text_content().strip()
                continue
            if self._is_link_noise(el):
                continue
            el.tail = None
            parts.append(lxml.html.tostring(el, encoding="unicode"))
        fragment = "".join(parts)
        media = lxml.html.fragment_fromstring(fragment or "<div></div>", create_parent="div")
        origin = None
        for p in media.xpath(".//p[contains(@class,'em_media')]"):
            origin = origin or origin_from_text(p.text_content())
        fragment = re.sub(r'<p class="em_media">.*?</p>', "", fragment, flags=re.S)
        if not origin and summary:
            m = re.search(r"[（(]([^（）()]{2,20})[）)]\s*$", summary)
            origin = m.group(1) if m else None
        if not origin and tags:
            origin = (
                re.sub(r"新闻$", "", tags[0])
                if tags[0].endswith("新闻") and tags[0] != "东财滚动新闻"
                else None
            )
        m = _PERMALINK.match(urlparse(response.url).path)
        return article_from_fragment(
            response,
            fragment,
            title=title,
            published_at=published,
            origin=origin,
            category=m.group("cat") if m else None,
            tags=tags,
            summary=summary,
        )

    @staticmethod
    def _is_link_noise(el: lxml.html.HtmlElement) -> bool:
        """The source autolink, an empty '<>' link and the '返回…' back-links are the site's, not the story's."""
        text = el.text_content().strip()
        if text in ("", "<>"):
            return True
        links = el.xpath(".//a")
        if links and all((a.text_content() or "").strip().startswith(("返回", "http")) for a in links):
            stripped = text
            for a in links:
                stripped = stripped.replace(a.text_content().strip(), "")
            return not stripped.strip(" ｜|")
        return False
