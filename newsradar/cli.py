"""The `newsradar` command: parses arguments and hands each subcommand a Context."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from storage import DatabaseError

from . import __version__
from .config import ConfigError
from .context import Context

__all__ = ["main"]

# One module per command group; each has register(subparsers). Missing modules are skipped
# so a feature can land without touching this file twice.
COMMANDS = (
    "init", "crawl", "articles", "sources", "topics", "classify", "stories",
    "subscribers", "dispatch", "digest", "bot", "status", "run", "web",
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsradar",
        description="Watch Chinese government and finance news for the themes you follow.",
    )
    parser.add_argument(
        "--config", metavar="PATH", help="config file (default: $NEWSRADAR_CONFIG or ./newsradar.toml)"
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    parser.add_argument("--version", action="version", version=f"newsradar {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"newsradar.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"newsradar.commands.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    handler = logging.StreamHandler()
    handler.setLevel(level)  # Scrapy lowers the root logger's level; filter at the handler too
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    ctx = Context(args.config)
    try:
        return int(args.func(args, ctx) or 0)
    except ConfigError as exc:
        print(f"newsradar: config error: {exc}", file=sys.stderr)
        return 2
    except DatabaseError as exc:
        print(f"newsradar: database error: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("newsradar: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
