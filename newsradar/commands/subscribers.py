"""`newsradar subscribers add|list|remove|pause|resume`: who gets alerts, where, about what."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from common import is_time_of_day, iso_time, plural, show_time
from notifiers.addresses import AddressError, channels_from
from processor import backfill
from processor.audience import INSTANT_MODES
from processor.watch_settings import watch_settings
from processor.watches import WatchError, check_query, create_watch, summaries
from storage.story_views import stories_with_topics
from storage.subscribers import (
    MODES,
    SubscriberError,
    add_subscriber,
    list_subscribers,
    remove_subscriber,
    set_paused,
    update_subscriber,
)

from ..argtypes import number
from ..timeparse import since

if TYPE_CHECKING:
    from ..context import Context


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "subscribers", help="add, list, remove, pause or resume alert subscribers",
        description="Who gets alerts, where, and about what.",
    )  # fmt: skip
    s = p.add_subparsers(dest="subscribers_command", metavar="ACTION", required=True)

    add = s.add_parser(
        "add",
        help="add a subscriber with one or more channels",
        description="With no channel option the subscriber gets a console channel: "
        "`newsradar dispatch` prints its alerts.",
    )
    add.add_argument("--telegram-chat", action="append", default=[], metavar="ID",
                     help="Telegram chat id (number, or @channel); may repeat")  # fmt: skip
    add.add_argument("--email", action="append", default=[], metavar="ADDR", help="email address; may repeat")
    add.add_argument("--apprise", action="append", default=[], metavar="URL",
                     help="any Apprise URL (dingtalk://, wecom://, feishu://, slack://, json://...); may repeat")  # fmt: skip
    add.add_argument("--console", action="store_true", help="print alerts in `newsradar dispatch`")
    add.add_argument(
        "--topics",
        type=_csv,
        default=[],
        metavar="IDS",
        help="comma-separated topic ids (see `topics list`); needed unless --watch is given",
    )
    add.add_argument("--watch", action="append", default=[], metavar="QUERY",
                     help='follow a search query too (a watch, see `watches`), e.g. "数字人民币 -冬奥"; may repeat')  # fmt: skip
    add.add_argument(
        "--sources", type=_csv, default=[], metavar="NAMES", help="only stories carried by these sources"
    )
    add.add_argument(
        "--keywords",
        type=_csv,
        default=[],
        metavar="WORDS",
        help="only stories mentioning one of these words",
    )
    add.add_argument("--mode", choices=MODES, default="both", help="instant alerts, daily digest, or both")
    add.add_argument(
        "--name", default="", metavar="LABEL", help="a label for people reading `subscribers list`"
    )
    add.add_argument("--timezone", type=_zone, metavar="ZONE",
                     help="time zone for the daily digest, e.g. Europe/Berlin (default: [digest] timezone)")  # fmt: skip
    add.add_argument("--digest-time", type=_hhmm, metavar="TIME",
                     help="local time of the daily digest, e.g. 07:30 (default: [digest] time)")  # fmt: skip
    add.add_argument(
        "--backfill", type=since, metavar="SINCE",
        help="also queue alerts about stories already stored since this date (YYYY-MM-DD, Beijing time)",
    )  # fmt: skip
    add.set_defaults(func=run_add)

    ls = s.add_parser("list", help="all subscribers with channels and topics")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=run_list)

    rm = s.add_parser("remove", help="delete a subscriber and its pending alerts")
    rm.add_argument("id", type=number(1), metavar="ID", help="the subscriber id (see `subscribers list`)")
    rm.set_defaults(func=run_remove)

    st = s.add_parser("set", help="change a subscriber's name, mode, digest time or time zone")
    st.add_argument("id", type=number(1), metavar="ID", help="the subscriber's id (see `subscribers list`)")
    st.add_argument("--name", metavar="LABEL", help="a new label")
    st.add_argument("--mode", choices=MODES, help="instant alerts, daily digest, or both")
    st.add_argument("--timezone", type=_zone, metavar="ZONE", help="e.g. Asia/Shanghai; '' for the default")
    st.add_argument("--digest-time", type=_hhmm, metavar="TIME", help="e.g. 07:30; '' for [digest] time")
    st.set_defaults(func=run_set)

    for name, paused in (("pause", True), ("resume", False)):
        ps = s.add_parser(name, help=f"{name} a subscriber's alerts")
        ps.add_argument("id", type=number(1), metavar="ID", help="the subscriber id (see `subscribers list`)")
        ps.set_defaults(func=run_pause, paused=paused)


def _zone(text: str) -> str:
    if not text:
        return ""
    from scheduler.settings import zone

    try:
        zone(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _hhmm(text: str) -> str:
    if text and not is_time_of_day(text.strip()):
        raise argparse.ArgumentTypeError(f"must be a time of day like '07:30' (24-hour), not {text!r}")
    return text.strip()


def run_set(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.db().session() as s:
        try:
            sub = update_subscriber(
                s,
                args.id,
                name=args.name,
                mode=args.mode,
                timezone=args.timezone,
                digest_time=args.digest_time,
            )
        except SubscriberError as exc:
            return _refuse(ctx, str(exc))
        if sub is None:
            return _refuse(ctx, f"no subscriber {args.id}")
        s.commit()
        zone = sub.timezone or "the [digest] timezone"
        at = sub.digest_time or "[digest] time"
        print(f"subscriber {sub.id}: mode={sub.mode}, digest at {at}, time zone {zone}", file=ctx.out)
    return 0


def _refuse(ctx: Context, message: str) -> int:
    print(f"newsradar subscribers: {message}", file=sys.stderr)
    return 2


def run_add(args: argparse.Namespace, ctx: Context) -> int:
    known = [t.id for t in ctx.topics]
    if not args.topics and not args.watch:
        return _refuse(
            ctx, "a subscriber needs at least one topic (--topics IDS) or at least one --watch QUERY"
        )
    for query in args.watch:
        try:
            check_query(query)
        except WatchError as exc:
            return _refuse(ctx, f"--watch {query!r}: {exc}")
    unknown = [t for t in args.topics if t not in known]
    if unknown:
        return _refuse(ctx, f"unknown topic {', '.join(unknown)} (known: {', '.join(known)})")
    try:
        channels = channels_from(
            telegram=args.telegram_chat, email=args.email, apprise=args.apprise, console=args.console
        )
    except AddressError as exc:
        return _refuse(ctx, str(exc))
    sources = {s.name for s in ctx.config.sources}
    unknown_sources = [s for s in args.sources if sources and s not in sources]
    if unknown_sources:
        return _refuse(
            ctx, f"unknown source {', '.join(unknown_sources)} (configured: {', '.join(sorted(sources))})"
        )
    with ctx.db().session() as s:
        try:
            sub = add_subscriber(
                s, channels=channels, topics=args.topics, name=args.name, mode=args.mode,
                sources=args.sources, keywords=args.keywords, timezone=args.timezone or None,
                digest_time=args.digest_time or None,
            )  # fmt: skip
            for query in args.watch:
                create_watch(s, sub.id, query, settings=watch_settings(ctx.config))
        except (SubscriberError, WatchError) as exc:
            return _refuse(ctx, str(exc))
        s.commit()
        where = ", ".join(f"{c.kind} {c.address}" for c in sub.channels)
        follows = ", ".join([*args.topics, *(f"watch {q!r}" for q in args.watch)])
        print(f"subscriber {sub.id} added: {follows} ({args.mode}) -> {where}", file=ctx.out)
        if any(c.kind == "console" for c in sub.channels):
            print("alerts for the console channel are printed by `newsradar dispatch`", file=ctx.out)
        _say_backfill(ctx, s, sub, args)
    return 0


def _say_backfill(ctx: Context, s, sub, args: argparse.Namespace) -> None:  # noqa: ANN001 - a Session, a Subscriber
    """Stories stored before someone subscribed are not alerted: say so, or queue them on request."""
    if args.backfill is not None:
        if sub.mode not in INSTANT_MODES:
            print("--backfill queues instant alerts; for a digest subscriber run `newsradar digest --date DAY`",
                  file=ctx.out)  # fmt: skip
            return
        queued = backfill(s, sub.id, args.backfill)
        s.commit()
        print(f"queued {plural(queued, 'alert')} about stories stored since {show_time(args.backfill)}; "
              "`newsradar dispatch` sends them", file=ctx.out)  # fmt: skip
        return
    stored = len(stories_with_topics(s, list(args.topics))) if args.topics else 0
    if stored and sub.mode in INSTANT_MODES:
        print(f"{plural(stored, 'story', 'stories')} already stored match these topics and will not be sent; "
              "to get them, add the subscriber with --backfill SINCE (a date, YYYY-MM-DD)", file=ctx.out)  # fmt: skip


def _as_dict(sub) -> dict:
    return dict(
        id=sub.id, name=sub.name, mode=sub.mode, paused=sub.paused, timezone=sub.timezone,
        digest_time=sub.digest_time,
        created_at=iso_time(sub.created_at),
        channels=[dict(id=c.id, kind=c.kind, address=c.address, active=c.active, deactivated_reason=c.deactivated_reason)
                  for c in sub.channels],
        subscriptions=[dict(topic=t.topic_id, sources=list(t.sources or []), keywords=list(t.keywords or []))
                       for t in sub.subscriptions],
    )  # fmt: skip


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.db(create=False).session() as s:
        subs = [_as_dict(x) for x in list_subscribers(s)]
        watches: dict[int, list[dict]] = {}
        for w in summaries(s):
            watches.setdefault(w.subscriber_id, []).append(w.plain())
    for d in subs:
        d["watches"] = watches.get(d["id"], [])
    if args.json:
        json.dump(subs, ctx.out, ensure_ascii=False, indent=2)
        ctx.out.write("\n")
        return 0
    if not subs:
        print("no subscribers yet: newsradar subscribers add --topics digital_currency", file=ctx.out)
    for d in subs:
        flags = " (paused)" if d["paused"] else ""
        tz = f"  timezone={d['timezone']}" if d["timezone"] else ""
        tz += f"  digest_time={d['digest_time']}" if d["digest_time"] else ""
        print(f"{d['id']:>4}  {d['name'] or '-'}  mode={d['mode']}{tz}{flags}", file=ctx.out)
        for c in d["channels"]:
            state = "" if c["active"] else f"  INACTIVE: {c['deactivated_reason']}"
            print(f"      {c['kind']:<9} {c['address']}{state}", file=ctx.out)
        for t in d["subscriptions"]:
            narrow = ""
            if t["sources"]:
                narrow += f" sources={','.join(t['sources'])}"
            if t["keywords"]:
                narrow += f" keywords={','.join(t['keywords'])}"
            print(f"      topic     {t['topic']}{narrow}", file=ctx.out)
        for w in d["watches"]:
            state = "" if w["active"] else " (paused)"
            print(f"      watch {w['id']:<3} {w['query']}{state}", file=ctx.out)
    return 0


def run_remove(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.db().session() as s:
        if not remove_subscriber(s, args.id):
            print(f"newsradar subscribers: no subscriber {args.id}", file=ctx.out)
            return 1
        s.commit()
    print(f"subscriber {args.id} removed", file=ctx.out)
    return 0


def run_pause(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.db().session() as s:
        if not set_paused(s, args.id, args.paused):
            print(f"newsradar subscribers: no subscriber {args.id}", file=ctx.out)
            return 1
        s.commit()
    print(f"subscriber {args.id} {'paused' if args.paused else 'resumed'}", file=ctx.out)
    return 0
