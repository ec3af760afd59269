"""`sources add URL`: work out how to watch a page, try it as `sources test` does, write it on request."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler.crawl_settings import ADD_DEADLINE
from crawler.discover import Proposal, Unreachable, discover

from .config import ConfigError, parse_source
from .config_write import GENERIC_TEMPLATE, append_source, duplicate_of, source_block

if TYPE_CHECKING:
    from crawler import SourceReport

    from .context import Context

__all__ = ["Added", "Unreachable", "add_source", "default_name"]

_PLAIN = {"index", "default", "list", "home", "main"}  # path words that say nothing about the column


@dataclass
class Added:
    """What `sources add` found and did: the proposal, the block (or the template to fill in when
    nothing was found), the probe's items and report, and whether and where it was written."""

    proposal: Proposal
    name: str
    block: str
    items: list[tuple[Any, Any]] = field(default_factory=list)
    report: SourceReport | None = None
    written: Path | None = None
    refused: str | None = None  # why it was not written (when --write was asked), or not tried

    @property
    def found(self) -> bool:
        return self.proposal.entry is not None


def default_name(url: str, taken: set[str]) -> str:
    """host-lastpath ('beijing.gov.cn-yaowen'), made unique against the configured names."""
    parts = urlsplit(url)
    host = (parts.hostname or "source").removeprefix("www.")
    segments = [s.rsplit(".", 1)[0] if "." in s else s for s in parts.path.split("/")]
    words = [s for s in segments if re.fullmatch(r"[A-Za-z0-9_-]+", s) and s.lower() not in _PLAIN]
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", "-".join([host, *words[-1:]])).strip("-.") or "source"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def add_source(
    ctx: Context,
    url: str,
    *,
    name: str | None = None,
    write: bool = False,
    articles: int = 3,
    verbose: int = 0,
    deadline: float = ADD_DEADLINE,
) -> Added:
    """Discover how to watch the URL, check the entry as the config loader would, try it with the
    same probe as `sources test`, and append it to the config file when `write` and it worked.

    Nothing runs past `deadline` seconds, however slowly a site answers.
    Raises Unreachable (one line) when the page cannot be fetched, ConfigError for a bad name.
    """
    from crawler import probe_source

    if not re.match(r"^https?://[^/\s]+", url):
        raise Unreachable(f"{url!r} is not an http(s) URL")
    config = ctx.config
    ends = time.monotonic() + deadline
    proposal = discover(
        url, config.crawl.user_agent, config.crawl.timeout, max_size=config.crawl.max_page_size,
        deadline=deadline,
    )  # fmt: skip
    chosen = name or default_name(proposal.url, {s.name for s in config.sources})
    if proposal.entry is None:
        block = GENERIC_TEMPLATE.format(
            name=json.dumps(chosen), url=json.dumps(proposal.url, ensure_ascii=False)
        )
        return Added(proposal, chosen, block, refused="nothing reliable was found to watch")
    entry = {"name": chosen, **proposal.entry}
    source = parse_source(entry, config.path)  # the same checks as at start-up
    result = Added(proposal, chosen, source_block(entry))
    result.refused = duplicate_of(config, entry)
    settings = ctx.crawl_settings(verbose, store=False)
    left = ends - time.monotonic()
    result.items, result.report = probe_source(
        ctx.plain_source(source), settings, articles=articles, deadline=left
    )
    if (result.report.deadline or time.monotonic() >= ends) and result.refused is None:
        result.refused = f"gave up: the {deadline:g}s deadline (--deadline) passed while trying it"
    if not result.items and result.refused is None:
        result.refused = "the first list page yielded no items when tried"
    if write and result.refused is None:
        if config.path is None:
            raise ConfigError(
                None, None, "no config file to add to: run `newsradar init` first, or pass --config"
            )
        append_source(config.path, entry)
        result.written = config.path
    return result
