"""Downloader middlewares: honest backoff between retries."""

from __future__ import annotations

import asyncio

from scrapy.crawler import Crawler
from scrapy.http import Request

__all__ = ["BackoffMiddleware"]


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
