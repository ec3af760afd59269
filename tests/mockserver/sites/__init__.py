"""The sample sites the tests serve on 127.0.0.1: one module per site structure."""

from .base import ROBOTS, Page, Site, etag
from .beijing import BeijingGbk, BeijingGov
from .eastmoney import Eastmoney
from .finews import Finews
from .generated import Generated
from .gov_cn import GovCn
from .hostile import HOSTILE_SELECTORS, HOSTILE_TITLE_HTML, Hostile
from .newsroom import TOPIC_PHRASES, Newsroom
from .pbc import PBC_SELECTORS, Pbc
from .sitemap import SitemapSite
from .unknown import Mapped, Unknown

__all__ = [
    "HOSTILE_SELECTORS", "HOSTILE_TITLE_HTML", "PBC_SELECTORS", "ROBOTS", "BeijingGbk", "BeijingGov",
    "Eastmoney", "Finews", "Generated", "GovCn", "Hostile", "Mapped", "Newsroom", "TOPIC_PHRASES", "Page", "Pbc", "Site", "SitemapSite", "Unknown",
    "etag",
]  # fmt: skip
