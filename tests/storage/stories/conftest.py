"""Fixtures for story grouping: a migrated temporary SQLite database and a session on it."""

from __future__ import annotations

import pytest

from storage import Database


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/t.db")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def session(db):
    with db.session() as s:
        yield s
