"""The MCP server (official ``mcp`` SDK, ``MCPServer``, formerly FastMCP): the archive's read-only
tools over stdio or streamable HTTP. Each tool is one call of :class:`mcpserver.Archive`; what
the archive refuses reaches the model as the tool's error text, never as a crash."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from .archive import MAX_LIMIT, Archive, ArchiveError

__all__ = ["build_server", "run", "serve"]

INSTRUCTIONS = (
    "newsradar's archive of Chinese government and finance news, grouped into stories (one story = "
    "the same news republished by several sources). Read-only. Search with `search` (the archive's "
    'query syntax: words all must occur, "quoted phrase", -word excludes; Chinese needs 2+ characters), '
    "open one with `get_story`, list the newest with `latest`, follow topics with `topic_trend` and "
    "`compare_periods`, check the crawl with `sources_health`. Every answer links to the web archive."
)
READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

Topic = Annotated[str | None, Field(description="topic id (see topic_trend for the ids and names)")]
Source = Annotated[str | None, Field(description="source name, e.g. bj-yaowen (see sources_health)")]
From = Annotated[date | None, Field(description="first Beijing day, YYYY-MM-DD (included)")]
To = Annotated[date | None, Field(description="last Beijing day, YYYY-MM-DD (included)")]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"how many (1-{MAX_LIMIT})")]


def _answer(call: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        return call(*args, **kwargs)
    except ArchiveError as exc:
        raise ToolError(str(exc)) from None


def build_server(archive: Archive) -> MCPServer:
    """An MCPServer with the archive's six tools."""
    server = MCPServer(name="newsradar", instructions=INSTRUCTIONS)

    @server.tool(annotations=READ_ONLY)
    def search(
        q: Annotated[str, Field(description='query: words (all must occur), "a phrase", -exclude; e.g. 数字人民币 试点')],
        topic: Topic = None, source: Source = None, date_from: From = None, date_to: To = None, limit: Limit = 10,
        cursor: Annotated[str | None, Field(description="next_cursor of the previous answer")] = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Full-text search of titles and bodies; one result per story (its lead's title, the best
        snippet with hits in 【】, and the other sources' copies), best matches first."""
        return _answer(archive.search, q, topic=topic, source=source, date_from=date_from, date_to=date_to,
                       limit=limit, cursor=cursor)  # fmt: skip

    @server.tool(annotations=READ_ONLY)
    def get_story(
        story_id: Annotated[int, Field(description="a story_id from search or latest")],
        max_chars: Annotated[int, Field(ge=0, le=100_000, description="how much of the lead's text")] = 4000,
    ) -> dict[str, Any]:
        """One story: title, time, topics with their evidence (once per topic), every copy with its
        source and time, then the lead article's text."""
        return _answer(archive.get_story, story_id, max_chars=max_chars)

    @server.tool(annotations=READ_ONLY)
    def latest(
        topic: Topic = None, source: Source = None, date_from: From = None, date_to: To = None,
        include_unmatched: Annotated[bool, Field(description="also stories that matched no topic")] = False,
        limit: Limit = 20,
    ) -> dict[str, Any]:  # fmt: skip
        """The newest stories, newest first, with their sources, topics and evidence."""
        return _answer(archive.latest, topic=topic, source=source, date_from=date_from, date_to=date_to,
                       include_unmatched=include_unmatched, limit=limit)  # fmt: skip

    @server.tool(annotations=READ_ONLY)
    def topic_trend(
        topic: Topic = None,
        days: Annotated[int, Field(ge=8, le=366, description="days shown, ending with last_day")] = 14,
        last_day: Annotated[date | None, Field(description="last Beijing day (default: today)")] = None,
    ) -> dict[str, Any]:
        """Stories per day per topic (every topic when none is given), and the last day against the
        mean of the 7 days before it (direction up / down / flat, ±20 %)."""
        return _answer(archive.topic_trend, topic=topic, days=days, last_day=last_day)

    @server.tool(annotations=READ_ONLY)
    def compare_periods(
        first_from: date, first_to: date, second_from: date, second_to: date, topic: Topic = None
    ) -> dict[str, Any]:
        """Stories per topic in two periods (Beijing days, both ends included) and the change."""
        return _answer(archive.compare_periods, first_from, first_to, second_from, second_to, topic=topic)

    @server.tool(annotations=READ_ONLY)
    def sources_health() -> dict[str, Any]:
        """Every source's crawl health: status, last crawl, last new article, stored articles."""
        return _answer(archive.sources_health)

    return server


def serve(archive: Archive, *, http: bool = False, port: int = 8765) -> None:
    """Run until the client disconnects (stdio: only the protocol on stdout) or Ctrl-C (HTTP on
    127.0.0.1:``port``, path /mcp)."""
    server = build_server(archive)
    if http:
        server.run("streamable-http", host="127.0.0.1", port=port)
    else:
        server.run("stdio")


def run(config: Any, db: Any, *, http: bool = False, port: int = 8765) -> None:
    """``newsradar mcp``: the configured archive (database, topics in force, sources, the web
    archive's public URL for links) served over stdio or HTTP."""
    from common import topic_labels
    from web import public_url

    sources = [s.name for s in config.sources]
    health = (getattr(config, "sections", None) or {}).get("health")  # the one verdict, as status says it
    archive = Archive(db, topic_labels(config.topics), sources, public_url(config), health)
    serve(archive, http=http, port=port)
