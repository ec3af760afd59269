"""Cheap polling for feed readers and API clients: Cache-Control and an ETag over the body on
the feeds and the API, a 304 when If-None-Match names it; gzip where no secret is in the page."""

from __future__ import annotations

import hashlib

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["GZIP_MIN_BYTES", "PublicGZip", "cache_policy", "conditional"]

# Path prefix -> Cache-Control for a 200. Feeds change at most once per crawl; lists faster.
POLICIES = (("/api/v1/", "public, max-age=60"), ("/feeds/", "public, max-age=300"))
# Compressed only where the answer holds no per-browser secret (pages carry CSRF tokens next to
# reflected input: compressing those would open them to BREACH-style guessing).
PUBLIC_PREFIXES = ("/api/", "/feeds/", "/static/")
GZIP_MIN_BYTES = 1024


def cache_policy(path: str) -> str | None:
    return next((policy for prefix, policy in POLICIES if path.startswith(prefix)), None)


def _matches(if_none_match: str | None, tag: str) -> bool:
    if not if_none_match:
        return False
    given = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in given or tag.removeprefix("W/") in given


async def conditional(request: Request, response: Response) -> Response:
    """On the public paths: the answer as one body (so gzip sees its size rather than a stream,
    and leaves small ones alone); a successful GET on the feeds or the API with its validators, or
    a 304 if unchanged. The tag is weak: the gzip and plain bodies are the same representation."""
    path = request.url.path
    if not path.startswith(PUBLIC_PREFIXES):
        return response
    body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
    out = Response(body, status_code=response.status_code)
    out.raw_headers = list(response.raw_headers)  # the same body: its headers hold, duplicates too
    policy = cache_policy(path)
    if policy is None or request.method not in ("GET", "HEAD") or response.status_code != 200:
        return out
    tag = f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": tag, "Cache-Control": policy}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    out.headers.update(headers)
    return out


class PublicGZip:
    """Starlette's GZipMiddleware for PUBLIC_PREFIXES only."""

    def __init__(self, app: ASGIApp, minimum_size: int = GZIP_MIN_BYTES) -> None:
        self.app, self.gzip = app, GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PUBLIC_PREFIXES):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
