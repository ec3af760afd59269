"""argparse types shared by every command, so the same kind of option is checked the same way."""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["count", "number", "refuse_together"]


def number(
    low: float | None = None, high: float | None = None, *, whole: bool = True
) -> Callable[[str], int | float]:
    """argparse type: a whole (or decimal) number in [low, high]; the error says the range."""
    kind = "a whole number" if whole else "a number"
    if low is not None and high is not None:
        want = f"{kind} from {low:g} to {high:g}"
    elif low is not None:
        want = f"{kind} of at least {low:g}"
    else:
        want = f"{kind} of at most {high:g}" if high is not None else kind

    def parse(text: str) -> int | float:
        try:
            value: int | float = int(text) if whole else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {want}") from None
        if value != value or (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text} is out of range: give {want}")
        return value

    parse.__name__ = "number"  # argparse names the type in its messages
    return parse


def count(high: int = 100_000) -> Callable[[str], int | float]:
    """A --limit style count: at least 1 (leave the option out for the default)."""
    return number(1, high)


def refuse_together(args: argparse.Namespace, first: str, others: tuple[str, ...]) -> str | None:
    """The error when option `first` was given with any of `others` (dests), else None."""
    given = [o for o in others if getattr(args, o, None)]
    if getattr(args, first, None) and given:
        flags = ", ".join("--" + o.replace("_", "-") for o in given)
        return f"--{first.replace('_', '-')} cannot be combined with {flags}"
    return None
