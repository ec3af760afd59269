"""Test helpers: the sample sites on 127.0.0.1 and the real `newsradar` command line."""

from __future__ import annotations

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
    db = database or "sqlite:///newsradar.db"
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


@contextmanager
def scratch_postgres(prefix: str = "newsradar_t") -> Iterator[str]:
    """A fresh PostgreSQL database (its SQLAlchemy URL), dropped afterwards; skips the test with one
    line where PostgreSQL cannot be had."""
    import pytest

    url = ensure_postgres()
    if url is None:
        pytest.skip("PostgreSQL not available on 127.0.0.1:5432 (not running and could not be started)")
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
