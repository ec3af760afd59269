"""`newsradar sources list|test|add`: see the configured sources, check one live, add one from a URL."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from common import BLOCKED_REASON, plural, show_time
from crawler.crawl_settings import ADD_DEADLINE

from ..argtypes import number

if TYPE_CHECKING:
    from typing import TextIO

    from crawler import SourceReport

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
    _articles_option(t, 5, "fetch and extract N articles")
    t.set_defaults(func=run_test)
    a = s.add_parser(
        "add",
        help="work out how to watch a URL, try it, and print (or --write) its [[sources]] entry",
        description="Given a page (a news list, a feed, a site's home page), finds how to watch it: a feed "
        "(direct or announced by the page), a kind newsradar knows, a sitemap, or generic selectors inferred "
        "from the page's repeated block of dated links. Prints the [[sources]] entry, tries it as `sources "
        "test` does, and with --write appends it to the config file, keeping its comments.",
    )
    a.add_argument("url", metavar="URL", help="the page to watch (http or https)")
    a.add_argument("--name", metavar="NAME", help="the source's name (default: from the URL's host and path)")
    a.add_argument("--write", action="store_true", help="append the entry to the config file when it works")
    _articles_option(a, 3, "fetch and extract N articles while trying it")
    a.add_argument(
        "--deadline", type=number(1, 3600, whole=False), default=ADD_DEADLINE, metavar="SECONDS",
        help=f"give up after this many seconds in all, however slowly the site answers (default {ADD_DEADLINE})",
    )  # fmt: skip
    a.set_defaults(func=run_add)


def _articles_option(parser: argparse.ArgumentParser, default: int, what: str) -> None:
    parser.add_argument(
        "--articles",
        type=number(0, 100),
        default=default,
        metavar="N",
        help=f"{what} (0-100, default {default})",
    )


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
    from crawler import probe_source  # Scrapy: only when probing

    source = ctx.config.source(args.name)
    settings = ctx.crawl_settings(args.verbose, store=False)

    items, report = probe_source(ctx.crawl_sources([args.name])[0], settings, articles=args.articles)
    return show_probe(source.name, items, report, args.articles, ctx.out)


def show_probe(name: str, items: list, report: SourceReport, articles: int, out: TextIO) -> int:
    """What `sources test` prints of a probe (and `sources add` of the one it runs); 1 when empty."""
    if not items and report.blocked:  # never "0 items": the site did not show its list at all
        print(
            f"{name}: {BLOCKED_REASON}: the site shows crawlers a JavaScript check instead of "
            f"its list, so nothing can be read or stored from it ({plural(report.requests, 'request')})",
            file=out,
        )
        for line in report.error_list:
            print(f"  error: {line}", file=out)
        return 1
    print(
        f"{name}: {plural(len(items), 'item')} on the first list page "
        f"({plural(report.requests, 'request')}, {plural(report.errors, 'error')})",
        file=out,
    )
    for n, (item, article) in enumerate(items, 1):
        print(f"{n:>3}. {item.title or '(no title in list)'}", file=out)
        print(f"     url:    {item.url}", file=out)
        if item.stamp:
            print(f"     listed: {item.stamp}", file=out)
        if article is None:
            if n <= articles:
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
    for line in report.notes:
        print(f"  not fetched: {line}", file=out)
    if report.deadline:
        print(
            f"gave up: the deadline passed before {plural(report.deadline, 'page')} could be fetched",
            file=out,
        )
    if not items:
        print("no items found: the list page changed, or the selectors are wrong", file=out)
        return 1
    if report.blocked:
        print(f"{plural(report.blocked, 'article page')} {BLOCKED_REASON}: not stored", file=out)
    return 0


def run_add(args: argparse.Namespace, ctx: Context) -> int:
    from ..add_source import Unreachable, add_source

    out = ctx.out
    try:
        added = add_source(
            ctx, args.url, name=args.name, write=args.write, articles=args.articles, verbose=args.verbose,
            deadline=args.deadline,
        )  # fmt: skip
    except Unreachable as exc:
        print(f"newsradar: {exc}", file=sys.stderr)
        return 1
    proposal = added.proposal
    print(f"{proposal.url}: {proposal.how}", file=out)
    for note in proposal.notes:
        print(f"  note: {note}", file=out)
    if not added.found:
        print(
            "nothing reliable to watch was inferred; fill in this template and add it to the config:\n",
            file=out,
        )
        print(added.block, file=out)
        return 1
    print(f"\n{added.block}", file=out)
    print("trying it (as `sources test` does):", file=out)
    status = show_probe(added.name, added.items, added.report, args.articles, out)
    if added.written:
        print(f"added source {added.name!r} to {added.written}", file=out)
    elif added.refused:
        print(f"{'not written' if args.write else 'note'}: {added.refused}", file=out)
        status = 1 if args.write else status
    else:
        where = ctx.config.path or "the config file"
        print(f"not written: run again with --write to append it to {where}", file=out)
    return status
