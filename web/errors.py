"""The one exception routes raise for a request they refuse (app.py turns it into a page or
JSON), and the JSON response every API answer and error goes out as."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from common import strip_unsafe

__all__ = ["BadRequest", "SafeJSONResponse"]


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return strip_unsafe(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class SafeJSONResponse(JSONResponse):
    """JSON whose strings carry no character common.strip_unsafe removes (defence in depth: the
    crawler strips them at extraction, but an old archive or another writer may not have)."""

    def render(self, content: Any) -> bytes:
        return super().render(_clean(content))


class BadRequest(Exception):
    """A request we refuse with a clear message (400, or `status`)."""

    def __init__(self, message: str, status: int = 400, zh: str | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.zh = message, status, zh  # zh: the Chinese pages' text
