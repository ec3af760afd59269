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
    # Injected faults, path (or "*": every page) -> [kind, requests left]; see server.FAULT_KINDS.
    faults: dict[str, list] = field(default_factory=dict)
    faults_served: int = 0  # requests that met an injected fault

    def inject(self, path: str, kind: str, times: int = 1_000_000) -> None:
        """The next `times` requests of `path` ("*": any page) misbehave as `kind`; 0 times lifts it."""
        if times <= 0:
            self.faults.pop(path, None)
        else:
            self.faults[path] = [kind, times]

    def take_fault(self, path: str) -> str | None:
        """The fault this request meets, if any (counting it down)."""
        for key in (path, "*"):
            fault = self.faults.get(key)
            if fault is not None and not path.startswith("/__"):
                fault[1] -= 1
                self.faults_served += 1
                if fault[1] <= 0:
                    del self.faults[key]
                return fault[0]
        return None

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
