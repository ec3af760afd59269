"""`newsradar node`: a crawler node (Scrapyd) that runs crawl rounds the daemon hands it."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from ..argtypes import number

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "node",
        help="run a crawler node (Scrapyd) that crawls rounds the daemon schedules on it",
        description="Starts Scrapyd's server and JSON API (daemonstatus.json, schedule.json, listjobs.json, "
        "cancel.json) in the foreground; its jobs crawl with this installed newsradar and store into "
        "[database] url, which must be PostgreSQL. HTTP basic auth when NEWSRADAR_NODE_USER and "
        "NEWSRADAR_NODE_PASSWORD are set.",
    )
    p.add_argument("--host", metavar="ADDRESS", help="address to listen on (default: [node] host, 127.0.0.1)")
    p.add_argument("--port", type=number(1, 65535), metavar="PORT", help="port (default: [node] port, 6800)")
    p.add_argument(
        "--max-proc",
        type=number(0),
        metavar="N",
        help="crawl jobs at once (default: [node] max_proc; 0: 4 per CPU)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from crawler.node import PASSWORD_ENV, USER_ENV, NodeSettings, node_refusal, serve

    cfg = ctx.config
    refusal = node_refusal(cfg.database_url)
    if refusal:
        print(f"newsradar node: {refusal}", file=sys.stderr)
        return 2
    settings: NodeSettings = cfg.sections.get("node") or NodeSettings()
    given = {"host": args.host, "port": args.port, "max_proc": args.max_proc}
    settings = replace(settings, **{k: v for k, v in given.items() if v is not None})
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if bool(user) != bool(password):
        print(f"newsradar node: set both {USER_ENV} and {PASSWORD_ENV} (or neither)", file=sys.stderr)
        return 2
    ctx.db()  # reachable and migrated before any job stores into it
    return serve(settings, cfg.database_url, (user, password) if user and password else None)
