"""Parse --since style arguments: a date or datetime, read as Beijing time unless it says otherwise."""

from __future__ import annotations

import argparse
from datetime import datetime

from storage import BEIJING

__all__ = ["since"]


def since(text: str) -> datetime:
    """argparse type: 'YYYY-MM-DD' or ISO datetime; naive values are Beijing time."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD) or ISO datetime") from None
    return value if value.tzinfo else value.replace(tzinfo=BEIJING)
