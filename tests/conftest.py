"""Shared fixtures: the sample sites on 127.0.0.1, each in its own process."""

import pytest

from tests.helpers import CHROMIUM, CHROMIUM_ARGS, MockSiteProcess, scratch_postgres


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


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Playwright (never a downloaded browser), one per test
    module: sync Playwright keeps an event loop running in this thread while it lives, which
    would break every later test that calls asyncio.run, and only one can run at a time."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
