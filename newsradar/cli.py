"""The `newsradar` command: parses arguments and hands each subcommand a Context."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import traceback

from common import RedactingStream

from . import __version__

__all__ = ["Parser", "build_parser", "main"]

# Command name -> (module in newsradar.commands with register(subparsers), one-line help). Only the
# module of the command being run is imported: each pulls in SQLAlchemy, Scrapy, FastAPI... and
# `newsradar --help` lists the others from the help repeated here (test_startup checks it matches
# what each module registers). A module that is missing is skipped, so a feature can land alone.
COMMANDS = {
    "init": ("init", "write a starter newsradar.toml and create the database"),
    "crawl": ("crawl", "crawl the configured sources once and store new articles"),
    "articles": ("articles", "list or show stored articles"),
    "sources": ("sources", "list sources, or test one without storing"),
    "topics": ("topics", "list topics, measure them (eval), or re-match stored articles (reclassify)"),
    "classify": ("classify", "show which topics a text matches (no database needed)"),
    "stories": ("stories", "list or show stories (republished copies grouped)"),
    "subscribers": ("subscribers", "add, list, remove, pause or resume alert subscribers"),
    "watches": ("watches", "add, list, remove, pause or resume watches: alerts on any search query"),
    "dispatch": ("dispatch", "send pending alerts (Telegram, email, Apprise, console)"),
    "digest": ("digest", "preview the daily digest (text, html, md); --send queues and sends it"),
    "bot": ("bot", "run the Telegram bot: /topics, /subscribe, /search ... (needs [telegram] and a token)"),
    "status": (
        "status",
        "source health, counts of articles, stories and alerts; dead alerts; inactive channels",
    ),
    "run": (
        "run",
        "the daemon: crawl each source on its `every`, send alerts and daily digests, run the bot",
    ),
    "serve": ("web", "serve the web archive, its Atom feeds and JSON API over HTTP"),
    "mcp": ("mcp", "serve the archive to AI assistants over the Model Context Protocol (read-only)"),
    "db": ("db", "database tasks: copy the archive to another database"),
    "node": ("node", "run a crawler node (Scrapyd) that crawls rounds the daemon schedules on it"),
}
ALL = "*"  # build_parser(ALL): every command's full parser (tests walk it)


class _Commands(argparse._SubParsersAction):
    """Subcommands whose one-line help is also their --help description when they give none."""

    def add_parser(self, name: str, **kwargs):  # noqa: ANN201 - argparse's own signature
        summary = kwargs.get("help")
        if summary and not kwargs.get("description"):
            kwargs["description"] = summary[0].upper() + summary[1:] + "."
        return super().add_parser(name, **kwargs)


class Parser(argparse.ArgumentParser):
    """Every (sub)command parser: --config and -v are accepted before or after the subcommand.

    Subparsers are made with the parent's class, so each command gets the options too; theirs
    default to SUPPRESS, so an option given before the subcommand is not reset after it.
    """

    def __init__(self, *args, top: bool = False, **kwargs) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _Commands)
        unset = {} if top else {"default": argparse.SUPPRESS}
        self.add_argument(
            "--config", metavar="PATH", help="config file (default: $NEWSRADAR_CONFIG or ./newsradar.toml)",
            **({"default": None} if top else unset),
        )  # fmt: skip
        self.add_argument(
            "-v", "--verbose", action="count", help="more log output, library logs included (-vv: debug)",
            **({"default": 0} if top else unset),
        )  # fmt: skip


def build_parser(command: str | None = ALL) -> Parser:
    """The parser with `command`'s own subparser (ALL: every command's; None: only summaries,
    enough for `newsradar --help` and for an unknown command's error)."""
    parser = Parser(
        prog="newsradar",
        description="Watch Chinese government and finance news for the themes you follow.",
        top=True,
    )
    parser.add_argument("--version", action="version", version=f"newsradar {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, summary) in COMMANDS.items():
        if command not in (ALL, name):
            sub.add_parser(name, help=summary)
            continue
        try:
            module = importlib.import_module(f"newsradar.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"newsradar.commands.{module_name}":
                continue
            raise
        module.register(sub)
    return parser


def command_in(argv: list[str]) -> str | None:
    """The subcommand named in argv (the first word that is not a top-level option), or None."""
    words = iter(argv)
    for word in words:
        if word == "--config":
            next(words, None)
        elif word == "--":
            return next(words, None)
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def main(argv: list[str] | None = None) -> int:
    """Run one command; everything it prints or logs goes through common.redact."""
    with contextlib.redirect_stdout(RedactingStream(sys.stdout)), contextlib.redirect_stderr(RedactingStream(sys.stderr)):  # fmt: skip
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(command_in(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    # Imported once the arguments are good: `--help` and `--version` load no feature package.
    from .config import ConfigError
    from .context import Context
    from .logs import redact, setup_logging

    setup_logging(args.verbose)
    ctx = Context(args.config)
    try:
        return int(args.func(args, ctx) or 0)
    except ConfigError as exc:
        print(f"newsradar: config error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("newsradar: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        # storage (SQLAlchemy) is imported by the commands that use a database, not here
        storage = sys.modules.get("storage")
        if storage is not None and isinstance(exc, storage.DatabaseError):
            print(f"newsradar: database error: {exc}", file=sys.stderr)
            return 3
        # a bug: show the traceback, but never a secret from the environment
        print(redact(traceback.format_exc()), file=sys.stderr, end="")
        return 1


if __name__ == "__main__":
    sys.exit(main())
