"""The spider a node lists (listspiders.json) and the round it runs (crawler.node_commands.crawl)."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from scrapy import Spider

__all__ = ["RoundSpider", "run_round"]

log = logging.getLogger(__name__)


class RoundSpider(Spider):
    """A name for Scrapyd to schedule: `schedule.json project=newsradar spider=round sources=...
    topics=... crawl=...`. The node's crawl command runs the round itself (run_round)."""

    name = "round"


def run_round(args: dict[str, str], log_file: str | None = None) -> int:
    """One crawl round from a job's spider arguments (plain JSON: sources, topics, crawl options),
    stored into the node's database with the runs marked by node and job. Returns the exit status."""
    from .crawl_settings import CrawlSettings, scrapy_settings
    from .node import DATABASE_ENV, NODE_ENV
    from .run import crawl_sources

    sources: list[dict[str, Any]] = json.loads(args["sources"])
    topics = json.loads(args.get("topics", "null"))
    crawl = CrawlSettings(**json.loads(args.get("crawl", "{}")))
    settings = scrapy_settings(crawl, database_url=os.environ[DATABASE_ENV], topics=topics, log_level="INFO")
    settings["LOG_INSTALL_ROOT_HANDLER"] = True  # into Scrapyd's job log
    if log_file:
        settings["LOG_FILE"] = log_file
    reports = crawl_sources(sources, settings, node=os.environ.get(NODE_ENV), job=args.get("_job"))
    for r in reports:
        log.info(
            "round %s: %s new=%d updated=%d errors=%d", args.get("_job"), r.name, r.new, r.updated, r.errors
        )
    return 0
