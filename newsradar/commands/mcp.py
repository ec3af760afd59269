"""`newsradar mcp`: the archive as an MCP server for AI assistants (stdio, or --http on 127.0.0.1)."""

from __future__ import annotations

import argparse
import socket
import sys
from typing import TYPE_CHECKING

from ..argtypes import number

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "mcp",
        help="serve the archive to AI assistants over the Model Context Protocol (read-only)",
        epilog="stdio by default: an MCP client starts `newsradar mcp` itself and speaks on its "
        "stdin/stdout (nothing else is printed there; logs go to stderr).",
    )
    p.add_argument("--http", action="store_true", help="streamable HTTP on 127.0.0.1 instead (path /mcp)")
    p.add_argument(
        "--port", type=number(1, 65535), default=8765, metavar="PORT", help="HTTP port (default 8765)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from mcpserver import run as serve_mcp

    if args.http:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", args.port))
            except OSError as exc:
                print(
                    f"newsradar: cannot listen on 127.0.0.1:{args.port} ({exc.strerror}): pick another --port",
                    file=sys.stderr,
                )
                return 1
        print(f"newsradar MCP server on http://127.0.0.1:{args.port}/mcp (Ctrl-C stops it)", file=sys.stderr)
    serve_mcp(ctx.config, ctx.db(create=False), http=args.http, port=args.port)
    return 0
