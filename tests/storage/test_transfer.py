"""`newsradar db copy --to URL`: a SQLite archive moved to PostgreSQL keeps every row, id, delivery
state and search hit; the target's sequences continue after the copied ids; a non-empty target is
refused before anything is written."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text

from search import search
from storage import Article, Base, Database, DatabaseError, deliveries
from storage.transfer import copy_database
from tests.helpers import scratch_postgres
from tests.notifiers.helpers import article, ingest, make_env, subscribe
from tests.web.helpers import fixture_articles

QUERIES = ("数字人民币", "绿色金融", "城市副中心", "人民银行 -数字人民币", "实施意见")


def _archive(tmp_path):
    """A SQLite archive as a crawl leaves it: articles through the real Ingestor and classifier
    (stories, copies, a policy document, a revision), subscribers, and deliveries in every state."""
    env = make_env(tmp_path)
    subscribe(env, [("console", "c1"), ("email", "a@example.org")], ["fintech", "digital_currency"])
    subscribe(env, [("console", "c2")], ["sub_center", "green_finance"])
    items = fixture_articles()
    ingest(env, items)
    edited = items[0]
    edited.body_text += "（本文已更新）"
    ingest(env, [edited])
    with env.db.session() as s:
        ids = deliveries.claim(s, "w1", lease=60, max_channels=1)
    with env.db.session() as s:
        deliveries.mark_sent(s, ids[:2], "w1")
        deliveries.mark_dead(s, ids[2:3], "w1", "gone")
        deliveries.mark_retry(s, ids[3:], "w1", "flaky", max_attempts=5, backoff_base=60, backoff_max=600)
    return env


def _rows(db: Database) -> dict[str, list[tuple]]:
    with db.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


def _hits(db: Database) -> dict[str, tuple]:
    with db.session() as s:
        out = {}
        for q in QUERIES:
            page = search(s, q, limit=50)
            out[q] = (page.total, sorted((h.article_id, h.story_id, h.title) for h in page.hits))
        return out


@pytest.mark.postgres
@pytest.mark.sqlite_only("the archive copied is a SQLite one")
def test_copy_sqlite_archive_to_postgresql(tmp_path):
    env = _archive(tmp_path)
    before, hits_before = _rows(env.db), _hits(env.db)
    assert len(before["articles"]) >= 28 and before["stories"] and len(before["subscribers"]) == 2
    assert {r[1] for r in _statuses(env.db)} == {"pending", "sent", "dead"}
    assert all(hits_before[q][0] > 0 for q in QUERIES), hits_before
    with scratch_postgres() as url:
        done = env.run("db", "copy", "--to", url, "--batch", "7")
        assert done.returncode == 0, done.stderr
        assert f"copy: articles {len(before['articles'])}/{len(before['articles'])}" in done.stderr
        assert "copy: search index" in done.stderr and "copied" in done.stdout
        target = Database(url)
        try:
            assert _rows(target) == before
            assert _hits(target) == hits_before
            assert _statuses(target) == _statuses(env.db)
            # a second copy into the now full database is refused with one line, nothing written
            again = env.run("db", "copy", "--to", url)
            assert again.returncode == 3
            assert again.stderr.strip().count("\n") == 0 and "is not empty" in again.stderr
            with pytest.raises(DatabaseError, match="not empty"):
                copy_database(env.db, target)
            assert _rows(target) == before
            # the sequences continue after the copied ids: new rows get fresh ones
            # PostgreSQL to PostgreSQL carries the tsvectors as they are
            with scratch_postgres() as url2:
                second = Database(url2)
                try:
                    copy_database(target, second, batch=9)
                    assert _rows(second) == before and _hits(second) == hits_before
                finally:
                    second.dispose()
            _ingest_new(tmp_path / "pg", url, before)
        finally:
            target.dispose()


def _statuses(db: Database) -> list[tuple]:
    from storage import Delivery

    with db.session() as s:
        return list(s.execute(select(Delivery.id, Delivery.status, Delivery.attempts).order_by(Delivery.id)))


def _ingest_new(folder, url: str, before: dict[str, list[tuple]]) -> None:
    """A new article stored on the target gets an id past every copied one (and so do its story
    and deliveries), instead of failing on a duplicate key."""
    folder.mkdir()
    pg_env = make_env(folder, database_url=url)
    subscribe(pg_env, [("console", "c3")], ["fintech"])
    try:
        result = ingest(pg_env, [article(999, "fintech")])[0]
        assert result.article_id == max(r[0] for r in before["articles"]) + 1
        with pg_env.db.session() as s:
            stored = s.get(Article, result.article_id)
            assert stored.story_id > max(r[0] for r in before["stories"])
        rows = _rows(pg_env.db)
        assert len(rows["deliveries"]) > len(before["deliveries"])
        assert (
            min(r[0] for r in rows["deliveries"][len(before["deliveries"]) :]) > before["deliveries"][-1][0]
        )
    finally:
        pg_env.db.dispose()


@pytest.mark.postgres
def test_copy_refuses_postgresql_to_sqlite_and_itself(tmp_path):
    env = _archive(tmp_path)
    with pytest.raises(DatabaseError, match="target is the source"):
        copy_database(env.db, Database(str(env.db.url)))
    with scratch_postgres() as url:
        pg = Database(url)
        try:
            pg.migrate()
            with pytest.raises(DatabaseError, match="PostgreSQL to SQLite is not supported"):
                copy_database(pg, Database(f"sqlite:///{tmp_path / 'back.db'}"))
        finally:
            pg.dispose()


@pytest.mark.sqlite_only("the archive copied is a SQLite one")
def test_copy_sqlite_to_sqlite_and_refusals(tmp_path):
    """The same copy into a new SQLite file (the FTS5 index filled from the stored tokens); a full
    target and a source with a table this version does not know are refused before any write."""
    env = _archive(tmp_path)
    target = Database(f"sqlite:///{tmp_path / 'copy.db'}")
    try:
        copied = copy_database(env.db, target, batch=5)
        before = _rows(env.db)
        assert copied["articles"] == len(before["articles"]) and copied["search index"] == len(
            before["articles"]
        )
        assert _rows(target) == before and _hits(target) == _hits(env.db)
        with pytest.raises(DatabaseError, match=r"copy\.db is not empty \(table \w+ has rows\)"):
            copy_database(env.db, target)
    finally:
        target.dispose()
    with env.db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE plugin_notes (id INTEGER PRIMARY KEY, note TEXT)"))
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        with pytest.raises(DatabaseError, match=r"tables this newsradar does not know \(plugin_notes\)"):
            copy_database(env.db, other)
        assert inspect(other.engine).get_table_names() == []  # refused before the target was touched
    finally:
        other.dispose()
