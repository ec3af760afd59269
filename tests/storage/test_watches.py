"""storage.watches on SQLite and PostgreSQL: rows, counts per subscriber, 30-day match counts, the
version that tells a cached index to reload, and cascades when a subscriber goes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from storage import Database, Story, utcnow
from storage import watches as w
from storage.subscribers import add_subscriber, remove_subscriber

from .watch_writes import every_watch_write_bumps


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path}/w.db" if request.param == "sqlite" else request.getfixturevalue("pg_database")
    )
    database = Database(url)
    database.migrate()
    yield database
    database.dispose()


def test_watch_rows_counts_and_version(db):
    with db.session() as s:
        sub = add_subscriber(s, channels=[("console", "a")], topics=[]).id
        other = add_subscriber(s, channels=[("console", "b")], topics=[]).id
        v0 = w.watches_version(s)
        a = w.add_watch(s, sub, "央行 数字货币", topics=["fintech", "fintech"], sources=["pbc"])
        b = w.add_watch(s, sub, "通州")
        c = w.add_watch(s, other, "CBDC")
        s.commit()
        assert a.topics == ["fintech"] and a.sources == ["pbc"] and a.active
        assert w.count_watches(s, sub) == 2 and w.count_watches(s, other) == 1
        assert [x.id for x in w.list_watches(s, subscriber_id=sub)] == [a.id, b.id]
        v1 = w.watches_version(s)
        assert v1 != v0
        assert w.set_watch_active(s, b.id, False) and not w.set_watch_active(s, 999, False)
        assert [x.id for x in w.list_watches(s, active=True)] == [a.id, c.id]
        assert w.active_watch_rows(s) == [
            (a.id, sub, "央行 数字货币", ["fintech"], ["pbc"]),
            (c.id, other, "CBDC", [], []),
        ]
        v2 = w.watches_version(s)
        assert v2 != v1
        assert w.update_watch(s, a.id, query="央行").query == "央行" and w.update_watch(s, 999) is None
        assert w.watches_version(s) != v2
        s.commit()

        stories = [Story() for _ in range(3)]
        s.add_all(stories)
        s.flush()
        old = utcnow() - timedelta(days=40)
        assert w.record_matches(s, stories[0].id, [a.id, c.id]) == 2
        assert w.record_matches(s, stories[0].id, [a.id]) == 0  # once per story
        w.record_matches(s, stories[1].id, [a.id])
        w.record_matches(s, stories[2].id, [a.id], now=old)
        s.commit()
        assert w.match_counts(s) == {a.id: 2, c.id: 1}
        assert w.match_counts(s, [c.id]) == {c.id: 1}
        assert w.match_counts(s, days=60)[a.id] == 3

        v3 = w.watches_version(s)
        assert w.remove_watch(s, c.id) and not w.remove_watch(s, c.id)
        v4 = w.watches_version(s)
        assert v4 != v3
        assert remove_subscriber(s, sub)
        assert w.watches_version(s) != v4  # the database deletes the subscriber's watches
        s.commit()
        assert w.list_watches(s) == [] and w.match_counts(s) == {}


def _setup(db) -> dict[str, int]:
    with db.session() as s:
        sub = add_subscriber(s, channels=[("console", "a")], topics=[]).id
        bare = add_subscriber(s, channels=[("console", "b")], topics=[]).id
        watch = w.add_watch(s, sub, "央行").id
        paused = w.add_watch(s, sub, "通州", active=False).id
        s.commit()
    return {"sub": sub, "bare": bare, "watch": watch, "paused": paused}


WRITES = {
    "add": lambda s, ids: w.add_watch(s, ids["sub"], "数字货币"),
    "edit": lambda s, ids: w.update_watch(s, ids["watch"], query="数字人民币"),
    "filters": lambda s, ids: w.update_watch(s, ids["watch"], sources=["pbc"]),
    "pause": lambda s, ids: w.set_watch_active(s, ids["watch"], False),
    "resume": lambda s, ids: w.set_watch_active(s, ids["paused"], True),
    "remove": lambda s, ids: w.remove_watch(s, ids["watch"]),
    "remove its subscriber": lambda s, ids: remove_subscriber(s, ids["sub"]),
    "bump": lambda s, ids: w.bump_watches_version(s),
}
NO_CHANGE = {
    "pause a paused watch": lambda s, ids: w.set_watch_active(s, ids["paused"], False),
    "remove no watch": lambda s, ids: w.remove_watch(s, 999),
    "edit no watch": lambda s, ids: w.update_watch(s, 999, query="x"),
    "remove a subscriber without watches": lambda s, ids: remove_subscriber(s, ids["bare"]),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_to_watches_gives_a_version_another_session_sees(db, write):
    """What the ingest process relies on: its own session, open all along, reads a new version
    after any write to the watches is committed elsewhere (twice: no value comes back)."""
    with every_watch_write_bumps():
        ids = _setup(db)
        with db.session() as reader:
            before = w.watches_version(reader)
            reader.commit()
            with db.session() as s:
                WRITES[write](s, ids)
                s.commit()
            after = w.watches_version(reader)
            reader.commit()
            assert after not in ("", before)
            with db.session() as s:
                w.bump_watches_version(s)
                s.commit()
            assert w.watches_version(reader) not in (before, after)


@pytest.mark.parametrize("write", list(NO_CHANGE))
def test_writes_that_change_no_watch_leave_the_version(db, write):
    ids = _setup(db)
    with db.session() as s:
        before = w.watches_version(s)
        NO_CHANGE[write](s, ids)
        s.commit()
        assert w.watches_version(s) == before


def test_the_version_is_empty_before_the_first_write_and_made_by_it(db):
    with db.session() as s:
        assert w.watches_version(s) == ""
        sub = add_subscriber(s, channels=[("console", "a")], topics=[]).id
        w.add_watch(s, sub, "央行")
        s.commit()
        first = w.watches_version(s)
        assert first
        w.bump_watches_version(s)
        s.rollback()  # a write rolled back leaves the version as it was
        assert w.watches_version(s) == first


def test_the_guard_catches_a_watch_write_without_a_bump(db):
    """every_watch_write_bumps (used by the processor's watch tests) fails on a raw write."""
    ids = _setup(db)
    with pytest.raises(AssertionError, match="without bumping"), every_watch_write_bumps():
        with db.session() as s:
            s.execute(w.Watch.__table__.update().where(w.Watch.id == ids["watch"]).values(active=False))
            s.commit()


# SQLite: a SCAN of the table; PostgreSQL: a Seq Scan (asked with sequential scans off, as a tiny
# table would be scanned whatever indexes it has).
WHOLE = {"sqlite": re.compile(r"\bSCAN\b"), "postgresql": re.compile(r"Seq Scan")}


def test_reading_the_version_is_one_primary_key_lookup(db):
    _setup(db)
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    with db.session() as s:
        s.connection()  # begin first: only the version read is recorded
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            w.watches_version(s)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) == 1
    sql, params = seen[0]
    dialect = db.engine.dialect.name
    with db.engine.connect() as conn:
        if dialect == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
        prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
        plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql(prefix + sql, params))
    assert "settings" in sql and not WHOLE[dialect].search(plan), plan
    assert ("PRIMARY KEY" in plan or "autoindex" in plan) if dialect == "sqlite" else "settings_pkey" in plan
