"""`newsradar serve`: the web archive (pages, feeds, API, subscriptions) on one address."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import TYPE_CHECKING

from ..argtypes import number

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the web archive, its Atom feeds and JSON API over HTTP")
    p.add_argument("--host", metavar="ADDRESS", help="address to listen on (default: [web] host, 127.0.0.1)")
    p.add_argument(
        "--port", type=number(1, 65535), metavar="PORT", help="port to listen on (default: [web] port, 8080)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from web import make_server, web_settings

    if args.port is not None and not 0 <= args.port <= 65535:
        print(f"newsradar: --port must be 0-65535, not {args.port}", file=ctx.out)
        return 2
    settings = web_settings(ctx.config)
    host, port = args.host or settings.host, settings.port if args.port is None else args.port
    if (host, port) != (settings.host, settings.port):
        # Links in feeds, pages and mails follow the address given here (unless base_url is set).
        ctx.config.sections["web"] = replace(settings, host=host, port=port)
    server = make_server(ctx.config, host, port, db=ctx.db())
    print(f"newsradar archive on http://{host}:{port}/ (Ctrl-C stops it)", file=ctx.out, flush=True)
    try:
        server.run()
    except SystemExit:  # uvicorn exits when it cannot bind
        pass
    if not server.started:
        print(f"newsradar: could not listen on {host}:{port} (in use? see the log above)", file=ctx.out)
        return 1
    return 0
