"""Dates as Chinese sites print them, read as Beijing time."""

from __future__ import annotations

import re
from datetime import datetime

from common import BEIJING

__all__ = ["parse_cn_datetime"]

_DATE = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT-]*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
    r"(?:\s*(?P<tz>[+-]\d\d:?\d\d|Z))?"
)


def parse_cn_datetime(text: str | None) -> datetime | None:
    """First date(time) in the text: '2022-02-11 10:52', '2022年02月11日 12:47', '2026-07-13-17:19:00'.

    Without an explicit offset the value is Beijing time, as every source we watch publishes it.
    """
    if not text:
        return None
    m = _DATE.search(text)
    if not m:
        return None
    try:
        value = datetime(
            int(m["y"]), int(m["m"]), int(m["d"]),
            int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0),
        )  # fmt: skip
    except ValueError:
        return None
    tz = m["tz"]
    if tz and tz != "Z":
        return datetime.fromisoformat(value.isoformat() + tz[:3] + ":" + tz[-2:])
    if tz == "Z":
        return datetime.fromisoformat(value.isoformat() + "+00:00")
    return value.replace(tzinfo=BEIJING)
