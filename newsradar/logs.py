"""Logging for every command and the daemon: one handler whose lines never carry a secret or a
terminal control character, and that keeps libraries' chatter out of sight unless -v is given."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from common import printable, redact

__all__ = ["OUR_PACKAGES", "SafeFormatter", "redact", "setup_logging"]

# Loggers of our own packages; every other logger is a library's.
OUR_PACKAGES = ("newsradar", "crawler", "classifier", "processor", "notifiers", "scheduler", "web", "storage")


class SafeFormatter(logging.Formatter):
    """Formats as usual, then redacts secrets and escapes non-printables (crawled text is logged)."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(redact(super().format(record)))


class _OnlyOurs(logging.Filter):
    """Without -v, a library's records (Scrapy's robots.txt tracebacks, apprise's 'Unsupported URL',
    httpx request lines) stay out of sight: our own code reports each failure once, in plain words."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.CRITICAL or record.name.split(".", 1)[0] in OUR_PACKAGES


def setup_logging(verbose: int = 0, stream: TextIO | None = None) -> logging.Handler:
    """Install the one root handler (Scrapy is told not to install its own)."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setLevel(level)  # Scrapy lowers the root logger's level; filter at the handler too
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if not verbose:
        handler.addFilter(_OnlyOurs())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("httpx", "httpcore", "telegram", "apprise"):
        # Request lines carry the bot token in the URL; even at -vv they are redacted, never needed.
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    return handler
