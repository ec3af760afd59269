"""The `newsradar` command: parses arguments and hands each subcommand a Context."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import traceback

from common import RedactingStream
from storage import DatabaseError

from . import __version__
from .config import ConfigError
from .context import Context
from .logs import redact, setup_logging

__all__ = ["Parser", "build_parser", "main"]

# One module per command group; each has register(subparsers). Missing modules are skipped
# so a feature can land without touching this file twice.
COMMANDS = (
    "init", "crawl", "articles", "sources", "topics", "classify", "stories",
    "subscribers", "dispatch", "digest", "bot", "status", "run", "web",
)  # fmt: skip


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


def build_parser() -> Parser:
    parser = Parser(
        prog="newsradar",
        description="Watch Chinese government and finance news for the themes you follow.",
        top=True,
    )
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
    """Run one command; everything it prints or logs goes through common.redact."""
    with contextlib.redirect_stdout(RedactingStream(sys.stdout)), contextlib.redirect_stderr(RedactingStream(sys.stderr)):  # fmt: skip
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
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
    except Exception:  # a bug: show the traceback, but never a secret from the environment
        print(redact(traceback.format_exc()), file=sys.stderr, end="")
        return 1


if __name__ == "__main__":
    sys.exit(main())
