"""Decode pages the way Chinese sites need: header, then meta, then a UTF-8/GB18030 guess."""

from __future__ import annotations

import codecs
import re

from scrapy.http import HtmlResponse, Response, TextResponse

__all__ = ["decode_response"]

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
# GB2312 and GBK pages routinely contain characters only GB18030 defines: decode with the superset.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def _normal(name: str | None) -> str | None:
    if not name:
        return None
    try:
        canonical = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSET.get(name.strip().lower(), _SUPERSET.get(canonical, canonical))


def _declared(response: Response) -> str | None:
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", ctype, re.I)
    if m and _normal(m.group(1)):
        return _normal(m.group(1))
    m = _META.search(response.body[:4096])
    if m:
        return _normal(m.group(1).decode("ascii", "ignore"))
    return None


def _guess(body: bytes) -> str:
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8"
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        body.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        return "utf-8"


def decode_response(response: Response) -> TextResponse:
    """A text response with the right encoding; undeclared bytes are guessed as UTF-8, then GB18030."""
    encoding = _declared(response)
    if encoding:
        try:
            response.body.decode(encoding)
        except UnicodeDecodeError:
            encoding = None  # a wrong declaration is common on old government sub-sites
    encoding = encoding or _guess(response.body)
    cls = response.__class__ if isinstance(response, TextResponse) else HtmlResponse
    return cls(
        url=response.url,
        status=response.status,
        headers=response.headers,
        body=response.body,
        encoding=encoding,
        request=response.request,
    )
