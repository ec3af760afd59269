"""The same grouping on PostgreSQL (plain-SQL hot path, paramstyle and bytea), in a private schema."""

from __future__ import annotations

import pytest

from storage import Database, story_views

from .test_variations import BASE, OTHER, with_widgets
from .util import EM_SHORT, GOV_FULL, add

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_db(pg_database):
    db = Database(pg_database)
    db.migrate()
    yield db
    db.dispose()


def test_pair_and_variants_on_postgres(pg_db):
    with pg_db.session() as s:
        short = add(s, EM_SHORT, tier=1)
        full = add(s, GOV_FULL, tier=0)
        base = add(s, BASE)
        other = add(s, OTHER)
        copy = add(s, with_widgets(BASE))
        assert short.story_id == full.story_id
        assert copy.story_id == base.story_id != other.story_id
        summary = story_views.story_summary(s, full.story_id)
        assert summary["lead"]["id"] == full.article_id
    with pg_db.session() as s:  # a new session reads the stored signatures
        again = add(s, "【转载】" + OTHER)
        assert again.story_id == other.story_id
