"""Shared fixtures: the sample sites on 127.0.0.1, each in its own process."""

import pytest

from tests.helpers import MockSiteProcess, scratch_postgres


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
    with scratch_postgres() as url:
        yield url
