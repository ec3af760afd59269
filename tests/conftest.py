"""Shared fixtures: the sample sites on 127.0.0.1, each in its own process."""

import uuid

import pytest

from tests.helpers import MockSiteProcess, ensure_postgres


@pytest.fixture(scope="session")
def mocksite():
    site = MockSiteProcess()
    yield site
    site.stop()


@pytest.fixture
def fresh_mocksite():
    """Sample sites of one's own, for tests that edit pages."""
    site = MockSiteProcess()
    yield site
    site.stop()


@pytest.fixture
def pg_database():
    """A fresh PostgreSQL database on 127.0.0.1:5432 (the server is started if it is down),
    dropped afterwards; skips with one line where PostgreSQL cannot be had."""
    url = ensure_postgres()
    if url is None:
        pytest.skip("PostgreSQL not available on 127.0.0.1:5432 (not running and could not be started)")
    import psycopg

    name = f"newsradar_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
