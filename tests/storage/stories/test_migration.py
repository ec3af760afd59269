"""Migration 0012 on an archive built at 0011: the MinHash tables go, the stored articles are
fingerprinted by the step it asks for (ensure_story_index), and new copies join the old stories."""

from __future__ import annotations

import logging

from alembic import command
from sqlalchemy import func, insert, inspect, select, text

from processor import stories as story_policy
from storage import Article, Database, Fingerprint, FingerprintCount, Story, utcnow
from storage.db import alembic_config
from storage.state import get_setting

from .util import EM_SHORT, GOV_FULL, add, body

OLD = [GOV_FULL, body(range(70, 100)), body(range(10, 40)), "央行今日开展逆回购操作。"]


def archive_at_0011(url: str) -> Database:
    db = Database(url)
    command.upgrade(alembic_config(url), "0011")
    now = utcnow()
    with db.engine.begin() as conn:
        conn.execute(
            insert(Article),
            [
                {"id": n, "source": "gov", "url": f"https://old/{n}", "canonical_url": f"https://old/{n}",
                 "title": "t", "body_text": b, "content_hash": str(n), "fetched_at": now, "tags": []}
                for n, b in enumerate(OLD, 1)
            ],
        )  # fmt: skip
        conn.execute(
            insert(Story),
            [{"id": n, "lead_article_id": n, "created_at": now, "updated_at": now} for n in (1, 2, 3, 4)],
        )
        conn.execute(text("UPDATE articles SET story_id = id"))
        conn.execute(text("INSERT INTO article_signatures VALUES (1, 10, x'00', x'00')"))
        conn.execute(text("INSERT INTO lsh_buckets VALUES (12345, 1)"))
    return db


def count(db: Database, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_0012_moves_an_archive_to_the_fingerprint_index(tmp_path, monkeypatch, caplog):
    db = archive_at_0011(f"sqlite:///{tmp_path}/old.db")
    db.migrate()
    tables = set(inspect(db.engine).get_table_names())
    assert {"fingerprints", "fingerprint_counts"} <= tables
    assert not {"article_signatures", "lsh_buckets"} & tables
    assert count(db, Fingerprint) == 0  # only the tables: the processor fingerprints

    monkeypatch.setattr(story_policy, "BATCH", 2)
    with caplog.at_level(logging.INFO, logger="processor.stories"):
        assert story_policy.ensure_story_index(db) == 4
    assert "story index: 2/4 articles" in caplog.text and "story index: 4/4 articles" in caplog.text
    assert story_policy.ensure_story_index(db) == 0  # done: one settings read from now on
    assert count(db, FingerprintCount) == 4 and count(db, Fingerprint) > 0
    with db.session() as s:
        assert not get_setting(s, story_policy.BACKFILL_KEY)
        assert add(s, EM_SHORT).story_id == 1
        assert add(s, "【转载】" + body(range(70, 100))).story_id == 2
        assert add(s, body(range(40, 60))).story_id not in (1, 2, 3, 4)
    db.dispose()


def test_an_interrupted_fill_resumes_where_it_stopped(tmp_path, monkeypatch):
    db = archive_at_0011(f"sqlite:///{tmp_path}/old.db")
    db.migrate()
    monkeypatch.setattr(story_policy, "BATCH", 2)
    real = story_policy.stories.unindexed_articles
    calls = []

    def stop_after_one_batch(*args):
        calls.append(args[1])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(story_policy.stories, "unindexed_articles", stop_after_one_batch)
    try:
        story_policy.ensure_story_index(db)
    except KeyboardInterrupt:
        pass
    monkeypatch.setattr(story_policy.stories, "unindexed_articles", real)
    assert count(db, FingerprintCount) == 2
    assert story_policy.ensure_story_index(db) == 2  # the other two, none twice
    assert count(db, FingerprintCount) == 4
    db.dispose()


def test_downgrade_to_0011_and_back(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    db = archive_at_0011(url)
    db.migrate()
    command.downgrade(alembic_config(url), "0011")
    tables = set(inspect(db.engine).get_table_names())
    assert {"article_signatures", "lsh_buckets"} <= tables and "fingerprints" not in tables
    db.migrate()
    assert story_policy.ensure_story_index(db) == 4
    db.dispose()
