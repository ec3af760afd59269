"""Headers, CSRF, signed links, the admin password and the login rate limit.

Two keys: `link_key` is the persistent secret (NEWSRADAR_SECRET_KEY through common.secret_key),
needed for links that must survive a restart (confirm, unsubscribe, digests); `form_key` signs
CSRF tokens and admin sessions and falls back to a per-process random key without a secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Any

from common.signing import read_token, sign_token

__all__ = [
    "CSP",
    "SECURITY_HEADERS",
    "Keys",
    "LoginLimiter",
    "check_password",
    "hash_password",
]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CSRF_COOKIE = "nr_csrf"
ADMIN_COOKIE = "nr_admin"


class Keys:
    """The signing keys of one app."""

    def __init__(self, link_key: bytes | None) -> None:
        self.link_key = link_key
        self.form_key = link_key or secrets.token_bytes(32)

    # -- CSRF: a random cookie per browser, and a form field that is its HMAC ---------------
    def csrf_for(self, cookie: str) -> str:
        return hmac.new(self.form_key, f"csrf:{cookie}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        return hmac.compare_digest(self.csrf_for(cookie), token)

    # -- signed, expiring links --------------------------------------------------------------
    def dumps(self, purpose: str, payload: Any) -> str:
        """A URL-safe token; raises RuntimeError without the persistent secret."""
        if not self.link_key:
            raise RuntimeError("no signing key: set NEWSRADAR_SECRET_KEY")
        return sign_token(self.link_key, purpose, payload)

    def loads(self, purpose: str, token: str, max_age: float) -> tuple[Any, str | None]:
        """(payload, None) for a genuine fresh token, else (None, "expired" | "invalid")."""
        return read_token(self.link_key, purpose, token, max_age)

    # -- admin sessions ----------------------------------------------------------------------
    def admin_cookie(self) -> str:
        return sign_token(self.form_key, "admin", "admin")

    def admin_ok(self, cookie: str | None, max_age: float = 8 * 3600) -> bool:
        return bool(cookie) and read_token(self.form_key, "admin", cookie or "", max_age)[0] == "admin"


def hash_password(password: str, *, iterations: int = 600_000) -> str:
    """'pbkdf2_sha256$N$salt$hash' (Django's format): what to put in NEWSRADAR_ADMIN_PASSWORD."""
    salt = base64.b64encode(os.urandom(12)).decode().rstrip("=")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


def check_password(given: str, configured: str) -> bool:
    """Against a pbkdf2_sha256 (Django), pbkdf2:sha256 / scrypt (Werkzeug) hash, or plain text."""
    given_b = given.encode()
    try:
        if configured.startswith("pbkdf2_sha256$"):
            _, n, salt, want = configured.split("$", 3)
            got = base64.b64encode(hashlib.pbkdf2_hmac("sha256", given_b, salt.encode(), int(n))).decode()
            return hmac.compare_digest(got, want)
        if configured.startswith("pbkdf2:"):
            method, salt, want = configured.split("$", 2)
            parts = method.split(":")
            n = int(parts[2]) if len(parts) > 2 else 600_000
            got = hashlib.pbkdf2_hmac(parts[1], given_b, salt.encode(), n).hex()
            return hmac.compare_digest(got, want)
        if configured.startswith("scrypt:"):
            method, salt, want = configured.split("$", 2)
            _, n, r, p = method.split(":")
            got = hashlib.scrypt(
                given_b,
                salt=salt.encode(),
                n=int(n),
                r=int(r),
                p=int(p),
                maxmem=132 * int(n) * int(r) * int(p),
            ).hex()
            return hmac.compare_digest(got, want)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given_b, configured.encode())


class LoginLimiter:
    """At most `attempts` failed logins per client in `window` seconds, and as many overall
    times ten (so rotating addresses does not help much)."""

    def __init__(self, attempts: int = 5, window: float = 600.0) -> None:
        self.attempts, self.window = attempts, window
        self._fails: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, q: deque[float], now: float) -> None:
        while q and q[0] <= now - self.window:
            q.popleft()

    def retry_after(self, client: str) -> int:
        """Seconds until this client may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            mine, everyone = self._fails[client], self._fails["*"]
            self._trim(mine, now)
            self._trim(everyone, now)
            if len(mine) >= self.attempts:
                return int(mine[0] + self.window - now) + 1
            if len(everyone) >= self.attempts * 10:
                return int(everyone[0] + self.window - now) + 1
            return 0

    def failed(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._fails[client].append(now)
            self._fails["*"].append(now)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._fails.pop(client, None)
