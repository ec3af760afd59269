"""Query parameters shared by pages, feeds and the API, checked with messages a person can act on."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta

from fastapi import Request

from storage import BEIJING
from storage.archive import StoryFilter
from storage.queries import stored_sources

from .errors import BadRequest

__all__ = ["decode_cursor", "encode_cursor", "page_number", "parse_day", "story_filter"]

MAX_PAGE = 100_000


def parse_day(value: str | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadRequest(f"{name}: {value[:40]!r} is not a date like 2025-03-01") from None


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, datetime.min.time(), tzinfo=BEIJING) if day else None


def page_number(value: str | None) -> int:
    if value is None or value == "":
        return 1
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise BadRequest(f"page: must be a whole number from 1 to {MAX_PAGE}, not {value[:20]!r}")
    return int(value)


def known_sources(request: Request) -> list[str]:
    st = request.app.state
    with st.db.session() as s:
        stored = stored_sources(s)
    return sorted(set(st.sources) | set(stored))


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
        if at.tzinfo is None:
            raise ValueError
        return at, int(row_id)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("cursor: not a cursor this API handed out (use next_cursor as given)") from None
