"""`newsradar crawl`: one crawl of the configured sources, with a figure table per source."""

from __future__ import annotations

import argparse
import dataclasses
import logging
from typing import TYPE_CHECKING

from crawler import progress_stream, run_crawl, scrapy_settings
from storage.health import record_run

from ..config import ConfigError, Source

if TYPE_CHECKING:
    from ..context import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("crawl", help="crawl the configured sources once and store new articles")
    p.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    p.set_defaults(func=run)


def source_dicts(sources: list[Source]) -> list[dict]:
    """Sources as plain data: what spiders (and Scrapyd jobs) receive."""
    return [dataclasses.asdict(s) | {"start_urls": list(s.start_urls)} for s in sources]


def crawler_settings(ctx: Context, verbose: int = 0) -> dict:
    cfg = ctx.config
    c = cfg.crawl
    return scrapy_settings(
        database_url=cfg.database_url,
        user_agent=c.user_agent,
        concurrency_per_domain=c.concurrency_per_domain,
        delay=c.delay,
        obey_robots=c.obey_robots,
        timeout=c.timeout,
        retries=c.retries,
        retry_backoff=c.retry_backoff,
        ingest_worker=c.ingest_worker,
        matcher="newsradar.context.matcher_from_settings",
        config_path=str(cfg.path) if cfg.path else None,
        log_level="INFO" if verbose else "WARNING",
    )


def _quiet_scrapy_failures(record: logging.LogRecord) -> bool:
    return not record.name.startswith(
        ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt")
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    cfg = ctx.config
    if args.source:
        sources = [cfg.source(name) for name in args.source]
    else:
        sources = [s for s in cfg.sources if s.enabled]
    if not sources:
        raise ConfigError(
            cfg.path, "sources", "no sources configured: add [[sources]] (see `newsradar init`)"
        )
    ctx.db()  # fail early, with a clear message, on a bad database
    if not args.verbose:
        # Our spider logs each failure once, with URL and reason; Scrapy's traceback adds nothing.
        # A handler filter, because Scrapy resets its loggers' levels when a crawl starts.
        for handler in logging.getLogger().handlers:
            handler.addFilter(_quiet_scrapy_failures)
    settings = crawler_settings(ctx, args.verbose)
    reports = run_crawl(source_dicts(sources), settings, progress=progress_stream())
    with ctx.db().session() as s:
        for r in reports:
            record_run(s, r.name, dataclasses.asdict(r), r.error_list[0] if r.error_list else None)
        s.commit()
    header = f"{'source':<24} {'requests':>8} {'new':>6} {'updated':>8} {'skipped':>8} {'errors':>7}"
    print(header, file=ctx.out)
    for r in reports:
        print(
            f"{r.name:<24} {r.requests:>8} {r.new:>6} {r.updated:>8} {r.skipped:>8} {r.errors:>7}",
            file=ctx.out,
        )
    for r in reports:
        for line in r.error_list[:10]:
            print(f"  {r.name}: {line}", file=ctx.out)
    return 0
