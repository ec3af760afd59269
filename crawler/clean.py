"""Turn a site's article HTML into safe body HTML and plain text, without widgets or boilerplate."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, TypeVar

from common import strip_unsafe
from common.sanitise import clean_html

if TYPE_CHECKING:  # Scrapy and lxml load when a crawl runs, not when the config is read
    import lxml.html
    from lxml import etree
    from scrapy.http import TextResponse

__all__ = ["clean_body", "clean_fields", "html_to_text", "strip_controls", "strip_noise", "text_only"]

T = TypeVar("T")

# Elements whose content is code, never text, in any field.
_CODE = ("script", "style", "noscript", "template")

# Eastmoney's K-line picture block, between two comments, is a chart not text.
_STOCK_IMG = re.compile(r"<!--\s*EM_StockImg_Start\s*-->.*?<!--\s*EM_StockImg_End\s*-->", re.S)
_HIDDEN = re.compile(r"display\s*:\s*none", re.I)
_DISCLAIMER = ("郑重声明", "免责声明", "风险提示：本文")
# "1 2 下一页" and similar page links of split articles, which are navigation not text.
_PAGER = re.compile(r"(?:\s*(?:\d+|上一页|下一页|首页|尾页|全文|\[\d+\])\s*)+")
_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section", "table"}


def strip_controls(text: str) -> str:
    """The text without control characters (newlines and tabs stay; CR and CRLF become newlines),
    non-characters, lone surrogates and bidi controls (common.strip_unsafe): ESC [31m, BEL, BS from
    a page would drive the terminal of whoever reads the title, U+FFFF breaks every feed, U+202E
    reverses the text beside it. Text is data."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return strip_unsafe(text)


def clean_fields(obj: T) -> T:
    """Strip control characters (and then surrounding whitespace) from every string an extractor
    produced (dataclass fields, lists, dicts, recursively), in place for dataclasses; the one pass
    every extracted item goes through."""
    if isinstance(obj, str):
        return strip_controls(obj).strip()  # type: ignore[return-value]
    if isinstance(obj, list | tuple):
        return type(obj)(clean_fields(v) for v in obj)  # type: ignore[return-value]
    if isinstance(obj, dict):
        return {k: clean_fields(v) for k, v in obj.items()}  # type: ignore[return-value]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            value: Any = getattr(obj, f.name)
            if isinstance(value, str | list | tuple | dict):
                setattr(obj, f.name, clean_fields(value))
    return obj


def text_only(response: TextResponse) -> TextResponse:
    """Drop script/style contents from the response's parsed tree (keeping the text after them), so
    no selector of any adapter can read code as a title, date or body. `response.text` is untouched."""
    from lxml import etree
    from scrapy.http import HtmlResponse

    if isinstance(response, HtmlResponse):
        root = response.selector.root
        if isinstance(root, etree._Element):
            for el in root.xpath("|".join(f"//{t}" for t in _CODE)):
                _drop(el)
    return response


def strip_noise(root: lxml.html.HtmlElement) -> None:
    """Remove scripts, hidden blocks, stock-quote wrappers and disclaimers in place."""
    for el in root.xpath(".//script|.//style|.//noscript|.//iframe|.//img|.//comment()"):
        _drop(el)
    for el in root.xpath(".//*[@style]"):
        if _HIDDEN.search(el.get("style", "")):
            _drop(el)
    # Stock and keyword links keep their word but lose the link: '银行' stays, the quote URL goes.
    for el in root.xpath(
        ".//a[contains(@class,'infokey') or contains(@class,'keytip')]"
        "|.//span[contains(@class,'em_stock_key_common')]"
    ):
        el.drop_tag()
    for el in root.xpath(".//span[starts-with(@id,'bkquote_') or starts-with(@id,'stock_')]"):
        if not (el.text_content() or "").strip():
            _drop(el)
    for el in root.xpath(".//p|.//div"):
        text = (el.text_content() or "").strip()
        if any(text.startswith(d) for d in _DISCLAIMER) or _PAGER.fullmatch(text):
            _drop(el)


def _drop(el: etree._Element) -> None:
    """Remove el and its content but keep the text that follows it."""
    import lxml.html

    if not isinstance(el, lxml.html.HtmlElement):
        parent = el.getparent()
        if parent is not None:
            tail = el.tail
            prev = el.getprevious()
            if tail:
                if prev is not None:
                    prev.tail = (prev.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
            parent.remove(el)
        return
    el.drop_tree()


def clean_body(fragment_html: str, base_url: str | None = None) -> str:
    """Safe HTML of the body: allowed tags only, no attributes but link targets, which are made
    absolute against `base_url` (the article's URL) so they work wherever the body is shown."""
    import lxml.html

    fragment_html = _STOCK_IMG.sub("", fragment_html)
    root = lxml.html.fragment_fromstring(fragment_html, create_parent="div")
    strip_noise(root)
    if base_url:
        root.make_links_absolute(base_url, resolve_base_href=False, handle_failures="discard")
    raw = lxml.html.tostring(root, encoding="unicode")
    return clean_html(raw, "stored").strip()


def html_to_text(fragment_html: str) -> str:
    """Plain text with one line per block, whitespace squeezed, as a reader would copy it."""
    if not fragment_html.strip():
        return ""
    import lxml.html

    root = lxml.html.fragment_fromstring(fragment_html, create_parent="div")
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _BLOCKS:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCKS:
            parts.append("\n")

    walk(root)
    text = "".join(parts).replace("\r", "").replace("\xa0", " ").replace("\u3000", " ")
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
