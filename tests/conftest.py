"""Shared fixtures: the sample sites on 127.0.0.1, each in its own process."""

import pytest

from tests.helpers import MockSiteProcess


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
