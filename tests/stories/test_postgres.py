"""The same grouping on PostgreSQL (plain-SQL hot path, paramstyle and bytea), in a private schema."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from storage import Database, stories

from .test_variations import BASE, OTHER, with_widgets
from .util import EM_SHORT, GOV_FULL, add

pytestmark = pytest.mark.postgres
URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_db():
    schema = f"stories_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(URL)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # no server here: the SQLite tests cover the logic
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    db = Database(f"{URL}?options=-csearch_path%3D{schema}")
    db.migrate()
    yield db
    db.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_pair_and_variants_on_postgres(pg_db):
    with pg_db.session() as s:
        short = add(s, EM_SHORT, tier=1)
        full = add(s, GOV_FULL, tier=0)
        base = add(s, BASE)
        other = add(s, OTHER)
        copy = add(s, with_widgets(BASE))
        assert short.story_id == full.story_id
        assert copy.story_id == base.story_id != other.story_id
        summary = stories.story_summary(s, full.story_id)
        assert summary["lead"]["id"] == full.article_id
    with pg_db.session() as s:  # a new session reads the stored signatures
        again = add(s, "【转载】" + OTHER)
        assert again.story_id == other.story_id
