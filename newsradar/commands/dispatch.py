"""`newsradar dispatch`: send the alerts waiting in the delivery outbox."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import func, select

from common import plural, topic_labels
from notifiers import notifier_settings, source_titles
from notifiers.dispatch import DispatchReport, run_dispatch
from storage import Subscriber

from ..argtypes import number

if TYPE_CHECKING:
    from ..context import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dispatch",
        help="send pending alerts (Telegram, email, Apprise, console)",
        description="Claims due alerts from the outbox and sends them. Several dispatchers may run "
        "at once. Alerts for channel kinds that are not configured stay queued until they are; "
        "console channels are printed here.",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="send what is due and exit (the default)")
    mode.add_argument("--loop", action="store_true", help="keep polling for new alerts until interrupted")
    p.add_argument(
        "--concurrency", type=number(1, 10_000), default=128, metavar="N",
        help="channels served at once (1-10000, default 128)",
    )  # fmt: skip
    p.set_defaults(func=run)


def print_report_notes(report: DispatchReport, out: TextIO, noun: str) -> None:
    """The channels a run deactivated, and the `noun`s ("alert", "digest") waiting per channel kind:
    the one place an unusable channel is mentioned by dispatch, because something waits for it."""
    for note in report.deactivated:
        print(f"  deactivated {note}", file=out)
    for kind, n in sorted(report.waiting.items()):
        verb = "waits" if n == 1 else "wait"
        why = report.unavailable.get(kind, "unavailable")
        print(f"  {plural(n, f'{kind} {noun}')} {verb}: {why}", file=out)


def run(args: argparse.Namespace, ctx: Context) -> int:
    settings = notifier_settings(ctx.config)
    db = ctx.db()
    labels = topic_labels(ctx.topics)
    report = run_dispatch(
        db, settings, ctx.out, labels=labels, source_titles=source_titles(ctx.config), loop=args.loop, concurrency=args.concurrency,
        install_signals=args.loop,
    )  # fmt: skip
    print(report.summary(), file=ctx.out)
    print_report_notes(report, ctx.out, "alert")
    if report.sent == 0 and not report.waiting:
        with db.session() as s:
            if not s.scalar(select(func.count()).select_from(Subscriber)):
                print("  no subscribers yet: try `newsradar subscribers add --topics digital_currency` "
                      "(alerts then print here)", file=ctx.out)  # fmt: skip
    return 0
