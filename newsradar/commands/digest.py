"""`newsradar digest`: queue and send the daily digest of one Beijing-time day."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from typing import TYPE_CHECKING

from notifiers import notifier_settings
from notifiers.alerts import topic_labels
from notifiers.dispatch import run_dispatch
from processor.digests import queue_digests
from storage import utcnow
from storage.types import to_beijing

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
        help="send each digest subscriber the day's matching stories, one message per channel",
        description="Queues one digest per channel of every active subscriber in mode digest or both "
        "(the stories first published on that Beijing-time day whose topics they follow), then sends "
        "them. Running it again for the same day sends nothing more; digests that failed are retried "
        "by the next `newsradar digest` or `newsradar dispatch`.",
    )
    p.add_argument(
        "--date", type=_day, metavar="YYYY-MM-DD", help="the day to cover (default: yesterday, Beijing)"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="show who would get which stories; queue and send nothing"
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
            dry_run=args.dry_run,
        )
    if args.dry_run:
        print(f"digest {day} (dry run): {len(done.plans)} subscribers", file=ctx.out)
        for plan in done.plans:
            who = f"subscriber {plan.subscriber_id}" + (
                f" ({plan.subscriber_name})" if plan.subscriber_name else ""
            )
            where = ", ".join(f"{kind} {address}" for _, kind, address in plan.channels)
            print(f"{who} -> {where}: {len(plan.items)} stories", file=ctx.out)
            for story_id, topics in plan.items:
                label = labels.get(topics[0], topics[0])
                print(f"  [{label}] #{story_id} {done.titles.get(story_id, '')}", file=ctx.out)
        return 0
    report = run_dispatch(db, settings, ctx.out, labels=labels, delivery_kinds=("digest",))
    parts = [
        f"queued {done.queued} of {done.channels} digests",
        f"sent {report.digests} in {report.messages} messages",
    ]
    for name in ("retrying", "dead", "skipped"):
        if getattr(report, name):
            parts.append(f"{name} {getattr(report, name)}")
    print(f"digest {day}: " + ", ".join(parts), file=ctx.out)
    print_report_notes(report, ctx.out, "digests")
    if report.retrying:
        print(
            "  failed digests are retried by `newsradar dispatch` or the next `newsradar digest`",
            file=ctx.out,
        )
    return 0
