"""`newsradar run [--once]`: the monitoring daemon (scheduled crawls, alerts, digests, the bot)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..config import ConfigError

if TYPE_CHECKING:
    from ..context import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="the daemon: crawl each source on its `every`, send alerts and daily digests, run the bot",
        description="Runs until Ctrl-C or SIGTERM (then exits within 10 seconds, losing nothing). "
        "A second `newsradar run` on the same database waits as a standby and takes over when the "
        "first stops or dies. Logs one line per crawl round and dispatch batch to stderr (-v for more).",
    )
    p.add_argument(
        "--once",
        action="store_true",
        help="one round of everything due (crawl all, dispatch, digest) and exit",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    import logging

    from common import topic_labels
    from scheduler import DaemonSetup, run_daemon

    cfg = ctx.config
    if not any(s.enabled for s in cfg.sources):
        raise ConfigError(cfg.path, "sources", "no enabled sources: add [[sources]] (see `newsradar init`)")
    logging.getLogger("newsradar").setLevel(logging.INFO)  # the round and batch lines, even without -v
    for handler in logging.getLogger().handlers:
        handler.setLevel(min(handler.level, logging.INFO))
    topics = list(ctx.topics)
    setup = DaemonSetup(
        config=cfg, db=ctx.db(), crawl_settings=ctx.crawl_settings(verbose=args.verbose),
        labels=topic_labels(topics), topics=topics, out=ctx.out, verbose=args.verbose,
    )  # fmt: skip
    return run_daemon(setup, once=args.once)
