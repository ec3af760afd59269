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
    from crawler import crawl_sources, progress_stream, unreachable_summary  # Scrapy: only when crawling
    from crawler.report import not_fetched

    reports = crawl_sources(
        ctx.crawl_sources(args.source),
        ctx.crawl_settings(args.verbose),
        verbose=args.verbose,
        progress=progress_stream(),
    )
    unreachable = unreachable_summary(reports)
    if unreachable:
        print(f"newsradar crawl: {unreachable}", file=sys.stderr)
        return 1
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
    return 0
