"""Headers, CSRF, signed links, the admin password and session, the client address and the rate limits.

Two keys: `link_key` is the persistent secret (NEWSRADAR_SECRET_KEY through common.secret_key),
needed for links that must survive a restart (confirm, unsubscribe, digests); `form_key` signs
CSRF tokens and admin sessions and falls back to a per-process random key without a secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Any

from common.signing import read_token, sign_token

__all__ = [
    "ADMIN_HOURS",
    "CSP",
    "SECURITY_HEADERS",
    "Keys",
    "LoginLimiter",
    "SendLimiter",
    "check_password",
    "client_address",
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
ADMIN_HOURS = 8


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
    def admin_cookie(self, session_id: str) -> str:
        return sign_token(self.form_key, "admin", {"sid": session_id})

    def admin_session(self, cookie: str | None, max_age: float = ADMIN_HOURS * 3600) -> str | None:
        """The session id a genuine, fresh admin cookie names (web.sessions says if it is open)."""
        if not cookie or len(cookie) > 500:
            return None
        value, _ = read_token(self.form_key, "admin", cookie, max_age)
        sid = value.get("sid") if isinstance(value, dict) else None
        return sid if isinstance(sid, str) else None


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


class _Counter:
    """Event times per key within a sliding window (a key with no recent event is forgotten)."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._events: dict[str, deque[float]] = defaultdict(deque)

    def recent(self, key: str, now: float) -> deque[float]:
        q = self._events.get(key)
        if q is None:
            return deque()
        while q and q[0] <= now - self.window:
            q.popleft()
        if not q:
            del self._events[key]
        return q

    def wait(self, key: str, limit: int, now: float) -> int:
        """Seconds until `key` has fewer than `limit` recent events (0: it has now)."""
        q = self.recent(key, now)
        return int(q[-limit] + self.window - now) + 1 if len(q) >= limit else 0

    def add(self, key: str, now: float) -> None:
        if len(self._events) > 100_000:  # a flood of addresses: drop the stale ones
            for k in list(self._events):
                self.recent(k, now)
        self._events[key].append(now)

    def forget(self, key: str) -> None:
        self._events.pop(key, None)


class LoginLimiter:
    """Failed admin logins. Each client address (an IPv6 /64) gets `attempts` failures per
    `window` and then waits; past `ceiling` failures from everyone together, addresses that have
    failed before get no more tries. An address that has not failed is never turned away, so
    failures from elsewhere cannot lock the admin out of a correct password."""

    def __init__(self, attempts: int = 5, window: float = 600.0, ceiling: int = 200) -> None:
        self.attempts, self.ceiling = attempts, ceiling
        self._fails = _Counter(window)
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """Seconds until this client may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            mine = self._fails.wait(client, self.attempts, now)
            if mine or not self._fails.recent(client, now):
                return mine
            return self._fails.wait("*", self.ceiling, now)

    def failed(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._fails.add(client, now)
            self._fails.add("*", now)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._fails.forget(client)


class SendLimiter:
    """Requests that make us send something (a confirmation mail): at most `per_client` per client
    address and `per_target` per target (an email address) in `window`, and `ceiling` overall, a
    high limit that only protects the mail server, so a few busy addresses never block the rest."""

    def __init__(
        self, per_client: int = 5, per_target: int = 3, window: float = 3600.0, ceiling: int = 500
    ) -> None:
        self.per_client, self.per_target, self.ceiling = per_client, per_target, ceiling
        self._sent = _Counter(window)
        self._lock = threading.Lock()

    def take(self, client: str, target: str) -> int:
        """Count one request and return 0, or return the seconds to wait (nothing counted)."""
        now = time.monotonic()
        keys = (f"client:{client}", f"target:{target}", "*")
        with self._lock:
            wait = max(
                self._sent.wait(k, n, now)
                for k, n in zip(keys, (self.per_client, self.per_target, self.ceiling), strict=True)
            )
            if not wait:
                for k in keys:
                    self._sent.add(k, now)
            return wait


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[Any, ...]) -> str:
    """The address a request came from: the peer, or, when the peer is a trusted proxy, the last
    address of X-Forwarded-For that is not a trusted proxy (the ones before it the client can
    forge). An IPv6 address counts as its /64, which one client usually holds whole."""
    chain = [peer or "?"]
    if forwarded_for and _ip(chain[0]) is not None and any(_ip(chain[0]) in net for net in trusted):
        chain = [peer or "?"] + [a.strip() for a in reversed(forwarded_for.split(","))]
    who = chain[0]
    for address in chain:
        ip = _ip(address)
        if ip is None:
            break
        who = address
        if not any(ip in net for net in trusted):
            break
    ip = _ip(who)
    if ip is not None and ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return who


def _ip(text: str) -> Any:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
