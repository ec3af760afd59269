"""stored_sources: the skip scan over the source index gives what SELECT DISTINCT would."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from storage import Article, Database, utcnow
from storage.queries import stored_sources


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path):
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path}/q.db")
    else:
        database = Database(request.getfixturevalue("pg_database"))
    database.migrate()
    yield database
    database.dispose()


def _add(db: Database, sources: list[str]) -> None:
    now = utcnow()
    rows = [
        dict(source=src, url=f"https://q.example/{k}", canonical_url=f"https://q.example/{k}", title="t",
             body_text="b", content_hash=str(k), tags=[], fetched_at=now)
        for k, src in enumerate(sources)
    ]  # fmt: skip
    with db.session() as s:
        s.execute(insert(Article), rows)
        s.commit()


def test_no_articles_no_sources(db):
    with db.session() as s:
        assert stored_sources(s) == []


def test_each_source_once_sorted_like_distinct(db):
    _add(db, ["pbc", "beijing_gov", "pbc", "eastmoney", "beijing_gov", "gov_cn", "pbc", "央行网"])
    with db.session() as s:
        got = stored_sources(s)
        expected = sorted(s.scalars(select(Article.source).distinct()))
    assert got == expected == sorted({"pbc", "beijing_gov", "eastmoney", "gov_cn", "央行网"})
