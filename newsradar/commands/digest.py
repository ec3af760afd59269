"""`newsradar digest`: queue and send the daily digest of one Beijing-time day."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from typing import TYPE_CHECKING

from common import plural, topic_labels
from notifiers import notifier_settings, source_titles
from notifiers.dispatch import run_dispatch
from processor.digests import queue_digests
from storage import utcnow
from storage.types import to_beijing

from ..argtypes import number
from .dispatch import print_report_notes

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["register", "run", "yesterday"]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def yesterday() -> date:
    """The day a digest covers by default: yesterday in Beijing, wherever the server runs."""
    return to_beijing(utcnow()).date() - timedelta(days=1)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "digest",
        help="preview the daily digest (text, html, md); --send queues and sends it",
        description="Shows exactly what each active subscriber in mode digest or both would get for "
        "the day (the stories first published that Beijing-time day whose topics they follow, counts "
        "per topic against the 7-day mean, the 14-day chart). With --send, queues one digest per "
        "channel and sends them; running it again for the same day sends nothing more, and failed "
        "digests are retried by `newsradar run` or `newsradar dispatch`. `newsradar run` sends the "
        "digest by itself at [digest] time.",
    )
    p.add_argument(
        "--date", type=_day, metavar="DATE", help="the day to cover, YYYY-MM-DD (default: yesterday, Beijing)"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="show who would get which stories; queue and send nothing"
    )
    p.add_argument("--send", action="store_true", help="queue the digests in the outbox and send them now")
    p.add_argument("--subscriber", type=number(1), metavar="ID", help="preview only this subscriber's digest")
    p.add_argument(
        "--format", choices=("text", "html", "md"), default="text", help="preview format (default text)"
    )
    p.add_argument(
        "--output", metavar="FILE", help="write the preview here (an .html file opens in a browser)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    settings = notifier_settings(ctx.config)
    day = args.date or yesterday()
    db = ctx.db()
    labels = topic_labels(ctx.topics)
    with db.session() as s:
        done = queue_digests(
            s,
            day,
            topic_order=[t.id for t in ctx.topics],
            include_empty=settings.alerts.digest_empty,
            dry_run=args.dry_run or not args.send,
        )
        if not args.send and not args.dry_run:
            return _preview(args, ctx, s, day, done.plans, labels)
    if args.dry_run:
        print(f"digest {day} (dry run): {plural(len(done.plans), 'subscriber')}", file=ctx.out)
        for plan in done.plans:
            who = f"subscriber {plan.subscriber_id}" + (
                f" ({plan.subscriber_name})" if plan.subscriber_name else ""
            )
            where = ", ".join(f"{kind} {address}" for _, kind, address in plan.channels)
            print(f"{who} -> {where}: {plural(len(plan.items), 'story', 'stories')}", file=ctx.out)
            for story_id, topics in plan.items:
                label = labels.get(topics[0], topics[0])
                print(f"  [{label}] #{story_id} {done.titles.get(story_id, '')}", file=ctx.out)
        return 0
    report = run_dispatch(
        db,
        settings,
        ctx.out,
        labels=labels,
        source_titles=source_titles(ctx.config),
        delivery_kinds=("digest",),
    )
    parts = [
        f"queued {done.queued} of {plural(done.channels, 'digest')}",
        f"sent {report.digests} in {plural(report.messages, 'message')}",
    ]
    for name in ("retrying", "dead", "skipped"):
        if getattr(report, name):
            parts.append(f"{name} {getattr(report, name)}")
    print(f"digest {day}: " + ", ".join(parts), file=ctx.out)
    print_report_notes(report, ctx.out, "digest")
    if report.retrying:
        print(
            "  failed digests are retried by `newsradar dispatch` or the next `newsradar digest`",
            file=ctx.out,
        )
    return 0


def _preview(args: argparse.Namespace, ctx: Context, session, day: date, plans, labels) -> int:
    from pathlib import Path

    from notifiers.alerts import preview_digest
    from notifiers.preview import render_preview

    if args.subscriber is not None:
        plans = [p for p in plans if p.subscriber_id == args.subscriber]
        if not plans:
            print(
                f"newsradar digest: subscriber {args.subscriber} gets no digest for {day} "
                "(unknown, paused, mode instant, no active channel, or nothing matched: see --dry-run)",
                file=sys.stderr,
            )
            return 1
    if args.format == "html" and len(plans) > 1:
        ids = ", ".join(str(p.subscriber_id) for p in plans)
        print(
            f"newsradar digest: {len(plans)} subscribers get a digest ({ids}): pick one with --subscriber",
            file=sys.stderr,
        )
        return 2
    titles = source_titles(ctx.config)
    parts = []
    for plan in plans:
        items = [(sid, ts, plan.watches[sid]) if sid in plan.watches else (sid, ts) for sid, ts in plan.items]
        digest = preview_digest(session, plan.subscriber_id, day, items, labels, titles)
        where = ", ".join(f"{kind} {address}" for _, kind, address in plan.channels)
        head = f"subscriber {plan.subscriber_id} ({where})"
        body = render_preview(digest, args.format)
        parts.append(body if args.format == "html" or len(plans) == 1 else f"=== {head} ===\n{body}")
    if not parts:
        print(f"digest {day}: no subscriber gets a digest (see `newsradar digest --dry-run`)", file=ctx.out)
        return 0
    text = "\n".join(parts)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"digest {day}: preview of {len(parts)} digest(s) written to {args.output}", file=ctx.out)
    else:
        ctx.out.write(text)
    return 0
