"""Fixtures for story grouping: a migrated temporary database (SQLite, or PostgreSQL in the PostgreSQL pass) and a session on it."""

from __future__ import annotations

import pytest

from storage import Database
from tests.helpers import fresh_database_url


@pytest.fixture
def db(tmp_path):
    database = Database(fresh_database_url(tmp_path, "t.db"))
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def session(db):
    with db.session() as s:
        yield s
