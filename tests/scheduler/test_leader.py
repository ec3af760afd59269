"""One leader per database: a SQLite lease and a PostgreSQL advisory lock."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from scheduler.leader import Leader, leader_info
from storage import Database


def _db(url: str) -> Database:
    db = Database(url)
    db.migrate()
    return db


def test_sqlite_lease_one_leader_and_takeover_after_expiry(tmp_path):
    db = _db(f"sqlite:///{tmp_path / 'x.db'}")
    a, b = Leader(db, lease=3.0), Leader(db, lease=3.0)  # seconds a busy machine may stall between calls
    assert a.try_acquire() and not b.try_acquire()
    assert a.renew({"next_runs": {"s": "x"}}) and not b.try_acquire()
    info = leader_info(db)
    assert info["alive"] and info["pid"] == a.pid and info["info"]["next_runs"] == {"s": "x"}
    time.sleep(3.2)  # a stops renewing (killed): its lease runs out
    assert b.try_acquire()
    assert not a.renew()  # a, if it was only stalled, learns it lost and stops
    b.release()
    assert not leader_info(db)["alive"] and a.try_acquire()  # a clean exit hands over at once


@pytest.mark.postgres
def test_postgres_advisory_lock_dies_with_the_connection(pg_database):
    db = _db(pg_database)
    a, b = Leader(db, lease=30.0), Leader(_db(pg_database), lease=30.0)
    assert a.try_acquire() and not b.try_acquire()
    assert a.renew({"k": 1})
    a._conn.invalidate()  # the process died: the server drops its session and the lock
    assert b.try_acquire()  # no waiting for a lease: the lock is free now
    assert not a.renew()  # a, if it was only cut off, finds the lock taken and steps down
    assert leader_info(db)["owner"] == b.owner
    b.release()


@pytest.mark.postgres
def test_postgres_leader_takes_the_lock_again_after_losing_its_connection(pg_database):
    """PostgreSQL restarted (every session dropped): the leader takes the lock again on a fresh
    connection and carries on, and a standby still waits."""
    db = _db(pg_database)
    a, b = Leader(db, lease=30.0), Leader(_db(pg_database), lease=30.0)
    assert a.try_acquire()
    first = a._conn
    import psycopg

    with psycopg.connect(pg_database.replace("postgresql+psycopg", "postgresql"), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
    assert a.renew({"k": 2})  # not a step-down: nobody else took the lock meanwhile
    assert a._conn is not first
    assert not b.try_acquire()
    assert leader_info(db)["owner"] == a.owner and leader_info(db)["info"] == {"k": 2}
    a.release()
    assert b.try_acquire()
    b.release()


@pytest.mark.postgres
def test_postgres_lock_session_asks_the_server_for_keepalives(pg_database):
    """A leader cut off the network sends no FIN: the server must drop its session (and free the
    lock) about `lease` seconds later, after the leader stopped acting (confirm_within)."""
    a = Leader(_db(pg_database), lease=12.0)
    assert a.try_acquire()
    shown = {
        name: a._conn.execute(text(f"SHOW {name}")).scalar()
        for name in (
            "tcp_keepalives_idle",
            "tcp_keepalives_interval",
            "tcp_keepalives_count",
            "tcp_user_timeout",
        )
    }
    assert shown == {
        "tcp_keepalives_idle": "6",
        "tcp_keepalives_interval": "2",
        "tcp_keepalives_count": "3",
        "tcp_user_timeout": "12000",  # milliseconds
    }
    assert a.confirm_within < 6 + 2 * 3  # it stops before the server can let a standby in
    a.release()


@pytest.mark.postgres
def test_two_processes_migrating_an_empty_postgres_database_do_not_race(pg_database):
    """Two daemons started at once on an empty database: one migrates, the other waits for it."""
    import subprocess
    import sys

    code = "import sys; from storage import Database; Database(sys.argv[1]).migrate()"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, pg_database], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert Database(pg_database).is_current()
