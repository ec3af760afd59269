"""Query and path parameters shared by pages, feeds, forms and the API, parsed once and strictly
(ASCII digits only, bounded ranges) so a malformed value is a 4xx with a message a person can act
on, never a conversion error deeper down (a superscript two passes str.isdigit; year 1 or 9999
overflows once a time zone is applied)."""

from __future__ import annotations

import base64
import re
from datetime import date, datetime, timedelta

from fastapi import Request

from storage import BEIJING
from storage.archive import StoryFilter
from storage.queries import stored_sources

from .errors import BadRequest

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "MAX_ID",
    "decode_cursor",
    "encode_cursor",
    "parse_int",
    "page_number",
    "parse_day",
    "parse_id",
    "story_filter",
]

MAX_PAGE = 100_000
MAX_ID = 2**31 - 1  # ids are INTEGER columns: a larger one cannot exist, and PostgreSQL refuses it in a query
# The days a filter or cursor may name: wide enough for any archive, narrow enough that adding a
# day or a time zone never leaves what `datetime` holds.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_int(value: str | None, name: str, low: int, high: int, *, status: int = 400) -> int:
    """`value` as a whole number in low..high: ASCII digits only (no sign, space, '_' or '²')."""
    text = value or ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)) or not low <= int(text) <= high:
        raise BadRequest(
            f"{name}: must be a whole number from {low} to {high}, not {text[:20]!r}", status=status
        )
    return int(text)


def parse_id(value: str, what: str) -> int:
    """A path id; anything else is a 404 that says so (never a validation traceback)."""
    try:
        return parse_int(value, what, 1, MAX_ID, status=404)
    except BadRequest:
        raise BadRequest(f"{what}: {value[:20]!r} is not an id (a whole number)", status=404) from None


def parse_day(value: str | None, name: str) -> date | None:
    """YYYY-MM-DD between FIRST_DAY and LAST_DAY, or None for an absent or empty value."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    try:
        if not _DAY.fullmatch(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name}: {value[:40]!r} is not a date like 2025-03-01") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadRequest(
            f"{name}: {text} is outside the days the archive can hold ({FIRST_DAY} to {LAST_DAY})"
        )
    return day


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, datetime.min.time(), tzinfo=BEIJING) if day else None


def page_number(value: str | None) -> int:
    if value is None or value == "":
        return 1
    return parse_int(value, "page", 1, MAX_PAGE)


def known_sources(request: Request) -> list[str]:
    st = request.app.state
    with st.db.session() as s:
        stored = stored_sources(s)
    return sorted(set(st.sources) | set(stored))


def crawler_nodes(request: Request) -> list[dict]:
    """[crawl] nodes as `newsradar status` shows them (crawler.nodes_overview: up/down, jobs); []
    without nodes. A down node costs the page at most one short timeout."""
    urls = getattr(getattr(request.app.state.config, "crawl", None), "nodes", ())
    if not urls:
        return []
    from crawler.nodes import nodes_overview

    return nodes_overview(urls, timeout=2.0)


def check_topic(request: Request, topic: str | None) -> str | None:
    if not topic:
        return None
    names = request.app.state.topic_names
    if topic not in names:
        raise BadRequest(f"topic: no topic {topic[:60]!r} (known: {', '.join(names)})", status=404)
    return topic


def story_filter(
    request: Request,
    *,
    topic: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    matched_only: bool = True,
) -> StoryFilter:
    """Dates are Beijing days, both ends included (until=2025-03-01 includes that day)."""
    first, last = parse_day(since, "from"), parse_day(until, "to")
    if first and last and last < first:
        raise BadRequest("to: the end date is before the start date")
    if source and source not in known_sources(request):
        raise BadRequest(f"source: no source {source[:60]!r}", status=404)
    return StoryFilter(
        topic=check_topic(request, topic),
        source=source or None,
        since=_start(first),
        until=_start(last + timedelta(days=1)) if last else None,
        matched_only=matched_only,
    )


def encode_cursor(when: datetime, row_id: int) -> str:
    raw = f"{when.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str | None) -> tuple[datetime, int] | None:
    if not value:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        when, _, row_id = raw.partition("|")
        at = datetime.fromisoformat(when)
        if at.tzinfo is None or not FIRST_DAY <= at.date() <= LAST_DAY:
            raise ValueError
        return at, parse_id(row_id, "cursor")
    except (ValueError, UnicodeDecodeError, BadRequest):
        raise BadRequest("cursor: not a cursor this API handed out (use next_cursor as given)") from None
