"""Anti-bot challenge pages: what a site shows a crawler instead of its content.

pbc.gov.cn and many other Chinese government sites sit behind WZWS, which answers a client
without its cookies with a small page whose script computes them (`wzwsconfirm`,
`wzwschallenge`, `wzwsquestion`, …) and reloads. A crawler that does not run JavaScript never
gets past it, so such a page is reported as blocked and nothing of it is stored.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Scrapy loads when a crawl runs, not when the config is read
    from scrapy.http import Response


__all__ = ["is_challenge"]

_MARKS = re.compile(rb"wzwsconfirm|wzwschallenge|wzwsquestion|wzwstemplate", re.I)
_HEAD = 20000  # challenge pages are small; a real page's body is never searched whole


def is_challenge(response: Response) -> bool:
    """True when the response is a bot-challenge page rather than the page asked for."""
    return bool(_MARKS.search(response.body[:_HEAD]))
