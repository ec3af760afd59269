"""Downloader middlewares: honest backoff between retries; no request into the private network."""

from __future__ import annotations

import asyncio
import socket
import time

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from .addresses import host_of, literal_refusal, own_hosts, refusal, refused_at_connect

__all__ = ["AddressGuard", "BackoffMiddleware", "DeadlinePassed", "RequestRefused"]


class BackoffMiddleware:
    """Waits base * 2^(n-1) seconds before the n-th retry, so a struggling site gets room."""

    def __init__(self, base: float, cap: float) -> None:
        self.base, self.cap = base, cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        s = crawler.settings
        return cls(
            s.getfloat("NEWSRADAR_RETRY_BACKOFF", 1.0), s.getfloat("NEWSRADAR_RETRY_BACKOFF_MAX", 30.0)
        )

    async def process_request(self, request: Request, spider: object = None) -> None:
        tries = request.meta.get("retry_times", 0)
        if tries and self.base > 0:
            await asyncio.sleep(min(self.cap, self.base * 2 ** (tries - 1)))
        return None


class RequestRefused(IgnoreRequest):
    """The request would reach a non-public address of a host that is not the source's own."""


class DeadlinePassed(IgnoreRequest):
    """The probe's overall deadline (`sources add --deadline`) has passed: nothing more is fetched."""


class AddressGuard:
    """Runs on every request, redirects and meta refreshes included (they come back through here):
    a host that is not one of the spider's source's own is reached only at public addresses.

    An IP literal is judged as written; a name is resolved here (for this source's rules) and
    again by `resolver.GuardedResolver` at connect time (against rebinding). With a deadline
    (NEWSRADAR_DEADLINE, a time.time() value) no request outlives it.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.deadline = crawler.settings.getfloat("NEWSRADAR_DEADLINE", 0.0)
        self._own: frozenset[str] | None = None
        self._verdicts: dict[str, str | None] = {}  # host -> why refused (None: public), this crawl

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuard:
        return cls(crawler)

    async def process_request(self, request: Request, spider: object = None) -> None:
        if self.deadline:
            left = self.deadline - time.time()
            if left <= 0:
                raise DeadlinePassed("the deadline has passed")
            request.meta["download_timeout"] = min(request.meta.get("download_timeout", left), left)
        scheme = request.url.partition(":")[0].lower()
        if scheme not in ("http", "https"):  # file:///etc/passwd, ftp://10.0.0.1/ from a hostile list
            raise RequestRefused(f"{scheme}: URLs are never fetched (only http and https)")
        host = host_of(request.url)
        if self._own is None:
            self._own = own_hosts(getattr(self.crawler.spider, "source", None) or {})
        if not host or host in self._own:
            return None
        if host not in self._verdicts:
            self._verdicts[host] = literal_refusal(host) or await _resolved_refusal(host)
        why = refused_at_connect(host) or self._verdicts[host]
        if why:
            raise RequestRefused(f"{why} (not one of the source's own hosts)")
        return None


async def _resolved_refusal(host: str) -> str | None:
    """Why the host is refused, judged on every address it resolves to now (None: all public, or
    no answer: the download then reports the DNS failure itself)."""
    try:
        answers = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    for *_, sockaddr in answers:
        why = refusal(host, str(sockaddr[0]))
        if why:
            return why
    return None
