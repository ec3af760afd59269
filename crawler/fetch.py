"""One plain GET for `sources add` (no Scrapy engine), under the crawl's rules: a host other than
the one asked for is reached only at public addresses (checked on the address connected to, so
DNS rebinding does not get around it, and on every redirect), no answer is read past
`max_page_size`, and nothing runs past the deadline, however slowly a server drips its bytes.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes

from .addresses import AddressRefused, proxy_hosts, refusal
from .crawl_settings import CrawlSettings, show_size
from .encoding import decode_response

__all__ = ["Fetcher", "Unreachable"]

_CHUNK = 64 * 1024


class Unreachable(Exception):
    """The URL cannot be fetched: one line saying why, for the user."""


class Fetcher:
    """GETs pages one at a time; `refused` counts requests refused for a private address."""

    def __init__(
        self, own: Iterable[str], user_agent: str | None = None, timeout: float = 20.0,
        max_size: int | None = None, deadline: float | None = None,
    ) -> None:  # fmt: skip
        """`own`: hosts reached whatever their address; `deadline`: seconds from now for all GETs."""
        self.own = frozenset(h.lower() for h in own) | proxy_hosts()
        self.agent = user_agent or CrawlSettings().user_agent
        self.timeout = timeout
        self.max_size = max_size or CrawlSettings().max_page_size
        self.budget = deadline
        self.ends = time.monotonic() + deadline if deadline else None
        self.refused = 0
        self.opener = urllib.request.OpenerDirector()  # http(s) only: no file:, ftp: or data: handlers
        for handler in (
            urllib.request.ProxyHandler(), urllib.request.UnknownHandler(), _Http(self), _Https(self),
            urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPRedirectHandler(),
            urllib.request.HTTPErrorProcessor(),
        ):  # fmt: skip
            self.opener.add_handler(handler)

    def left(self, timeout: float) -> float:
        """The timeout to use now: `timeout`, shortened to what the deadline leaves."""
        if self.ends is None:
            return timeout
        left = self.ends - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline")
        return min(timeout, left)

    def get(self, url: str) -> TextResponse:
        """One GET, decoded the way the crawler decodes (GBK and undeclared pages included)."""
        if url.partition(":")[0].lower() not in ("http", "https"):
            raise Unreachable(f"refused {url}: only http and https URLs are fetched")
        request = urllib.request.Request(url, headers={"User-Agent": self.agent, "Accept": "*/*"})
        try:
            with self.opener.open(request, timeout=self.left(self.timeout)) as answer:  # noqa: S310
                final, headers = answer.geturl(), Headers(dict(answer.headers.items()))
                body = self._read(answer, url)
        except urllib.error.HTTPError as exc:
            raise Unreachable(f"{url} answered HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            raise self._unreachable(url, exc.reason) from None
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise self._unreachable(url, exc) from None
        cls = responsetypes.from_args(headers=headers, url=final, body=body)
        if not issubclass(cls, TextResponse):
            cls = TextResponse
        return decode_response(cls(url=final, headers=headers, body=body, status=200))

    def _read(self, answer: Any, url: str) -> bytes:
        length = answer.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_size:
            raise Unreachable(self._too_big(url))
        sock = getattr(getattr(answer.fp, "raw", None), "_sock", None)
        parts, size = [], 0
        while True:
            if sock is not None:  # a server dripping a byte a second must not outlast the deadline
                sock.settimeout(self.left(self.timeout))
            chunk = answer.read1(_CHUNK)
            if not chunk:
                return b"".join(parts)
            size += len(chunk)
            if size > self.max_size:
                raise Unreachable(self._too_big(url))
            parts.append(chunk)

    def _too_big(self, url: str) -> str:
        return f"{url} is larger than max_page_size ({show_size(self.max_size)}): not read"

    def _unreachable(self, url: str, reason: Any) -> Unreachable:
        if isinstance(reason, AddressRefused):
            self.refused += 1
            return Unreachable(f"refused {url}: {reason} (not the host asked for)")
        if (
            isinstance(reason, TimeoutError)
            and self.ends is not None
            and time.monotonic() >= self.ends - 0.05
        ):
            return Unreachable(
                f"gave up on {url}: no complete answer within the {self.budget:g}s deadline (--deadline)"
            )
        if isinstance(reason, TimeoutError):
            return Unreachable(f"cannot reach {url}: no answer within {self.timeout:g}s")
        return Unreachable(f"cannot reach {url}: {getattr(reason, 'strerror', None) or reason}")

    def connect(self, address: tuple[str, int], timeout: float, source: Any = None) -> socket.socket:
        """socket.create_connection, refusing a non-own host any of whose addresses is not public."""
        host, port = address
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        if host.strip("[]").rstrip(".").lower() not in self.own:
            for *_, sockaddr in answers:
                why = refusal(host, str(sockaddr[0]))
                if why:
                    raise AddressRefused(why)
        error: OSError | None = None
        for family, kind, proto, _, sockaddr in answers:  # connect to an address checked above
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self.left(timeout))
                if source:
                    sock.bind(source)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                error = exc
        raise error or OSError(f"no address for {host}")

    def connection(self, cls: type[http.client.HTTPConnection]) -> Callable[..., http.client.HTTPConnection]:
        def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            conn = cls(host, **kwargs)
            conn._create_connection = self.connect  # type: ignore[method-assign]
            return conn

        return make


class _Http(urllib.request.HTTPHandler):
    def __init__(self, fetcher: Fetcher) -> None:
        super().__init__()
        self.fetcher = fetcher

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(self.fetcher.connection(http.client.HTTPConnection), req)


class _Https(urllib.request.HTTPSHandler):
    def __init__(self, fetcher: Fetcher) -> None:
        super().__init__()
        self.fetcher = fetcher

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(self.fetcher.connection(http.client.HTTPSConnection), req, context=self._context)
