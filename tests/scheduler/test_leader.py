"""One leader per database: a SQLite lease and a PostgreSQL advisory lock."""

from __future__ import annotations

import time

import pytest

from scheduler.leader import Leader, leader_info
from storage import Database


def _db(url: str) -> Database:
    db = Database(url)
    db.migrate()
    return db


def test_sqlite_lease_one_leader_and_takeover_after_expiry(tmp_path):
    db = _db(f"sqlite:///{tmp_path / 'x.db'}")
    a, b = Leader(db, lease=1.0), Leader(db, lease=1.0)
    assert a.try_acquire() and not b.try_acquire()
    assert a.renew({"next_runs": {"s": "x"}}) and not b.try_acquire()
    info = leader_info(db)
    assert info["alive"] and info["pid"] == a.pid and info["info"]["next_runs"] == {"s": "x"}
    time.sleep(1.2)  # a stops renewing (killed): its lease runs out
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
    assert not a.renew()
    assert b.try_acquire()  # no waiting for a lease: the lock is free now
    assert leader_info(db)["owner"] == b.owner
    b.release()
