"""Small shared state beside the data: key/value settings and the daemon's leader lease.

The lease row is how two `newsradar run` processes on one SQLite database agree on a leader
(whoever holds an unexpired lease leads; the leader renews it). On PostgreSQL the leader holds
an advisory lock instead and this row only tells `newsradar status` who leads and what is next.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, Row, String, Text, insert, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models import Base
from .types import utcnow

__all__ = [
    "DaemonLease",
    "Setting",
    "acquire_lease",
    "get_setting",
    "get_settings",
    "read_lease",
    "release_lease",
    "renew_lease",
    "set_setting",
    "signing_key",
]

LEADER = "leader"


class Setting(Base):
    """One named value the application keeps for itself (the generated signing key, watch state)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DaemonLease(Base):
    """Who leads the daemons on this database, until when, and what it reported last."""

    __tablename__ = "daemon_leases"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer, default=0)
    host: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(default=utcnow)
    info: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    """The stored value, read from the table (Core, not the ORM): a read-only command such as
    `status` then never pays for configuring the mappers, and the value is the database's."""
    table = Setting.__table__
    row = session.execute(select(table.c.value).where(table.c.key == key)).first()
    return default if row is None else row.value


def get_settings(session: Session, keys: list[str]) -> dict[str, Any]:
    """key -> value of those of `keys` that are set, in one query (status reads one per source);
    Core like get_setting."""
    if not keys:
        return {}
    c = Setting.__table__.c
    return dict(session.execute(select(c.key, c.value).where(c.key.in_(keys))).all())


def set_setting(session: Session, key: str, value: Any) -> None:
    """Insert or replace (the caller commits)."""
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()


def signing_key(session: Session) -> bytes:
    """The key that signs unsubscribe links: generated once, kept in the database, so email
    works without setup; NEWSRADAR_SECRET_KEY (read by the caller) overrides it."""
    value = get_setting(session, "secret_key")
    if not value:
        try:
            with session.begin_nested():
                session.add(Setting(key="secret_key", value=secrets.token_urlsafe(32), updated_at=utcnow()))
            session.commit()
        except IntegrityError:  # another process generated it first: use theirs
            session.rollback()
        value = get_setting(session, "secret_key")
    return str(value).encode()


def acquire_lease(
    session: Session,
    owner: str,
    seconds: float,
    *,
    pid: int,
    host: str,
    force: bool = False,
    now: datetime | None = None,
) -> bool:
    """Take the leader lease if it is free, expired or already ours (the caller commits);
    force: take it anyway (the PostgreSQL leader, who holds the advisory lock)."""
    now = now or utcnow()
    until = now + timedelta(seconds=seconds)
    free = or_(DaemonLease.owner == owner, DaemonLease.expires_at < now)
    taken = session.execute(
        update(DaemonLease)
        .where(DaemonLease.name == LEADER, true() if force else free)
        .values(owner=owner, pid=pid, host=host, started_at=now, expires_at=until, info={}, note=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken:
        return True
    if session.get(DaemonLease, LEADER) is not None:
        return False
    try:
        with session.begin_nested():
            session.execute(
                insert(DaemonLease).values(
                    name=LEADER, owner=owner, pid=pid, host=host, started_at=now, expires_at=until, info={}
                )
            )
    except IntegrityError:
        return False
    return True


def renew_lease(
    session: Session, owner: str, seconds: float | None, info: dict[str, Any] | None = None
) -> bool:
    """Extend our lease (seconds None: only update info); False when another process took it."""
    values: dict[str, Any] = {}
    if seconds is not None:
        values["expires_at"] = utcnow() + timedelta(seconds=seconds)
    if info is not None:
        values["info"] = info
    return bool(
        session.execute(
            update(DaemonLease)
            .where(DaemonLease.name == LEADER, DaemonLease.owner == owner)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def release_lease(session: Session, owner: str) -> None:
    """Give the lease up at once (a clean exit), so a standby need not wait for it to expire."""
    session.execute(
        update(DaemonLease)
        .where(DaemonLease.name == LEADER, DaemonLease.owner == owner)
        .values(expires_at=utcnow() - timedelta(seconds=1), note="stopped")
        .execution_options(synchronize_session=False)
    )


def read_lease(session: Session) -> Row | None:
    """The lease row (DaemonLease's attribute names), read with Core: `status` never pays for
    configuring the ORM mappers, and the row is the database's, not a cached object."""
    leases = DaemonLease.__table__
    return session.execute(select(leases).where(leases.c.name == LEADER)).first()
