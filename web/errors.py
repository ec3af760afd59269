"""The one exception routes raise for a request they refuse; app.py turns it into a page or JSON."""

from __future__ import annotations

__all__ = ["BadRequest"]


class BadRequest(Exception):
    """A request we refuse with a clear message (400, or `status`)."""

    def __init__(self, message: str, status: int = 400, zh: str | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.zh = message, status, zh  # zh: the Chinese pages' text
