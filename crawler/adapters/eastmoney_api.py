"""eastmoney's JSON lists (np-listapi): the column API, the 7x24 fast news, the share-page body.

Eastmoney's HTML lists are redesigned often; these JSON answers are what its own pages read.
The column API (getNewsByColumns) lists article links; fast news (getFastNewsList) carries the
whole item (a title and a digest), so it is stored from the list without fetching a page. Both
refuse requests without `req_trace`: every list request gets a fresh one.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from common import BEIJING
from processor.items import ArticleData

from ..clean import clean_body, html_to_text
from ..dates import parse_cn_datetime
from .base import BrokenPage, ListError, ListItem, ListPage, article_from_fragment, language_of

if TYPE_CHECKING:  # Scrapy loads when a crawl runs, not when the config is read
    from scrapy.http import TextResponse

__all__ = [
    "API_HEADERS", "ENDPOINTS", "LIST_MODES", "api_url", "article_from_json", "is_share_body", "parse_api_list",
    "share_body_url",
]  # fmt: skip

LIST_MODES = ("html", "api", "fast")
ENDPOINTS = {"api": "getNewsByColumns", "fast": "getFastNewsList"}
# What the callers of the API send (several public crawlers): a browser's UA and the 7x24 page.
API_HEADERS = {
    "User-Agent": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0 Safari/537.36"
    ),
    "Referer": "https://finance.eastmoney.com/7x24.html",
    "Accept": "application/json, text/javascript, */*; q=0.01",
}
_OK_CODES = {"0", "1", "success"}  # the column API answers code "1"; some callers also see 0
_SHARE = re.compile(r"NewsShare\.html$", re.I)
_TEXT_API = re.compile(r"""["']([^"'\s]*GetNewsText\.do)""")


def api_url(url: str, mode: str, options: dict[str, Any]) -> str:
    """The API URL for this list page: the start URL's own query kept (page, cursor), the mode's
    parameters filled in, the options' column and page size, and a fresh req_trace."""
    parts = urlsplit(url)
    path = parts.path
    if not path.endswith(ENDPOINTS[mode]):
        path = "/comm/web/" + ENDPOINTS[mode]  # the start URL names the API host only
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    size = str(options.get("page_size", 20))
    if mode == "api":
        defaults = {"client": "web", "biz": "web_news_col", "order": "1", "needInteractData": "0",
                    "page_index": "1", "page_size": size}  # fmt: skip
        query = {**defaults, **query}
        if "column" in options:
            query["column"] = str(options["column"])
    else:
        query = {"client": "web", "biz": "web_news_col", "sortEnd": "", "pageSize": size, **query}
        query["fastColumn"] = str(options.get("fast_column", query.get("fastColumn", 102)))
    query["req_trace"] = uuid.uuid4().hex  # required, and fresh per request (no stale CDN copy)
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


def _payload(response: TextResponse) -> dict[str, Any]:
    text = response.text.strip()
    m = re.fullmatch(r"[\w$.]+\((.*)\)\s*;?", text, re.S)  # a JSONP answer (callback=…)
    try:
        data = json.loads(m.group(1) if m else text)
    except ValueError:
        raise ListError(f"the eastmoney API answered something that is not JSON: {text[:80]!r}") from None
    if not isinstance(data, dict):
        raise ListError("the eastmoney API answered JSON that is not an object")
    code = data.get("code", data.get("rc"))
    if code is not None and str(code) not in _OK_CODES:
        reason = data.get("message") or data.get("msg") or "no reason given"
        raise ListError(f"the eastmoney API refused the request: code {code} ({reason})")
    body = data.get("data") or data.get("result")
    if not isinstance(body, dict):
        reason = data.get("message") or "no data in the answer"
        raise ListError(f"the eastmoney API answered no data: {reason}")
    return body


def parse_api_list(response: TextResponse, mode: str) -> ListPage:
    """Items of a column or fast-news answer; ListError when the API says it failed."""
    body = _payload(response)
    rows = body.get("list") if mode == "api" else body.get("fastNewsList")
    if not isinstance(rows, list):
        field = "data.list" if mode == "api" else "data.fastNewsList"
        raise ListError(f"the eastmoney API answer has no {field}")
    page = ListPage()
    for row in rows:
        if not isinstance(row, dict):
            continue
        item = _column_item(response, row) if mode == "api" else _fast_item(row)
        if item is not None:
            page.items.append(item)
    # A full page may have a next one; a short page is the last (asking on would answer nothing).
    asked = dict(parse_qsl(urlsplit(response.url).query)).get("page_size" if mode == "api" else "pageSize")
    nxt = _next_page(response.url, mode, body)
    if nxt and page.items and asked and asked.isdigit() and len(rows) >= int(asked):
        page.next_urls = [nxt]
    return page


def _column_item(response: TextResponse, row: dict[str, Any]) -> ListItem | None:
    link = row.get("uniqueUrl") or row.get("url")
    if not isinstance(link, str) or not link.strip():
        return None
    url = urljoin(response.url, link.strip())
    return ListItem(url, (row.get("title") or "").strip() or None, _show_time(row.get("showTime")))


def _fast_item(row: dict[str, Any]) -> ListItem | None:
    """A fast-news row as a stored article: its title, its digest as the body, showTime as the date."""
    title = (row.get("title") or "").strip()
    digest = (row.get("digest") or row.get("summary") or "").strip()
    if not title and not digest:
        return None
    shown = _show_time(row.get("showTime"))
    code = str(row.get("code") or "").strip()
    if re.fullmatch(r"\d{6,}", code):
        url = f"https://finance.eastmoney.com/a/{code}.html"
    else:  # no code: a URL that stays the same for the same item on every crawl
        key = hashlib.sha1(f"{shown}|{title}|{digest}".encode()).hexdigest()[:16]
        url = f"https://finance.eastmoney.com/7x24.html#{key}"
    text = digest or title
    body_html = clean_body("".join(f"<p>{_esc(p)}</p>" for p in text.splitlines() if p.strip()), url)
    article = ArticleData(
        source="", url=url, title=title or text[:40], body_text=html_to_text(body_html), body_html=body_html,
        published_at=parse_cn_datetime(shown), origin=(row.get("mediaName") or "").strip() or None,
        language=language_of(text), extraction="list",
    )  # fmt: skip
    return ListItem(url, article.title, shown, article=article)


def _show_time(value: Any) -> str | None:
    """showTime as '2026-08-22 10:12:00' (some answers give epoch seconds): Beijing time text."""
    if isinstance(value, int | float) and value > 0:
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    if value is None:
        return None
    return str(value).strip() or None


def _next_page(url: str, mode: str, body: dict[str, Any]) -> str | None:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if mode == "api":
        query["page_index"] = str(int(query.get("page_index") or 1) + 1)
    elif body.get("sortEnd"):  # fast news pages by a cursor: the answer's sortEnd
        query["sortEnd"] = str(body["sortEnd"])
    else:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def share_body_url(response: TextResponse) -> str | None:
    """NewsShare.html?infoCode=NW<code> is a script shell; its body is GetNewsText.do?id=<code>,
    at the URL its script names, else on the share page's own host."""
    parts = urlsplit(response.url)
    if not _SHARE.search(parts.path):
        return None
    code = dict(parse_qsl(parts.query)).get("infoCode", "")
    code = re.sub(r"^NW", "", code.strip(), flags=re.I)
    if not code.isdigit():
        return None
    m = _TEXT_API.search(response.text)
    api = urljoin(response.url, m.group(1) if m else "/NewsData/GetNewsText.do")
    return f"{api}?{urlencode({'id': code})}"


def is_share_body(response: TextResponse) -> bool:
    return "GetNewsText.do" in urlsplit(response.url).path


def article_from_json(response: TextResponse) -> ArticleData | None:
    """The share page's body answer: HTML in `content` (or `text`), with title and time if given."""
    try:
        data = json.loads(response.text)
    except ValueError:
        raise BrokenPage("the share page's body answer is not JSON") from None
    row = data.get("data") if isinstance(data, dict) and isinstance(data.get("data"), dict) else data
    if not isinstance(row, dict):
        return None
    html = row.get("content") or row.get("text") or ""
    if not isinstance(html, str) or not html.strip():
        raise BrokenPage("the share page's body answer has no content")
    if "<" not in html:
        html = "".join(f"<p>{_esc(p)}</p>" for p in html.splitlines() if p.strip())
    when = _show_time(row.get("showTime") or row.get("publishTime") or row.get("showtime"))
    return article_from_fragment(
        response, html, title=(row.get("title") or "").strip() or None, published_at=parse_cn_datetime(when),
        origin=(row.get("mediaName") or row.get("source") or "").strip() or None,
        summary=(row.get("summary") or row.get("digest") or "").strip() or None,
    )  # fmt: skip


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
