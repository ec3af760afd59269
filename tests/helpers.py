"""Test helpers: the sample sites on 127.0.0.1 and the real `newsradar` command line."""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright drives it, never downloads one
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip


class MockSiteProcess:
    """The sample sites in their own process, as a real remote site would be."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.mockserver", *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("mock server did not start")
        self.urls: dict[str, str] = json.loads(line)

    def __getitem__(self, name: str) -> str:
        return self.urls[name]

    def log(self, site: str) -> list[dict]:
        with urllib.request.urlopen(f"{self.urls[site]}/__log") as r:
            return json.loads(r.read())

    def reset(self) -> None:
        for name, url in self.urls.items():
            if name != "dead":
                urllib.request.urlopen(f"{url}/__reset").read()

    def bump(self, site: str, path: str) -> None:
        """Edit an article on the site: its text changes and its list entry shows a new date."""
        urllib.request.urlopen(f"{self.urls[site]}/__bump?path={path}").read()

    def add_article(self, site: str, title: str, text: str) -> None:
        """A new article appears at the top of the site's news column."""
        from urllib.parse import urlencode

        urllib.request.urlopen(f"{self.urls[site]}/__add?{urlencode({'title': title, 'text': text})}").read()

    def redesign(self, site: str, on: bool = True) -> None:
        """The site's list pages change layout (on) or go back to the old one (off)."""
        urllib.request.urlopen(f"{self.urls[site]}/__layout?redesigned={int(on)}").read()

    def fail(self, site: str, path: str, on: bool = True) -> None:
        """The page answers HTTP 500 (on) until told otherwise (off)."""
        urllib.request.urlopen(f"{self.urls[site]}/__fail?path={path}&on={int(on)}").read()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def sample_sources(site: MockSiteProcess, dead: bool = True) -> str:
    """[[sources]] for every sample site, as a user would configure the real ones."""
    from tests.mockserver.sites import PBC_SELECTORS

    pbc_selectors = "\n".join(f"{k} = {json.dumps(v)}" for k, v in PBC_SELECTORS.items())
    out = f'''
[[sources]]
name = "bj-yaowen"
kind = "beijing_gov"
start_urls = ["{site["bjgov"]}/ywdt/yaowen/"]
max_pages = 5

[[sources]]
name = "bj-zhengce"
kind = "beijing_gov"
start_urls = ["{site["bjgov"]}/zhengce/zhengcefagui/"]

[[sources]]
name = "bj-gbk"
kind = "beijing_gov"
start_urls = ["{site["bjgbk"]}/col/index.html"]

[[sources]]
name = "gov-zuixin"
kind = "gov_cn"
start_urls = ["{site["govcn"]}/zhengce/zuixin/ZUIXINZHENGCE.json"]

[[sources]]
name = "pbc-news"
kind = "generic"
tier = "official"
start_urls = ["{site["pbc"]}/goutongjiaoliu/113456/113469/index.html"]
[sources.selectors]
{pbc_selectors}

[[sources]]
name = "eastmoney"
kind = "eastmoney"
start_urls = ["{site["eastmoney"]}/a/cgnjj.html"]

[[sources]]
name = "finews-bjgov"
kind = "jekyll"
start_urls = ["{site["finews"]}/category/beijingshirenminzhengfuguanwang.html"]

[[sources]]
name = "finews-feed"
kind = "feed"
start_urls = ["{site["finews"]}/feed.xml"]
'''
    if dead:
        out += f'''
[[sources]]
name = "dead"
kind = "feed"
start_urls = ["{site["dead"]}/feed.xml"]
'''
    return out


def write_config(folder: Path, body: str, database: str | None = None, crawl: str = "") -> Path:
    """A config file with fast, polite-enough crawl settings for loopback tests (``crawl``: more
    [crawl] lines)."""
    path = folder / "newsradar.toml"
    db = database or fresh_database_url(folder)
    path.write_text(
        f'[database]\nurl = "{db}"\n\n[crawl]\ndelay = 0.0\nretry_backoff = 0.01\nretries = 1\nconcurrency_per_domain = 8\n'
        + crawl
        + body,
        encoding="utf-8",
    )
    return path


def run_cli(
    *args: str,
    config: Path | None = None,
    env: dict | None = None,
    timeout: int = 180,
    stdin: str | None = None,
):
    """Run the installed command line in a subprocess, as a user would."""
    cmd = [sys.executable, "-m", "newsradar"]
    if config is not None:
        cmd += ["--config", str(config)]
    full_env = {**os.environ, **(env or {})}
    full_env.pop("NEWSRADAR_CONFIG", None)
    return subprocess.run(
        [*cmd, *args], cwd=config.parent if config else ROOT, env=full_env, capture_output=True, text=True,
        timeout=timeout, input=stdin,
    )  # fmt: skip


def articles_json(config: Path, *args: str) -> list[dict]:
    out = run_cli("articles", "list", "--json", "--limit", "0", *args, config=config)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"


def ensure_postgres() -> str | None:
    """The admin DSN of the local PostgreSQL, starting the server once if it is down; None if unavailable."""
    try:
        import psycopg
    except ImportError:
        return None

    def up() -> bool:
        try:
            psycopg.connect(PG_ADMIN).close()
            return True
        except Exception:
            return False

    if up():
        return PG_ADMIN
    versions = sorted(Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").exists() else []
    if not versions:
        return None
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].name, "main", "start"],
        capture_output=True, timeout=60,
    )  # fmt: skip
    for _ in range(30):
        if up():
            return PG_ADMIN
        time.sleep(0.5)
    return None


def _create_postgres_database(prefix: str) -> str:
    """CREATE DATABASE with a fresh name on the local server; its name. RuntimeError where
    PostgreSQL cannot be had."""
    admin_dsn = ensure_postgres()
    if admin_dsn is None:
        raise RuntimeError(
            "PostgreSQL not available on 127.0.0.1:5432 (not running and could not be started)"
        )
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


@contextmanager
def postgres_database(prefix: str = "newsradar_t") -> Iterator[str]:
    """A fresh PostgreSQL database (its SQLAlchemy URL), dropped afterwards; RuntimeError where
    PostgreSQL cannot be had (scripts say so; tests skip, see scratch_postgres)."""
    name = _create_postgres_database(prefix)
    try:
        yield _postgres_url(name)
    finally:
        _drop_postgres_database(name)


@contextmanager
def scratch_postgres(prefix: str = "newsradar_t") -> Iterator[str]:
    """A fresh PostgreSQL database (its SQLAlchemy URL), dropped afterwards; skips the test with one
    line where PostgreSQL cannot be had."""
    import pytest

    try:
        database = postgres_database(prefix)
        url = database.__enter__()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    try:
        yield url
    finally:
        database.__exit__(None, None, None)


# The PostgreSQL pass (`make test-postgres`): with this variable set, fresh_database_url gives each
# caller a new database on that server instead of a SQLite file. Only the server on 127.0.0.1:5432
# (the one ensure_postgres starts) is supported; the variable's value documents it.
TEST_DATABASE_ENV = "NEWSRADAR_TEST_DATABASE_URL"

# Filled by tests/conftest.py's hooks: the scope of the fixture being set up (innermost last), the
# databases made under each scope (dropped when that scope ends), and whether the running test (or
# the fixture named) asked for a database.
FIXTURE_STACK: list[tuple[str, str]] = []
CREATED: dict[str, list[str]] = {}
DATABASE_USERS: set[str] = set()


def postgres_pass() -> bool:
    """True in the PostgreSQL pass of the suite (NEWSRADAR_TEST_DATABASE_URL is set)."""
    return bool(os.environ.get(TEST_DATABASE_ENV))


def fresh_database_url(folder: Path | str, name: str = "newsradar.db") -> str:
    """The database URL a test (or fixture) should use: a SQLite file ``folder/name`` normally; in
    the PostgreSQL pass a new, empty database of its own on the server, dropped when the test (or
    the module/session fixture that asked) ends. Skips the test with one line where PostgreSQL
    cannot be had. Use it wherever a test would write ``f"sqlite:///{tmp_path / 'x.db'}"``."""
    scope, fixture = FIXTURE_STACK[-1] if FIXTURE_STACK else ("function", "")
    DATABASE_USERS.add(fixture or "<test>")
    if not postgres_pass():
        return f"sqlite:///{Path(folder) / name}"
    try:
        db = _next_database()
    except RuntimeError as exc:
        import pytest

        pytest.skip(str(exc))
    CREATED.setdefault(scope, []).append(db)
    return _postgres_url(db)


# CREATE DATABASE and DROP DATABASE take ~0.3 s each here: one database is made ahead and the
# drops run behind, each on a thread of its own, so a test waits for neither.
_MAKER = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pg-pass-create")
_DROPPER = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pg-pass-drop")
_ahead: list[concurrent.futures.Future] = []


def _next_database() -> str:
    if not _ahead:
        _ahead.append(_MAKER.submit(_create_postgres_database, "newsradar_pass"))
    name = _ahead.pop().result()
    _ahead.append(_MAKER.submit(_create_postgres_database, "newsradar_pass"))
    return name


def drop_fresh_databases(scopes: tuple[str, ...], wait: bool = False) -> None:
    """Drop the PostgreSQL databases fresh_database_url made under these fixture scopes (``wait``:
    also the one made ahead, and wait until every drop is done: the end of the run)."""
    names = [db for scope in scopes for db in CREATED.pop(scope, [])]
    if wait:
        for future in _ahead:
            if future.exception() is None:
                names.append(future.result())
        _ahead.clear()
    drops = [_DROPPER.submit(_drop_postgres_database, db) for db in names]
    if wait:
        concurrent.futures.wait(drops)


def config_database_url(config: Path) -> str:
    """The database URL a config file points at (relative SQLite paths resolved as the CLI does):
    for tests that open the database a config written by write_config uses."""
    from newsradar.config import load

    return load(config).database_url
