"""Admin sessions kept server-side, so logging out ends a session even if its cookie was copied.

The cookie names a random session id (signed, web.security.Keys); the `settings` table keeps a hash
of each open session's id with its expiry. Logging out removes it; so does its expiry.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from fastapi import Request

from storage.state import get_setting, set_setting

from .security import ADMIN_COOKIE, ADMIN_HOURS

__all__ = ["close_session", "open_session", "session_open"]

KEY = "admin_sessions"


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _open_ones(request: Request) -> dict[str, float]:
    with request.app.state.db.session() as s:
        value = get_setting(s, KEY, {})
    now = time.time()
    return (
        {k: v for k, v in value.items() if isinstance(v, int | float) and v > now}
        if isinstance(value, dict)
        else {}
    )


def _store(request: Request, sessions: dict[str, float]) -> None:
    with request.app.state.db.session() as s:
        set_setting(s, KEY, sessions)
        s.commit()


def open_session(request: Request) -> str:
    """Open a session and return the cookie value that carries it."""
    session_id = secrets.token_urlsafe(32)
    sessions = _open_ones(request)
    sessions[_hash(session_id)] = time.time() + ADMIN_HOURS * 3600
    _store(request, sessions)
    return request.app.state.keys.admin_cookie(session_id)


def session_open(request: Request) -> bool:
    """Whether the request carries the cookie of a session that is still open."""
    session_id = request.app.state.keys.admin_session(request.cookies.get(ADMIN_COOKIE))
    return session_id is not None and _hash(session_id) in _open_ones(request)


def close_session(request: Request) -> None:
    """End the request's session (logging out): its cookie stops working everywhere."""
    session_id = request.app.state.keys.admin_session(request.cookies.get(ADMIN_COOKIE))
    if session_id is None:
        return
    sessions = _open_ones(request)
    if sessions.pop(_hash(session_id), None) is not None:
        _store(request, sessions)
