"""`newsradar sources list|test`: see the configured sources and check one live."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from storage import plural, show_time
from storage.health import BLOCKED_REASON

from ..argtypes import number

if TYPE_CHECKING:
    from ..context import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sources", help="list sources, or test one without storing", description="The configured sources."
    )
    s = p.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="the configured sources")
    ls.set_defaults(func=run_list)
    t = s.add_parser("test", help="fetch a source's first list page now and show what each item yields")
    t.add_argument("name", metavar="NAME", help="the source's name (see `sources list`)")
    t.add_argument(
        "--articles",
        type=number(0, 100),
        default=5,
        metavar="N",
        help="fetch and extract N articles (0-100, default 5)",
    )
    t.set_defaults(func=run_test)


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    for s in ctx.config.sources:
        state = "" if s.enabled else "  (disabled)"
        print(
            f"{s.name:<24} {s.kind:<12} every {s.every}s  max_pages {s.max_pages}  {s.start_urls[0]}{state}",
            file=ctx.out,
        )
    if not ctx.config.sources:
        print("no sources configured (see `newsradar init`)", file=ctx.out)
    return 0


def run_test(args: argparse.Namespace, ctx: Context) -> int:
    source = ctx.config.source(args.name)
    settings = ctx.crawl_settings(args.verbose, store=False)
    from crawler import probe_source  # Scrapy: only when probing

    items, report = probe_source(ctx.crawl_sources([args.name])[0], settings, articles=args.articles)
    out = ctx.out
    if not items and report.blocked:  # never "0 items": the site did not show its list at all
        print(
            f"{source.name}: {BLOCKED_REASON}: the site shows crawlers a JavaScript check instead of "
            f"its list, so nothing can be read or stored from it ({plural(report.requests, 'request')})",
            file=out,
        )
        for line in report.error_list:
            print(f"  error: {line}", file=out)
        return 1
    print(
        f"{source.name}: {plural(len(items), 'item')} on the first list page "
        f"({plural(report.requests, 'request')}, {plural(report.errors, 'error')})",
        file=out,
    )
    for n, (item, article) in enumerate(items, 1):
        print(f"{n:>3}. {item.title or '(no title in list)'}", file=out)
        print(f"     url:    {item.url}", file=out)
        if item.stamp:
            print(f"     listed: {item.stamp}", file=out)
        if article is None:
            if n <= args.articles:
                print("     (article not extracted: see errors below)", file=out)
            continue
        when = show_time(article.published_at, missing="(no date found)")
        print(f"     title:  {article.title}", file=out)
        print(f"     date:   {when}", file=out)
        print(f"     origin: {article.origin or '(none)'}", file=out)
        print(f"     via:    {article.extraction}", file=out)
        print(f"     body:   {article.body_text[:80].replace(chr(10), ' ')}…", file=out)
    for line in report.error_list:
        print(f"  error: {line}", file=out)
    if not items:
        print("no items found: the list page changed, or the selectors are wrong", file=out)
        return 1
    if report.blocked:
        print(f"{plural(report.blocked, 'article page')} {BLOCKED_REASON}: not stored", file=out)
    return 0
