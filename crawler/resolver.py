"""The crawl's DNS resolver: a host that is no source's own may not resolve to a private address.

Scrapy resolves every host it connects to (IP literals included) through the reactor's resolver,
installed from the TWISTED_DNS_RESOLVER setting. Checking the answer here, at connect time, is what
defeats DNS rebinding (a name that resolved to a public address when `AddressGuard` looked, and to
127.0.0.1 a moment later). The resolver serves the whole process, so it knows only the union of
the sources' own hosts (NEWSRADAR_OWN_HOSTS); `AddressGuard` applies each source's own list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from .addresses import note_refused_at_connect, proxy_hosts, refusal

__all__ = ["GuardedResolver"]


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing non-public answers for hosts that are no source's own."""

    trusted: frozenset[str] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        own = frozenset(h.lower() for h in crawler.settings.getlist("NEWSRADAR_OWN_HOSTS"))
        resolver.trusted = own | proxy_hosts()
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802
        answer = super().getHostByName(name, timeout)
        host = name.rstrip(".").lower()
        if host not in self.trusted:
            answer.addCallback(self._checked, host)  # cached answers are checked too
        return answer

    @staticmethod
    def _checked(address: str, host: str) -> str:
        why = refusal(host, address)
        if why:
            note_refused_at_connect(host, why)
            raise DNSLookupError(why)
        return address
