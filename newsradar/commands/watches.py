"""`newsradar watches add|list|remove|pause|resume`: subscribers follow search queries."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from common import plural
from processor.watch_settings import watch_settings
from processor.watches import WatchError, backfill_watch, create_watch, delete_watch, pause_watch, summaries

from ..argtypes import number

if TYPE_CHECKING:
    from ..context import Context


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "watches", help="add, list, remove, pause or resume watches (alerts on any search query)",
        description="A watch alerts its subscriber about every new story the archive search for its "
        "query would list: words = AND, \"phrases\", -exclusions, traditional or simplified.",
    )  # fmt: skip
    s = p.add_subparsers(dest="watches_command", metavar="ACTION", required=True)

    add = s.add_parser("add", help="follow a search query for a subscriber")
    add.add_argument("--subscriber", required=True, type=number(1), metavar="ID",
                     help="the subscriber's id (see `subscribers list`)")  # fmt: skip
    add.add_argument("query", metavar="QUERY", help='the search query, e.g. "数字人民币 -冬奥" (quote it)')
    add.add_argument("--topics", type=_csv, default=[], metavar="IDS", help="only articles of these topics")
    add.add_argument(
        "--sources", type=_csv, default=[], metavar="NAMES", help="only articles of these sources"
    )
    add.add_argument("--backfill", type=number(0, 1000), default=0, metavar="N",
                     help="also queue the N most recent stories already stored that match, once")  # fmt: skip
    add.set_defaults(func=run_add)

    ls = s.add_parser("list", help="every watch with its owner and stories matched in the last 30 days")
    ls.add_argument("--subscriber", type=number(1), metavar="ID", help="only this subscriber's watches")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=run_list)

    rm = s.add_parser("remove", help="delete a watch")
    rm.add_argument("id", type=number(1), metavar="ID", help="the watch id (see `watches list`)")
    rm.set_defaults(func=run_remove)

    for name, paused in (("pause", True), ("resume", False)):
        ps = s.add_parser(name, help=f"{name} a watch")
        ps.add_argument("id", type=number(1), metavar="ID", help="the watch id (see `watches list`)")
        ps.set_defaults(func=run_pause, paused=paused)


def _refuse(message: str) -> int:
    print(f"newsradar watches: {message}", file=sys.stderr)
    return 2


def check_filters(ctx: Context, topics: list[str], sources: list[str]) -> str | None:
    """A problem with the topic or source names (shared with `subscribers add --watch`), or None."""
    known = [t.id for t in ctx.topics]
    unknown = [t for t in topics if t not in known]
    if unknown:
        return f"unknown topic {', '.join(unknown)} (known: {', '.join(known)})"
    configured = {s.name for s in ctx.config.sources}
    unknown = [s for s in sources if configured and s not in configured]
    if unknown:
        return f"unknown source {', '.join(unknown)} (configured: {', '.join(sorted(configured))})"
    return None


def run_add(args: argparse.Namespace, ctx: Context) -> int:
    problem = check_filters(ctx, args.topics, args.sources)
    if problem:
        return _refuse(problem)
    with ctx.db().session() as s:
        try:
            watch = create_watch(
                s, args.subscriber, args.query, topics=args.topics, sources=args.sources,
                settings=watch_settings(ctx.config),
            )  # fmt: skip
            queued = backfill_watch(s, watch.id, args.backfill) if args.backfill else 0
        except WatchError as exc:
            return _refuse(str(exc))
        s.commit()
        print(f"watch {watch.id} added for subscriber {watch.subscriber_id}: {watch.query}", file=ctx.out)
        if args.backfill:
            print(f"queued {plural(queued, 'alert')} about stories already stored; "
                  "`newsradar dispatch` sends them", file=ctx.out)  # fmt: skip
        else:
            print("it alerts on stories stored from now on (--backfill N for recent ones)", file=ctx.out)
    return 0


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.db(create=False).session() as s:
        rows = summaries(s, subscriber_id=args.subscriber)
    if args.json:
        json.dump([w.plain() for w in rows], ctx.out, ensure_ascii=False, indent=2)
        ctx.out.write("\n")
        return 0
    if not rows:
        print('no watches yet: newsradar watches add --subscriber ID "QUERY"', file=ctx.out)
    for w in rows:
        narrow = (f" topics={','.join(w.topics)}" if w.topics else "") + (
            f" sources={','.join(w.sources)}" if w.sources else ""
        )
        state = "" if w.active else " (paused)"
        print(
            f"{w.id:>4}  subscriber {w.subscriber_id}  {w.matches_30d:>3} in 30 days{state}  {w.query}{narrow}",
            file=ctx.out,
        )
    return 0


def run_remove(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.db().session() as s:
        if not delete_watch(s, args.id):
            print(f"newsradar watches: no watch {args.id}", file=ctx.out)
            return 1
        s.commit()
    print(f"watch {args.id} removed", file=ctx.out)
    return 0


def run_pause(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.db().session() as s:
        if not pause_watch(s, args.id, args.paused):
            print(f"newsradar watches: no watch {args.id}", file=ctx.out)
            return 1
        s.commit()
    print(f"watch {args.id} {'paused' if args.paused else 'resumed'}", file=ctx.out)
    return 0
