"""`newsradar crawl`: one crawl of the configured sources, with a figure table per source."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..context import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "crawl",
        help="crawl the configured sources once and store new articles",
        description="Fetches each enabled source's list pages and the articles not stored yet, classifies "
        "and stores them, queues alerts, and prints a table per source. Exits 1 when no source could be reached.",
    )
    p.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    if ctx.config.crawl.nodes:
        return _on_nodes(args, ctx)
    from crawler.worker import start_worker  # no Scrapy

    sources = ctx.crawl_sources(args.source)
    settings = ctx.crawl_settings(args.verbose, migrate=False)
    # The ingest worker first: its start-up (imports, the classifier) overlaps Scrapy's import
    # and the migration instead of delaying the first article stored.
    worker = start_worker(settings)
    try:
        ctx.db()  # migrated before the crawl (and before the worker's first article)
        from crawler import crawl_sources, progress_stream, unreachable_summary  # Scrapy: only here

        reports = crawl_sources(
            sources, settings, verbose=args.verbose, progress=progress_stream(), worker=worker
        )
    finally:
        if worker is not None:
            worker.close()  # the crawl closed it already, unless it failed before
    unreachable = unreachable_summary(reports)
    if unreachable:
        print(f"newsradar crawl: {unreachable}", file=sys.stderr)
        return 1
    _table(reports, ctx)
    return 0


def _table(reports: list, ctx: Context) -> None:
    from crawler.report import not_fetched

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
        if r.refused or r.oversized:
            print(f"  {r.name}: {not_fetched(r.refused, r.oversized)}", file=ctx.out)
            for line in r.notes[:10]:
                print(f"    {line}", file=ctx.out)


def _on_nodes(args: argparse.Namespace, ctx: Context) -> int:
    """[crawl] nodes set: the round goes where the daemon's would (scheduler.crawl_round: the
    least-loaded node that answers, else a local child process); its figures come from the database."""
    import asyncio

    from crawler import SourceReport, unreachable_summary

    sources = ctx.crawl_sources(args.source)
    result = asyncio.run(_round(sources, ctx.crawl_settings(args.verbose), ctx, args.verbose))
    print(f"newsradar crawl: round on {result.where or 'this machine'}", file=sys.stderr)
    if result.outcome != "ok":
        print(f"newsradar crawl: {result.summary()}", file=sys.stderr)
        return 1
    fields = SourceReport.__dataclass_fields__
    reports = [SourceReport(**{k: v for k, v in r.items() if k in fields}) for r in result.reports]
    unreachable = unreachable_summary(reports)
    if unreachable:
        print(f"newsradar crawl: {unreachable}", file=sys.stderr)
        return 1
    _table(reports, ctx)
    return 0


async def _round(sources: list, settings: dict, ctx: Context, verbose: int):  # noqa: ANN202
    import asyncio
    import contextlib
    import signal

    from scheduler import crawl_round

    stop = asyncio.Event()  # Ctrl-C cancels the node's job (or ends the local child) cleanly
    with contextlib.suppress(NotImplementedError, RuntimeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
    crawl = ctx.config.crawl
    return await crawl_round(
        sources, settings, crawl=crawl, db=ctx.db(), stop=stop,
        time_limit=crawl.time_limit(min(int(s["every"]) for s in sources)),
        log_level="INFO" if verbose else "WARNING",
    )  # fmt: skip
