"""How values are shown to people: crawled text made inert for a terminal, times in Beijing time.

Every command, the console channel and the log handler use these, so a convention changes in one place.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any, TextIO

from .times import to_beijing

__all__ = ["PrintableStream", "iso_time", "plural", "printable", "show_time", "show_when"]

# Control, format (bidi overrides, zero-width), line/paragraph separators and surrogates: a terminal
# acts on these instead of showing them, so they are written as escapes.
_UNSAFE = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def printable(text: object, *, keep: str = "\n\t") -> str:
    """The text with every non-printable character escaped (`\\x1b`), except those in `keep`."""
    s = "" if text is None else str(text)
    if s.isprintable() and "\x1b" not in s:
        return s
    out = []
    for ch in s:
        if ch in keep or unicodedata.category(ch) not in _UNSAFE:
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


class PrintableStream:
    """A text stream that escapes what `printable` escapes: what commands print (crawled titles,
    bodies, alerts) cannot move the cursor, recolour or retitle the reader's terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(printable(text))

    def __getattr__(self, name: str) -> Any:  # flush, isatty, getvalue ... of the wrapped stream
        return getattr(self.stream, name)


def show_time(value: datetime | None, missing: str = "-") -> str:
    """'2026-12-02 05:47 北京时间': the one way a time is shown to a person (alerts, commands)."""
    bj = to_beijing(value)
    return f"{bj:%Y-%m-%d %H:%M} 北京时间" if bj else missing


def show_when(published: datetime | None, fetched: datetime | None) -> str:
    """When a story or article happened: its date, else when we fetched it, marked as such."""
    if published is not None:
        return show_time(published)
    return f"{show_time(fetched)} (fetched; no date)" if fetched else "no date"


def iso_time(value: datetime | None) -> str | None:
    """'2026-12-02T05:47:12+08:00' for JSON output: Beijing time, offset marked, whole seconds."""
    bj = to_beijing(value)
    return bj.replace(microsecond=0).isoformat() if bj else None


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 message', '3 messages', '2 copies' (give `many` when adding 's' is wrong)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"
