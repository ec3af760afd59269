"""What every sample site is: pages keyed by path, rebuilt when a test edits an article."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field

esc = html.escape


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    is_list: bool = False  # list pages and feeds answer conditional requests


@dataclass
class Site:
    """A site is a function of its base URL and of which articles a test has 'edited'."""

    name: str
    base: str = ""
    bumped: set[str] = field(default_factory=set)
    pages: dict[str, Page] = field(default_factory=dict)
    added: list[tuple[str, str]] = field(default_factory=list)  # (title, text) posted while running
    redesigned: bool = False  # list pages in a layout the adapter does not know
    failing: set[str] = field(default_factory=set)  # paths that answer 500 for now

    def build(self) -> None:
        raise NotImplementedError

    def page(self, path: str) -> Page | None:
        if path.endswith("/"):
            path += "index.html"
        return self.pages.get(path)

    def answer(self, path: str, query: str) -> Page | None:
        """The page for a request; sites whose answers depend on the query string override it."""
        return self.page(path)

    def html(self, path: str, text: str, **kw) -> None:
        self.pages[path] = Page(text.encode("utf-8"), **kw)

    def edited(self, path: str) -> bool:
        return path in self.bumped


ROBOTS = "User-agent: *\nDisallow: /private/\n"


def etag(body: bytes) -> str:
    return '"' + hashlib.md5(body).hexdigest()[:16] + '"'
