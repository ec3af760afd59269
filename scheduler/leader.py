"""One leader per database: whoever leads crawls and sends; any other daemon waits as a standby.

PostgreSQL: a session-scoped advisory lock on a connection held for the daemon's life, so the
lock dies with the process (even by SIGKILL: the server sees the socket close). A leader on
another host whose network is cut cannot close its socket: the lock connection asks the server for
TCP keepalives (`tcp_keepalives_*`, `tcp_user_timeout`) that drop the session about `lease`
seconds after its last packet, while the leader itself stops acting once it has not confirmed the
lock for two thirds of `lease` (`confirm_within`), so the two never overlap. When the lock's
connection is lost while the server stays ours (PostgreSQL restarted), the leader takes the lock
again on a fresh connection and carries on, unless another daemon led in between.

SQLite: a lease row the leader renews every third of `lease` seconds; a standby takes an expired
lease, so a SIGKILLed leader is replaced within `lease` seconds. In both, the leader also keeps
the lease row's `info` current, which is what `newsradar status` shows.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text

from storage import Database
from storage.state import acquire_lease, read_lease, release_lease, renew_lease

__all__ = ["Leader", "LeaderInfo", "leader_info"]

log = logging.getLogger(__name__)
ADVISORY_KEY = 0x6E657773  # "news": the one advisory lock newsradar takes


class LeaderInfo(dict):
    """The lease row as plain data: owner, pid, host, started_at, expires_at, info, alive."""


def leader_info(db: Database) -> LeaderInfo | None:
    """Who leads (or last led) on this database, for `newsradar status`."""
    from storage import utcnow

    with db.session() as s:
        row = read_lease(s)
        if row is None:
            return None
        alive = row.expires_at > utcnow() and row.note != "stopped"
        return LeaderInfo(
            owner=row.owner, pid=row.pid, host=row.host, started_at=row.started_at,
            expires_at=row.expires_at, info=dict(row.info or {}), alive=alive,
        )  # fmt: skip


class Leader:
    """Acquire, keep and give up leadership; every method is blocking (call from a thread)."""

    def __init__(self, db: Database, lease: float = 30.0) -> None:
        self.db = db
        self.lease = lease
        self.pid = os.getpid()
        self.host = socket.gethostname()[:100]
        self.owner = f"{self.host}:{self.pid}:{uuid.uuid4().hex[:8]}"
        self.started_at: datetime | None = None
        self._conn: Any = None  # PostgreSQL: the connection holding the advisory lock
        self._renewed = 0.0  # monotonic time of the last successful renewal
        self._mutex = threading.Lock()  # calls come from worker threads; one at a time

    @property
    def renew_every(self) -> float:
        return self.lease / 3

    @property
    def confirm_within(self) -> float:
        """Seconds a leader may go without confirming its lock or lease before it must stop acting:
        before the server can drop its session (about `lease` after the last packet)."""
        return self.lease * 2 / 3

    @property
    def confirmed_at(self) -> float:
        """Monotonic time of the last confirmation (0.0 before leading)."""
        return self._renewed

    def try_acquire(self) -> bool:
        """Become the leader if nobody else is; True when we lead."""
        with self._mutex:
            return self._try_acquire()

    def _try_acquire(self) -> bool:
        if not self.db.is_sqlite and not self._lock():
            return False
        with self.db.session() as s:
            ok = acquire_lease(
                s, self.owner, self.lease, pid=self.pid, host=self.host, force=not self.db.is_sqlite
            )
            s.commit()
        if ok:
            from storage import utcnow

            self.started_at = utcnow()
            self._renewed = time.monotonic()
        elif self._conn is not None:  # pragma: no cover - the lock and the row disagree
            self._unlock()
        return ok

    def _lock(self) -> bool:
        if self._conn is None:
            self._conn = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._keepalives()
        got = bool(self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar())
        if not got:
            self._conn.close()
            self._conn = None
        return got

    def _keepalives(self) -> None:
        """Ask the server to drop this session about `lease` seconds after its last packet when the
        peer vanishes (a cut link sends no FIN): then the lock frees and a standby takes over."""
        idle, interval = max(1, round(self.lease / 2)), max(1, round(self.lease / 6))
        for name, value in (
            ("tcp_keepalives_idle", idle),
            ("tcp_keepalives_interval", interval),
            ("tcp_keepalives_count", 3),
            ("tcp_user_timeout", int(self.lease * 1000)),
        ):
            self._conn.execute(text(f"SET {name} = {int(value)}"))

    def _unlock(self) -> None:
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
        except Exception:  # the connection is gone, and the lock with it
            pass
        finally:
            self._conn.close()
            self._conn = None

    def renew(self, info: dict[str, Any] | None = None) -> bool:
        """Keep leading; False when leadership is lost (the caller must stop crawling and sending)."""
        with self._mutex:
            return self._renew(info)

    def _renew(self, info: dict[str, Any] | None) -> bool:
        if self._conn is not None and not self._lock_alive():
            return False
        for attempt in (1, 2):
            try:
                with self.db.session() as s:
                    ok = renew_lease(s, self.owner, self.lease, info)
                    s.commit()
                break
            except Exception as exc:
                if attempt == 1 and not self.db.is_sqlite:
                    continue  # a pooled connection the server dropped: once more, on a fresh one
                log.warning("could not renew the leader lease: %s", exc)
                # Keep going while the lease we hold cannot have expired yet.
                return self.db.is_sqlite and time.monotonic() - self._renewed < self.lease * 0.8
        if ok:
            self._renewed = time.monotonic()
        elif self.db.is_sqlite:
            log.error("another daemon took the leader lease: this one stops crawling and sending")
        else:  # our row was taken over by the lock holder, so we cannot hold the lock any more
            log.error("another daemon leads (it took the lease row): this one stops crawling and sending")
        return ok

    def _lock_alive(self) -> bool:
        """The advisory lock is still ours: its connection answers, or it was lost (PostgreSQL
        restarted, a connection dropped) and we took the lock again on a fresh one while nobody
        else led in between. False: step down."""
        try:
            self._conn.execute(text("SELECT 1"))  # the lock lives as long as this connection
            return True
        except Exception as exc:
            log.warning("the leader lock's database connection was lost (%s): taking the lock again", exc)
        self._drop_conn()
        try:
            if not self._lock():
                log.error("another daemon holds the leader lock now: this one stops crawling and sending")
                return False
            with self.db.session() as s:
                row = read_lease(s)
            if row is None or row.owner != self.owner:
                log.error("another daemon led while the lock was lost: this one steps down")
                self._unlock()
                return False
        except Exception as exc:
            log.error("could not take the leader lock again (%s): this one stops crawling and sending", exc)
            self._drop_conn()
            return False
        log.warning("took the leader lock again on a fresh connection: still leading")
        return True

    def _drop_conn(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception:  # already gone
                pass

    def who(self) -> LeaderInfo | None:
        return leader_info(self.db)

    def release(self) -> None:
        """A clean exit hands leadership over at once."""
        with self._mutex:
            self._release()

    def _release(self) -> None:
        try:
            with self.db.session() as s:
                release_lease(s, self.owner)
                s.commit()
        except Exception as exc:
            log.warning("could not release the leader lease (a standby takes it when it expires): %s", exc)
        if self._conn is not None:
            self._unlock()
