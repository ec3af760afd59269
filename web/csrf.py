"""Reading a posted form safely and checking its CSRF token against the browser's cookie."""

from __future__ import annotations

from fastapi import Request

from .errors import BadRequest
from .security import CSRF_COOKIE

__all__ = ["check_csrf", "form_data"]

MAX_FORM = 64 * 1024


async def form_data(request: Request) -> dict[str, list[str]]:
    """The posted fields (url-encoded or multipart), every value a list; refuses huge bodies."""
    size = request.headers.get("content-length")
    if size and not (size.isascii() and size.isdigit()):
        raise BadRequest(f"Content-Length: {size[:20]!r} is not a number of bytes")
    if size and int(size) > MAX_FORM:
        raise BadRequest("form too large", status=413)
    try:
        form = await request.form(max_files=0, max_fields=100)
    except Exception:
        raise BadRequest("the form could not be read (send application/x-www-form-urlencoded)") from None
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value[:5000])
    return out


def check_csrf(request: Request, form: dict[str, list[str]]) -> None:
    token = (form.get("csrf") or [""])[0]
    if not request.app.state.keys.csrf_ok(request.cookies.get(CSRF_COOKIE), token):
        raise BadRequest(
            "this form has expired or was not sent from this site (CSRF check): reload the page and try again",
            status=403,
        )
