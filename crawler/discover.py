"""`sources add`: from one URL to the [[sources]] keys that watch it.

In order: a kind that recognises the page (every adapter's `suggest`, feeds and sitemaps included),
a feed the page announces (<link rel="alternate">), the site's sitemap when the URL is its home
page and a `sitemap` kind exists, `generic` selectors inferred from the page, the sitemap of any
other page. Fetching is one plain GET per page with the crawler's User-Agent and its limits
(`fetch.Fetcher`: no Scrapy engine; `sources add` runs the real crawl afterwards, through
`probe_source`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import TextResponse

from common import plural

from .adapters import ADAPTERS
from .addresses import host_of
from .fetch import Fetcher, Unreachable
from .list_infer import infer_list

__all__ = ["Proposal", "Unreachable", "discover", "fetch"]

log = logging.getLogger(__name__)

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
_HOME_PATHS = ("", "/", "/index.html", "/index.htm", "/index.shtml", "/default.htm")


@dataclass
class Proposal:
    """The [[sources]] keys to watch a page (without `name`), or None in `entry` when nothing
    reliable was found; `how` says what was recognised, `notes` what else is worth knowing."""

    url: str
    entry: dict[str, Any] | None
    how: str
    notes: list[str] = field(default_factory=list)


def fetch(url: str, user_agent: str | None = None, timeout: float = 20.0) -> TextResponse:
    """One GET of a page (its own host at any address, others at public ones only)."""
    return Fetcher([host_of(url)], user_agent, timeout).get(url)


def _suggested(response: TextResponse) -> tuple[str, dict[str, Any]] | None:
    """The first kind whose `suggest` accepts the page, with its keys (start_urls defaulted)."""
    for kind, adapter in ADAPTERS.items():
        try:
            keys = adapter.suggest(response)
        except Exception:  # one kind's bug must not stop the others from being asked: log it
            log.exception(
                "the %s adapter's suggest() failed on %s (a bug: please report it)", kind, response.url
            )
            keys = None
        if keys:
            keys = {**keys.pop("options", {}), **keys} if isinstance(keys.get("options"), dict) else keys
            return kind, {"kind": kind, "start_urls": [response.url], **keys}
    return None


def _is_html(response: TextResponse) -> bool:
    try:
        return bool(response.css("body, head"))
    except ValueError:  # JSON has no markup to read
        return False


def _feed_links(response: TextResponse) -> list[str]:
    links = []
    if not _is_html(response):
        return links
    for link in response.css("link[rel~=alternate][href]"):
        if (link.attrib.get("type") or "").split(";")[0].strip().lower() in _FEED_TYPES:
            links.append(response.urljoin(link.attrib["href"]))
    return list(dict.fromkeys(links))


def _announced_feed(response: TextResponse, fetcher: Fetcher, notes: list[str]) -> Proposal | None:
    feeds = _feed_links(response)
    for n, url in enumerate(feeds):
        try:
            found = _suggested(fetcher.get(url))
        except Unreachable as exc:
            notes.append(f"the page announces a feed, but {exc}")
            continue
        if found and found[0] == "feed":
            more = (
                [f"the page announces other feeds too: {', '.join(feeds[n + 1 :])}"] if feeds[n + 1 :] else []
            )
            how = 'the page announces this feed (<link rel="alternate">)'
            return Proposal(response.url, found[1], how, notes + more)
    return None


def _sitemap(response: TextResponse, fetcher: Fetcher) -> dict[str, Any] | None:
    """The site's sitemap as a `sitemap` source, when that kind exists: robots.txt's Sitemap:
    lines, else /sitemap.xml."""
    if "sitemap" not in ADAPTERS:
        return None
    parts = urlsplit(response.url)
    origin = f"{parts.scheme}://{parts.netloc}"
    candidates = []
    try:
        robots = fetcher.get(urljoin(origin, "/robots.txt")).text
        for line in robots.splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and value.strip():
                candidates.append(urljoin(origin, value.strip()))
    except Unreachable:
        pass
    for url in (candidates or [urljoin(origin, "/sitemap.xml")])[:3]:
        try:
            page = fetcher.get(url)
            keys = ADAPTERS["sitemap"].suggest(page)
        except Unreachable:
            continue
        except Exception:
            keys = None
        if keys:
            return {"kind": "sitemap", "start_urls": [url], **keys}
    return None


def _inferred(response: TextResponse) -> Proposal | None:
    guess = infer_list(response) if _is_html(response) else None
    if guess is None:
        return None
    how = f"a list of {guess.entries} links"
    how += f", {guess.dated} with a date" if guess.dated else ", without dates"
    entry = {"kind": "generic", "start_urls": [response.url], "selectors": guess.selectors}
    return Proposal(response.url, entry, how + ": generic selectors inferred from the page", guess.notes)


def discover(
    url: str, user_agent: str | None = None, timeout: float = 20.0, *, max_size: int | None = None,
    deadline: float | None = None,
) -> Proposal:  # fmt: skip
    """How to watch this URL, fetching no page past `max_size` and nothing after `deadline` seconds.
    Raises Unreachable when the page itself cannot be fetched."""
    fetcher = Fetcher([host_of(url)], user_agent, timeout, max_size, deadline)
    proposal = _discover(fetcher, url)
    if fetcher.refused and not any("refused" in note for note in proposal.notes):  # else said
        proposal.notes.append(f"{plural(fetcher.refused, 'link')} to private addresses refused")
    return proposal


def _discover(fetcher: Fetcher, url: str) -> Proposal:
    response = fetcher.get(url)
    notes: list[str] = []
    found = _suggested(response)
    if found:
        feeds = _feed_links(response)
        if feeds and found[0] != "feed":
            notes.append(f"the page also announces a feed: {feeds[0]} (`sources add` that URL to watch it)")
        return Proposal(response.url, found[1], f"recognised as a page of kind {found[0]}", notes)
    announced = _announced_feed(response, fetcher, notes)
    if announced:
        return announced
    home = urlsplit(response.url).path in _HOME_PATHS
    sitemap = _sitemap(response, fetcher) if home else None
    if sitemap:
        return Proposal(
            response.url, sitemap, "the site's home page: its sitemap lists what it publishes", notes
        )
    inferred = _inferred(response)
    if inferred:
        inferred.notes = notes + inferred.notes
        return inferred
    sitemap = None if home else _sitemap(response, fetcher)
    if sitemap:
        how = "no list found on the page; the site publishes a sitemap"
        return Proposal(response.url, sitemap, how, notes)
    return Proposal(response.url, None, "no repeated block of links with dates found on the page", notes)
