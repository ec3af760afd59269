"""The JSON API's contract: response models and parameter formats, so /api/v1/openapi.json says
exactly what the server answers and accepts (schemathesis checks the two agree).

Times are ISO 8601 date-times in Beijing time (+08:00); days are ISO dates (YYYY-MM-DD).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from .params import MAX_ID

__all__ = [
    "CURSOR_PATTERN",
    "DAY_PATTERN",
    "MAX_ID",
    "ERROR_RESPONSES",
    "QUERY_PATTERN",
    "ApiError",
    "WatchIn",
    "Article",
    "ArticleDetail",
    "ArticlePage",
    "SearchCopy",
    "SearchItem",
    "SearchPage",
    "NodeState",
    "SourceHealth",
    "SourcePage",
    "StoryDetail",
    "StoryPage",
    "TopicDetail",
    "TopicPage",
    "refusal",
]

# The days a filter may name (web.params refuses the rest): 1900-01-01 to 2999-12-31. The pattern
# also says YYYY-MM-DD with ASCII digits; a day that does not exist (02-30) is a 400 from the parser.
DAY_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
# next_cursor as handed out: URL-safe base64 without padding.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"
# A query starts with a word or "phrase" to find (a letter, digit or Chinese character first), then
# up to 11 more words, "phrases" or -exclusions, separated by whitespace (Python's, which search
# splits on): what search can always answer. Quotes only open or close a part, so no part holds two
# search terms and 12 parts are at most search's 12 terms.
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_OPEN, _CLOSE = '"＂“「『', '"＂”」』'
_WORD = rf"[^{_SPACE}{_OPEN}{_CLOSE}]"
QUERY_PATTERN = (
    rf"^[{_SPACE}]*[{_OPEN}]?[0-9A-Za-z\u4e00-\u9fff]{_WORD}*[{_CLOSE}]?"
    rf"([{_SPACE}]+[\-－−]?[{_OPEN}]?{_WORD}+[{_CLOSE}]?){{0,11}}[{_SPACE}]*$"
)

# What a parameter refused by its pattern should have looked like, in words.
PATTERN_HINTS = {
    DAY_PATTERN: "is not a date like 2025-03-01 (1900-01-01 to 2999-12-31)",
    CURSOR_PATTERN: "is not a cursor this API handed out (use next_cursor as given)",
    QUERY_PATTERN: "cannot be searched: start with a word or phrase to find (a letter, digit or "
    "Chinese character first), then at most 11 more words, phrases or -exclusions",
}


def refusal(errors: Sequence[Any]) -> tuple[int, str]:
    """(status, message) for parameters the schema refuses: 404 when only the path is wrong (an
    id that is no whole number names nothing), else 400; each problem named with its parameter."""
    parts = []
    for e in errors:
        loc = tuple(e.get("loc") or ())
        name = ".".join(str(p) for p in loc[1:]) or "request"
        hint = PATTERN_HINTS.get((e.get("ctx") or {}).get("pattern"))
        if loc[:1] == ("path",) and str(e.get("type", "")).startswith(("int", "greater", "less")):
            hint = f"is not an id (a whole number from 1 to {MAX_ID})"
        given = e.get("input")
        shown = f" {given[:40]!r}" if isinstance(given, str) else ""
        parts.append(f"{name}:{shown} {hint}" if hint else f"{name}: {e.get('msg', 'invalid')}")
    if errors and all(tuple(e.get("loc") or ("",))[:1] == ("path",) for e in errors):
        return 404, "not found: " + "; ".join(parts)
    return 400, "bad request: " + "; ".join(parts)


class ApiError(BaseModel):
    """Every refusal and failure has this shape, whatever the status."""

    error: str = Field(description="what is wrong and what to do, for a person to read")
    status: int = Field(description="the HTTP status again", ge=400, le=599)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ApiError, "description": "A parameter is malformed (the message names it)"},
    404: {
        "model": ApiError,
        "description": "No such item, topic or source, or no such page: an unknown cursor, a `to` before `from`",
    },
}


class Policy(BaseModel):
    doc_number: str | None = None
    issuer: str | None = None
    subject: str | None = None
    written_date: date | None = None
    published_date: date | None = None
    effective_date: date | None = None
    validity: str | None = None
    attachments: list[dict[str, Any]] = []


class Article(BaseModel):
    id: int
    source: str
    url: str
    canonical_url: str | None = None
    title: str
    published_at: datetime | None = None
    origin: str | None = None
    author: str | None = None
    category: str | None = None
    tags: list[str] = []
    summary: str | None = None
    language: str | None = None
    extraction: str | None = None
    fetched_at: datetime | None = None
    updated_at: datetime | None = None
    content_hash: str | None = None
    story: int | None = Field(None, description="the story id (see /api/v1/stories/{story_id})")
    topics: list[str] = Field(description="ids of the topics it matched")
    policy: Policy | None = Field(None, description="policy-document fields, when it is one")


class Match(BaseModel):
    topic: str
    score: float
    terms: dict[str, int] = Field(description="matched term -> times found")
    evidence: str | None = Field(None, description="the sentence that matched")


class ArticleDetail(Article):
    body: str | None = Field(None, description="plain text")
    body_html: str = Field(description="sanitised HTML")
    matches: list[Match]


class StoryLead(BaseModel):
    id: int
    title: str
    url: str
    source: str
    published_at: datetime | None = None


class StoryCopy(StoryLead):
    origin: str | None = None
    fetched_at: datetime | None = None
    tier: int


class Story(BaseModel):
    id: int
    lead: StoryLead | None = Field(description="the copy shown for the story")
    articles: list[StoryCopy] = Field(description="every copy, lead first")
    sources: list[str]
    topics: list[str]
    first_published_at: datetime | None = None
    first_fetched_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class StoryItem(Story):
    evidence: str | None = Field(None, description="the best evidence sentence")


class StoryEvidence(BaseModel):
    topic: str
    article: int
    score: float
    terms: dict[str, int]
    evidence: str | None = None


class StoryDetail(Story):
    evidence: list[StoryEvidence] = Field(description="per topic and copy")


class Topic(BaseModel):
    id: str
    name: str
    description: str | None = None
    keywords: dict[str, float] = Field(description="term -> weight")
    aliases: dict[str, list[str]] = Field(description="term -> other spellings")
    exclusions: list[str]
    feed: str = Field(description="the topic's Atom feed")


class DayCount(BaseModel):
    day: date
    stories: int


class SourceCount(BaseModel):
    source: str
    articles: int


class TopicDetail(Topic):
    per_day: list[DayCount]
    per_source: list[SourceCount]


class SearchCopy(BaseModel):
    """One other source's copy of a found story (group=story)."""

    article_id: int
    source: str
    title: str
    url: str
    published_at: datetime | None = None


class SearchItem(BaseModel):
    article_id: int
    story_id: int | None = None
    source: str
    url: str
    title: str
    title_html: str = Field(description="title, escaped, with <mark> around the hits")
    snippet_html: str = Field(description="best passage, escaped, with <mark> around the hits")
    published_at: datetime | None = None
    score: float
    best_article_id: int | None = Field(
        None, description="the best-ranked matching copy, whose snippet is shown (story results)"
    )
    copies: list[SearchCopy] | None = Field(None, description="the story's other copies (story results)")


class RunFigures(BaseModel):
    requests: int
    list_items: int
    unchanged_lists: int
    new: int
    updated: int
    skipped: int
    errors: int
    fallback: int
    blocked: int
    refused: int = Field(0, description="links to private addresses refused (not the source's own hosts)")
    oversized: int = Field(0, description="pages over [crawl] max_page_size, skipped")


class SourceHealth(BaseModel):
    source: str
    status: str = Field(
        description="ok, degraded, partial, quiet, failing, blocked or unknown (never crawled)"
    )
    detail: str
    alert: bool = Field(
        False, description="a problem the admins are told about (after [health] failing_after)"
    )
    last_crawl: datetime | None = None
    last_new_article: datetime | None = None
    articles: int
    last_run: RunFigures | None = None
    last_node: str | None = Field(
        None, description="the crawler node that ran the last crawl; null: the daemon's machine"
    )
    last_job: str | None = Field(None, description="the node's Scrapyd job id of the last crawl")


class NodeState(BaseModel):
    """One of [crawl] nodes as its daemonstatus.json answered (or did not)."""

    url: str
    up: bool
    name: str | None = None
    running: int = 0
    pending: int = 0
    finished: int = 0
    error: str | None = Field(None, description="why the node is down")


class _Page(BaseModel):
    next_cursor: str | None = Field(
        None, pattern=CURSOR_PATTERN, description="pass back as ?cursor= for the next page; null: last page"
    )


class ArticlePage(_Page):
    items: list[Article]


class StoryPage(_Page):
    items: list[StoryItem]
    total: int = Field(description="stories matching; a lower bound when total_capped")
    total_capped: bool = Field(
        False, description="more stories match than were counted (the count stops past 10,000)"
    )


class SearchPage(_Page):
    items: list[SearchItem]
    total: int


class TopicPage(_Page):
    items: list[Topic]


class SourcePage(_Page):
    items: list[SourceHealth]
    nodes: list[NodeState] = Field(
        [], description="[crawl] nodes, up or down, with their jobs; [] without nodes"
    )


class WatchIn(BaseModel):
    """A watch to add (POST /api/v1/admin/watches): the query is checked as search checks it."""

    subscriber_id: int = Field(ge=1, le=MAX_ID)
    query: str = Field(min_length=1, max_length=500)
    topics: list[str] = Field(default=[], max_length=100)
    sources: list[str] = Field(default=[], max_length=100)
    backfill: int = Field(default=0, ge=0, le=1000, description="queue the N most recent matches once")
