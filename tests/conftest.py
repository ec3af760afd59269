"""Shared fixtures: the sample sites on 127.0.0.1, each in its own process; the hooks of the
PostgreSQL pass (tests.helpers.fresh_database_url)."""

import os
import tempfile

import pytest

from tests import helpers
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, MockSiteProcess, postgres_pass, scratch_postgres

# The tests that took a database from fresh_database_url in the last SQLite run (node id -> bool),
# merged run after run in pytest's cache: the PostgreSQL pass runs those (and tests not seen yet)
# and leaves out the rest, which open no database of the pass and so give the same result on
# either backend.
RECORD_KEY = "newsradar/database-tests"


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    helpers.FIXTURE_STACK.append((fixturedef.scope, _fixture_key(fixturedef)))
    try:
        return (yield)
    finally:
        helpers.FIXTURE_STACK.pop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    helpers.DATABASE_USERS.discard("<test>")
    try:
        return (yield)
    finally:
        used = "<test>" in helpers.DATABASE_USERS or bool(helpers.DATABASE_USERS & _fixture_keys(item))
        item.config.stash.setdefault(_record, {})[item.nodeid] = used


def _fixture_key(fixturedef) -> str:
    """A fixture told apart from others of the same name (several conftests define `db`)."""
    return f"{fixturedef.baseid}::{fixturedef.argname}"


def _fixture_keys(item) -> set[str]:
    """The fixtures the test uses (the definitions it resolves to, its own and theirs)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    return {_fixture_key(defs[-1]) for defs in info.name2fixturedefs.values() if defs}


_record = pytest.StashKey[dict]()
_left_out = pytest.StashKey[int]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        helpers.drop_fresh_databases(("function",))
        if nextitem is None or nextitem.path != item.path:
            helpers.drop_fresh_databases(("class", "module"))


def pytest_sessionfinish(session):
    helpers.drop_fresh_databases(tuple(helpers.CREATED), wait=True)
    cache = getattr(session.config, "cache", None)
    seen = session.config.stash.get(_record, {})
    if cache is not None and seen and not postgres_pass():
        cache.set(RECORD_KEY, {**cache.get(RECORD_KEY, {}), **seen})


def pytest_collection_modifyitems(config, items):
    """In the PostgreSQL pass: skip the SQLite-only tests, leave out the tests that took no
    database in the last SQLite run and those that run against PostgreSQL in both passes."""
    if not postgres_pass():
        return
    cache = getattr(config, "cache", None)
    record = cache.get(RECORD_KEY, {}) if cache is not None else {}
    kept, left = [], []
    for item in items:
        if item.get_closest_marker("postgres") or record.get(item.nodeid) is False:
            left.append(item)
            continue
        marker = item.get_closest_marker("sqlite_only")
        if marker:
            reason = marker.args[0] if marker.args else "SQLite-specific"
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))
        kept.append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept
    config.stash[_left_out] = len(left)


def pytest_configure(config):
    """The PostgreSQL pass makes its databases on the local server only: another URL is refused
    with one line rather than tested against the wrong server."""
    value = os.environ.get(helpers.TEST_DATABASE_ENV)
    if value:
        from sqlalchemy.engine import make_url

        url = make_url(value)
        if url.get_backend_name() != "postgresql" or (url.host, url.port or 5432) != ("127.0.0.1", 5432):
            raise pytest.UsageError(
                f"{helpers.TEST_DATABASE_ENV}={value}: the PostgreSQL pass supports only the server at "
                "postgresql+psycopg://postgres@127.0.0.1:5432 (trust authentication)"
            )


def pytest_report_header(config):
    if postgres_pass():
        return [
            f"PostgreSQL pass ({helpers.TEST_DATABASE_ENV} is set): tests.helpers.fresh_database_url gives "
            "each test a fresh PostgreSQL database"
        ]
    return None


def pytest_terminal_summary(terminalreporter, config):
    if postgres_pass():
        left = config.stash.get(_left_out, 0)
        terminalreporter.write_line(
            f"PostgreSQL pass: {left} tests left out (they took no database from fresh_database_url in the "
            "last SQLite run, or already run against PostgreSQL there)"
        )


@pytest.fixture(scope="session", autouse=True)
def _own_cache_dir():
    """The classifier's cache goes to a folder of the test run's own (inherited by every command the
    tests start), never to the user's ~/.cache."""
    with tempfile.TemporaryDirectory(prefix="newsradar-cache-") as folder:
        old = os.environ.get("NEWSRADAR_CACHE_DIR")
        os.environ["NEWSRADAR_CACHE_DIR"] = folder
        yield
        if old is None:
            os.environ.pop("NEWSRADAR_CACHE_DIR", None)
        else:
            os.environ["NEWSRADAR_CACHE_DIR"] = old


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
