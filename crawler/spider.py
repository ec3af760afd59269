"""One spider for every source: list pages (or a feed), then the articles not stored yet."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError, IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from processor.items import ArticleData
from storage.health import BLOCKED_REASON
from storage.tiers import DEFAULT_TIER

from .adapters import (
    Adapter,
    BrokenPage,
    ListError,
    ListItem,
    adapter_for,
    body_source,
    extract_article,
    extract_list,
    next_part,
)
from .addresses import host_of, refused_at_connect
from .challenge import is_challenge
from .crawl_settings import show_size
from .encoding import decode_response
from .middlewares import DeadlinePassed, RequestRefused
from .resources import CrawlResources
from .store import CrawlStore

__all__ = ["NewsSpider"]

log = logging.getLogger(__name__)

MAX_PARTS = 20  # pages of one split article


class NewsSpider(scrapy.Spider):
    """Crawls one configured source; `source` is plain data (a dict), as Scrapyd passes it."""

    name = "newsradar"
    handle_httpstatus_list = [304]

    def __init__(self, source: dict[str, Any], probe: int | None = None, **kwargs: Any) -> None:
        super().__init__(name=f"newsradar:{source['name']}", **kwargs)
        self.source = source
        # probe not None: `sources test` — read the first list page and that many articles (0: none),
        # store nothing.
        self.probing = probe is not None
        self.probe = probe or 0
        self.probed: list[tuple[ListItem, Any]] = []
        self.adapter: Adapter = adapter_for(
            source["kind"], source.get("selectors") or {}, source.get("options") or {}
        )
        self.store: CrawlStore | None = None
        # list page url -> (etag, last_modified, article urls still to store)
        self._pending: dict[str, tuple[str | None, str | None, set[str]]] = {}
        self._failed: set[str] = set()
        # article url -> (title, stamp, reason): kept for a retry with backoff (storage.retries)
        self._article_failures: dict[str, tuple[str | None, str | None, str]] = {}
        self._yielded: set[str] = set()
        self.walk_all = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if not spider.probing:
            spider.store = CrawlResources.of(crawler).reader()
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        return spider

    # -- list pages -------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        # Stopping at the first all-known list page is only safe once a crawl of this source has
        # walked its pages to the end; after a first or interrupted crawl, walk to max_pages.
        self.walk_all = self.store is not None and not all(
            self.store.walked(u) for u in self.source["start_urls"]
        )
        for url in self.source["start_urls"]:
            yield self._list_request(url, 1)
        for request in self._retries():
            yield request

    def _retries(self) -> list[Request]:
        """Articles that failed on earlier crawls and are due again, whatever their lists do."""
        if self.store is None:
            return []
        due = self.store.due_retries(self.source["name"])
        known = self.store.known(url for url, *_ in due)
        self._yielded.update(known)  # stored meanwhile (another source listed it): forget the row
        out = []
        for url, title, stamp in due:
            if url not in known and self.store.claim(url):
                item = ListItem(url, title, stamp)
                out.append(
                    Request(url, callback=self.parse_article, errback=self.on_error, meta={"item": item})
                )
        if out:
            log.info("[%s] retrying %d article(s) that failed before", self.source["name"], len(out))
            self.crawler.stats.inc_value("newsradar/retried", len(out))
        return out

    def _list_request(self, url: str, number: int) -> Request:
        etag, last_modified = self.store.validators(url) if self.store else (None, None)
        url, headers = self.adapter.list_request(url)  # a JSON API: its query and headers
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return Request(
            url, callback=self.parse_list, errback=self.on_error, headers=headers,
            meta={"list_page": number}, dont_filter=True,
        )  # fmt: skip

    def parse_list(self, response: Response) -> Iterator[Request | ArticleData]:
        self.crawler.stats.inc_value("newsradar/list_pages")
        if response.status == 304:
            self.crawler.stats.inc_value("newsradar/list_unchanged")
            return
        if is_challenge(response):  # not "no items": the site never showed its list
            self._blocked(response.url, "the list page")
            return
        response = decode_response(response)
        try:
            page = extract_list(response, self.adapter)
        except ListError as exc:  # the site answered, with an error: its reason is the report
            self._error(response.url, str(exc))
            return
        except Exception as exc:
            self._error(response.url, f"cannot parse list page: {exc}")
            return
        if page.index:  # robots.txt or a sitemap index: follow every page it names, same depth
            for url in page.next_urls:
                yield self._list_request(url, response.meta.get("list_page", 1))
            if not page.next_urls:
                self._error(response.url, "the index names no pages")
            return
        if not page.items:
            self._error(response.url, "list page yielded no items (site changed or selectors wrong?)")
            return
        self.crawler.stats.inc_value("newsradar/list_items", len(page.items))
        if self.probing:
            self.probed.extend((i, None) for i in page.items)
            for item in page.items[: self.probe]:
                yield from self._article(item)
            return
        known = self.store.known(i.url for i in page.items)
        todo = [i for i in page.items if self._wanted(i, known) and self.store.claim(i.url)]
        self.crawler.stats.inc_value("newsradar/skipped", len(page.items) - len(todo))
        etag = _header(response, b"ETag")
        last_modified = _header(response, b"Last-Modified")
        if etag or last_modified:
            self._pending[response.url] = (etag, last_modified, {i.url for i in todo})
        for item in todo:
            yield from self._article(item)
        number = response.meta.get("list_page", 1)
        if (todo or self.walk_all) and number < self.source.get("max_pages", 3):
            for url in page.next_urls:
                yield self._list_request(url, number + 1)

    def _wanted(self, item: ListItem, known: dict[str, tuple[str, str | None]]) -> bool:
        if item.url not in known:
            return True
        source, stamp = known[item.url]
        # The list says the post changed (new date or feed 'updated'): fetch it again.
        return bool(item.stamp and source == self.source["name"] and stamp != item.stamp)

    # -- articles ---------------------------------------------------------
    def _article(self, item: ListItem) -> Iterator[ArticleData | Request]:
        """The article's request, or the article itself when the list carried it whole."""
        if item.article is None:
            yield Request(item.url, callback=self.parse_article, errback=self.on_error, meta={"item": item})
        else:
            yield from self._done(self._own(item.article, item))

    def _own(self, article: ArticleData, item: ListItem) -> ArticleData:
        article.source = self.source["name"]
        article.url = item.url
        article.tier = self.source.get("tier", DEFAULT_TIER)
        article.list_stamp = item.stamp
        article.title = article.title or item.title or ""
        article.canonical_url = article.canonical_url or item.url
        return article

    def _done(self, article: ArticleData) -> Iterator[ArticleData]:
        if self.probing:
            self.probed = [(i, article if i.url == article.url else a) for i, a in self.probed]
        else:
            self._yielded.add(article.url)
            yield article

    def parse_article(self, response: Response) -> Iterator[ArticleData | Request]:
        # Failures are filed under the listed URL (not a redirect's), so its list page is retried.
        item: ListItem = response.meta["item"]
        if is_challenge(response):
            self._blocked(item.url, "the article page", item)
            return
        response = decode_response(response)
        shell = body_source(response, self.adapter)
        if shell:  # a script shell (eastmoney's share page): its body is another answer
            meta = {"item": item, "shell": (response.url, shell[1])}
            yield Request(shell[0], callback=self.parse_body, errback=self.on_error, meta=meta)
            return
        try:
            article = extract_article(response, self.adapter, self.source.get("article", "auto"))
        except BrokenPage as exc:
            self._error(item.url, f"broken page: {exc}", item)
            return
        except Exception as exc:
            self._error(item.url, f"cannot extract article: {exc}", item)
            return
        if article is None or not article.body_text.strip():
            self._error(item.url, "no article body found (broken page?)", item)
            return
        if article.extraction == "fallback":
            self.crawler.stats.inc_value("newsradar/fallback")
            log.info("%s: site selectors found nothing, used generic extraction", response.url)
        canonical = response.css("link[rel=canonical]::attr(href)").get()
        article.canonical_url = response.urljoin(canonical) if canonical else response.url
        yield from self._more_or_done(response, self._own(article, item), item, 1)

    def parse_body(self, response: Response) -> Iterator[ArticleData]:
        """The body answer of a script-shell page (JSON), read by the adapter that named it."""
        item: ListItem = response.meta["item"]
        shell_url, kind = response.meta["shell"]
        try:
            article = extract_article(decode_response(response), adapter_for(kind))
        except Exception as exc:
            self._error(item.url, f"cannot read the page's body ({response.url}): {exc}", item)
            return
        if article is None or not article.body_text.strip():
            self._error(item.url, f"the page's body ({response.url}) is empty", item)
            return
        article.canonical_url = shell_url
        yield from self._done(self._own(article, item))

    def parse_part(self, response: Response) -> Iterator[ArticleData | Request]:
        """A later page of a split article: its body is appended to what the first pages gave."""
        response = decode_response(response)
        article, item, parts = response.meta["article"], response.meta["item"], response.meta["parts"]
        try:
            part = extract_article(response, self.adapter, self.source.get("article", "auto"))
        except Exception as exc:
            part = None
            log.debug("part %s: %s", response.url, exc)
        if part is None:
            self._error(item.url, f"page {parts + 1} of the article ({response.url}) has no body", item)
            return
        article.body_html += "\n" + part.body_html
        article.body_text += "\n" + part.body_text
        yield from self._more_or_done(response, article, item, parts + 1)

    def _more_or_done(
        self, response: TextResponse, article: ArticleData, item: ListItem, parts: int
    ) -> Iterator[ArticleData | Request]:
        nxt = next_part(response, self.adapter) if parts < MAX_PARTS else None
        if nxt:
            meta = {"item": item, "article": article, "parts": parts}
            yield Request(nxt, callback=self.parse_part, errback=self._part_failed, meta=meta)
        else:
            yield from self._done(article)

    def _part_failed(self, failure: Failure) -> None:
        item = failure.request.meta["item"]
        self._error(
            item.url,
            f"page {failure.request.meta['parts'] + 1} of the article failed: {failure.getErrorMessage()}",
            item,
        )

    # -- failures ---------------------------------------------------------
    def on_error(self, failure: Failure) -> None:
        request = failure.request
        reason = failure.getErrorMessage() or failure.type.__name__
        response = getattr(failure.value, "response", None)
        item = request.meta.get("item")
        url = item.url if item is not None else (request.meta.get("redirect_urls") or [request.url])[0]
        if self._not_fetched(failure, url, item):
            return
        if failure.check(IgnoreRequest) and "max redirections" in reason:  # REDIRECT_MAX_TIMES
            reason = redirect_failure(request, looped=False)
        if response is not None and is_challenge(response):  # some challenges come as HTTP 4xx
            self._blocked(url, "the list page" if item is None else "the article page", item)
            return
        if response is not None:
            reason = f"HTTP {response.status}"
        self._error(url, reason, item)

    def _not_fetched(self, failure: Failure, url: str, item: ListItem | None) -> bool:
        """A request refused (private address), dropped for its size or stopped by the deadline:
        counted apart from errors and not retried (it would be refused again). A list page is an
        error too: the source's health then says why its list could not be read."""
        request = failure.request
        if item is None:  # a list page is named as listed, not as where it redirected
            url = (request.meta.get("redirect_urls") or [url])[0]
        led = "" if request.url == url else f" (led to {request.url})"
        at_connect = failure.check(CannotResolveHostError) and refused_at_connect(host_of(request.url))
        if failure.check(RequestRefused) or at_connect:
            figure = "refused"
            why = f"refused: {at_connect} (not one of the source's own hosts)" if at_connect else ""
            why = why or f"refused: {failure.getErrorMessage()}"
        elif failure.check(DownloadCancelledError) or _decompressed_too_big(failure):
            figure = "oversized"
            cap = show_size(self.crawler.settings.getint("NEWSRADAR_MAX_PAGE_SIZE"))
            why = f"skipped: larger than max_page_size ({cap})"
        elif failure.check(DeadlinePassed):
            self.crawler.stats.inc_value("newsradar/deadline")
            return True
        else:
            return False
        self.crawler.stats.inc_value(f"newsradar/{figure}")
        if item is None:
            self._error(url, why + led)
            return True
        log.warning("[%s] %s%s: %s", self.source["name"], url, led, why)
        notes = self.crawler.stats.get_value("newsradar/notes") or []
        notes.append(f"{url}{led}: {why}")
        self.crawler.stats.set_value("newsradar/notes", notes[-50:])
        return True

    def _dropped(self, request: Request, **_: Any) -> None:
        """The duplicate filter drops a redirect back to a page of its own chain (A → B → A): the
        article would end unreported, so it fails like any other (and is retried later)."""
        seen = self.crawler.request_fingerprinter.fingerprint  # what the duplicate filter compares
        if seen(request) in {seen(Request(u)) for u in request.meta.get("redirect_urls", [])}:
            item = request.meta.get("item")
            url = item.url if item is not None else request.meta["redirect_urls"][0]
            self._error(url, redirect_failure(request, looped=True), item)

    def _blocked(self, url: str, what: str, item: ListItem | None = None) -> None:
        self.crawler.stats.inc_value("newsradar/blocked")
        self._error(
            url,
            f"{BLOCKED_REASON}: {what} is a JavaScript check for browsers, not content; nothing stored",
            item,
        )

    def _error(self, url: str, reason: str, item: ListItem | None = None) -> None:
        # INFO, not WARNING: every failure reaches the crawl's report (what `newsradar crawl` prints
        # and the daemon logs), so at the default level each is said once, not twice.
        self.crawler.stats.inc_value("newsradar/errors")
        log.info("[%s] %s: %s", self.source["name"], url, reason)
        errors = self.crawler.stats.get_value("newsradar/error_list") or []
        errors.append(f"{url}: {reason}")
        self.crawler.stats.set_value("newsradar/error_list", errors[-50:])
        self.mark_failed(url, item, reason)

    def mark_failed(self, url: str, item: ListItem | None = None, reason: str = "") -> None:
        """A list page whose article failed keeps no validators, so the next crawl reads it again;
        a failed article (item given) is also kept for retries of its own (storage.retries)."""
        self._failed.add(url)
        if item is not None:
            self._article_failures[item.url] = (item.title, item.stamp, reason)

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        if self.store is None:
            return
        self.store.settle_retries(self.source["name"], self._article_failures, self._yielded)
        # A crawl stopped half-way (Ctrl-C, the daemon stopping or losing its lead) keeps no
        # validators: its lists' articles are not all stored, and a 304 would hide them for good
        # (a validators row also marks the start URL walked, ending the next crawl's full walk).
        keep = {
            url: (etag, lm)
            for url, (etag, lm, todo) in self._pending.items()
            if reason == "finished" and url not in self._failed and not (todo & self._failed)
        }
        self.store.save_validators(self.source["name"], keep)
        if reason == "finished":  # not when killed or shut down: the next crawl must walk on
            self.store.mark_walked(self.source["name"], self.source["start_urls"])


def redirect_failure(request: Request, looped: bool) -> str:
    """Why a redirected request ended: "redirect loop: A → B → A", or, past REDIRECT_MAX_TIMES,
    "too many redirects (over 20): A → B → … → Z"."""
    urls = [*request.meta.get("redirect_urls", []), request.url]
    if looped:
        return "redirect loop: " + " → ".join(urls)
    shown = urls if len(urls) < 5 else [*urls[:2], "…", urls[-1]]
    return f"too many redirects (over {len(urls) - 1}): " + " → ".join(shown)


def _decompressed_too_big(failure: Failure) -> bool:
    """A compressed answer that inflates past the cap (Scrapy's HttpCompressionMiddleware)."""
    return bool(failure.check(IgnoreRequest)) and "DOWNLOAD_MAXSIZE" in failure.getErrorMessage()


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
