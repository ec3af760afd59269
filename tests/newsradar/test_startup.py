"""Commands that only read the database load none of the heavy libraries (Scrapy and Twisted,
Apprise's plugins, FastAPI, Alembic, jieba...): each costs a noticeable part of a second at
start-up, and `status` is what a worried user types first. The times themselves are measured
with `python -X importtime` and bench/all (goal: under 0.3 s), never asserted here."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from newsradar.cli import ALL, COMMANDS, build_parser, command_in
from tests.helpers import ROOT

HEAVY = (
    "scrapy", "twisted", "apprise", "fastapi", "uvicorn", "trafilatura", "alembic", "jieba", "matplotlib",
    "telegram", "pydantic", "ahocorasick",
)  # fmt: skip
ENV = {**{k: v for k, v in os.environ.items() if k != "NEWSRADAR_CONFIG"}, "PYTHONPATH": str(ROOT)}


def _imported(args: list[str], cwd, *, full: bool = False) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "newsradar", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        env=ENV,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    names = set()
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            names.add(name if full else name.split(".")[0])
    assert "newsradar" in names  # the trace is there: an empty set would prove nothing
    return names


@pytest.mark.parametrize("args", [["--help"], ["status"], ["subscribers", "list"], ["sources", "list"]])
def test_read_only_commands_load_no_heavy_library(tmp_path, args):
    init = subprocess.run(
        [sys.executable, "-m", "newsradar", "init"], cwd=tmp_path, capture_output=True, text=True,
        env=ENV, timeout=120,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    assert not set(HEAVY) & _imported(args, tmp_path)


def test_help_loads_no_database_layer(tmp_path):
    """`newsradar --help` lists every command from cli.COMMANDS without importing one."""
    loaded = _imported(["--help"], tmp_path)
    assert not {"sqlalchemy", "storage", "numpy", "crawler", "classifier", *HEAVY} & loaded


def test_status_loads_no_page_parser_and_no_search_package(tmp_path):
    """The config names each source's kind (crawler.adapters) without loading the parsers that read
    pages, and an archive whose search index is there does not load the search package."""
    init = subprocess.run(
        [sys.executable, "-m", "newsradar", "init"], cwd=tmp_path, capture_output=True, text=True,
        env=ENV, timeout=120,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    loaded = _imported(["status"], tmp_path, full=True)
    assert "crawler.adapters" in loaded  # the kinds were checked: the absence below means something
    assert not {"feedparser", "search", "numpy", "trafilatura"} & loaded
    # nor the senders and alert queries (notifiers.channels says which channels cannot send), nor
    # the full-text queries with the PostgreSQL dialect they load, on a SQLite archive
    assert "notifiers.channels" in loaded
    assert (
        not {"notifiers.senders", "notifiers.alerts", "storage.fulltext", "sqlalchemy.dialects.postgresql"}
        & loaded
    )


_STATUS_THEN_MAPPERS = """
import sys
from sqlalchemy import event
from sqlalchemy.orm import Mapper
configured = []
event.listen(Mapper, "before_configured", lambda: configured.append(True))
from newsradar.cli import main
code = main(["status"])
print("mappers configured:", bool(configured), file=sys.stderr)
sys.exit(code)
"""


def test_status_configures_no_orm_mapper(tmp_path):
    """`status` only reads: its queries run as Core on the tables, so the first of them does not
    configure every ORM mapper (a noticeable part of its start-up). Every row kind it shows is there."""
    from datetime import timedelta

    from sqlalchemy import insert

    import search
    from storage import (
        Article,
        Channel,
        CrawlRun,
        DaemonLease,
        Database,
        Delivery,
        Setting,
        Story,
        Subscriber,
    )
    from storage.retries import ArticleRetry
    from storage.types import utcnow
    from tests.helpers import config_database_url

    init = subprocess.run(
        [sys.executable, "-m", "newsradar", "init"], cwd=tmp_path, capture_output=True, text=True,
        env=ENV, timeout=120,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    db = Database(config_database_url(tmp_path / "newsradar.toml"))
    now = utcnow()
    with db.engine.begin() as conn:
        rows = {
            Story: [{"id": 1}],
            Article: [{"source": "bj-yaowen", "url": "https://a/1", "canonical_url": "https://a/1", "title": "t",
                       "content_hash": "1", "tags": [], "story_id": 1, "published_at": now - timedelta(days=1)}],
            CrawlRun: [{"source": "bj-yaowen", "list_items": 3, "new": 1}],
            ArticleRetry: [{"url": "https://a/2", "source": "bj-yaowen", "attempts": 1, "next_try_at": now}],
            Setting: [{"key": "watch:bj-yaowen", "value": {"kind": "failing", "since": now.isoformat(), "detail": "x"}}],
            DaemonLease: [{"name": "leader", "owner": "h:1:x", "pid": 1, "host": "h", "expires_at": now, "info": {}}],
            Subscriber: [{"id": 1, "name": "s"}],
            Channel: [{"id": 1, "subscriber_id": 1, "kind": "console", "address": "-", "active": False,
                       "deactivated_reason": "gone"}],
            Delivery: [{"subscriber_id": 1, "story_id": 1, "channel_id": 1, "status": "dead", "attempts": 5,
                        "last_error": "refused"}],
        }  # fmt: skip
        for model, values in rows.items():
            conn.execute(insert(model.__table__), values)
    search.ensure_index(db)  # as a crawl leaves it: else status builds the index (a write) first
    db.dispose()
    run = subprocess.run(
        [sys.executable, "-c", _STATUS_THEN_MAPPERS], cwd=tmp_path, capture_output=True, text=True,
        env=ENV, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    for shown in ("articles: 1   stories: 1", "1 failed article waiting for a retry", "admins told: failing",
                  "last seen: pid 1 on h", "inactive channels (1)", "dead alerts (latest 1)"):  # fmt: skip
        assert shown in run.stdout, run.stdout
    assert "mappers configured: False" in run.stderr, run.stderr[-2000:]


def test_classify_loads_no_database_layer_and_with_a_cached_dictionary_no_jieba(tmp_path):
    doc = tmp_path / "one.jsonl"
    doc.write_text(
        '{"id": 1, "title": "", "text": "人民银行推出碳减排支持工具，引导金融机构发放碳减排贷款。"}\n',
        encoding="utf-8",
    )
    cache = {"NEWSRADAR_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run(
        [sys.executable, "-m", "newsradar", "classify", "--jsonl", str(doc)], cwd=tmp_path,
        capture_output=True, text=True, env=ENV | cache, timeout=120,
    )  # fmt: skip
    assert first.returncode == 0 and '"green_finance"' in first.stdout, first.stderr[-2000:]
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "newsradar", "classify", "--jsonl", str(doc)],
        cwd=tmp_path, capture_output=True, text=True, env=ENV | cache, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0 and run.stdout == first.stdout, run.stderr[-2000:]
    loaded = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in run.stderr.splitlines() if "|" in line}
    assert "ahocorasick" in loaded  # the classifier did run in this process
    assert not {"sqlalchemy", "storage", "jieba", "scrapy"} & loaded


def test_command_summaries_match_what_each_command_registers():
    parser = build_parser(ALL)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    registered = {a.dest: a.help for a in sub._choices_actions}
    assert registered == {name: summary for name, (_, summary) in COMMANDS.items()}


@pytest.mark.parametrize(
    "argv, command",
    [
        (["status"], "status"),
        (["-vv", "--config", "status", "init", "--help"], "init"),
        (["--config=x.toml", "serve", "--port", "1"], "serve"),
        (["--help"], None),
        (["bogus"], None),
    ],
)
def test_only_the_named_command_is_loaded(argv, command):
    assert command_in(argv) == command


def test_schema_check_without_alembic_agrees_with_alembic(tmp_path):
    """head_revision() reads the migration files' text; Alembic's own answer must be the same,
    and a database one migration behind is not current by either, until migrate() runs."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from storage.db import Database, alembic_config, head_revision
    from tests.helpers import fresh_database_url

    url = fresh_database_url(tmp_path, "old.db")
    assert head_revision() == ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    db = Database(url)
    assert not db.is_current() and not db._alembic_is_current()  # no schema at all yet
    revisions = ScriptDirectory.from_config(alembic_config(url))
    command.upgrade(alembic_config(url), revisions.get_revision(head_revision()).down_revision)
    assert not db.is_current() and not db._alembic_is_current()
    db.migrate()
    assert db.is_current() and db._alembic_is_current()
    db.dispose()


def test_a_command_still_indexes_an_archive_from_before_the_search_index(tmp_path):
    """Context.db() imports the search package only when the index is missing: then it builds it."""
    from alembic import command
    from sqlalchemy import insert

    import search
    from newsradar.context import Context
    from storage import Article, Database
    from storage.db import alembic_config
    from storage.types import utcnow

    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "0004")
    old = Database(url)
    with old.engine.begin() as conn:
        conn.execute(
            insert(Article),
            [{"source": "gov", "url": "https://old/1", "canonical_url": "https://old/1", "title": "央行",
              "body_text": "数字人民币试点扩大。", "content_hash": "1", "fetched_at": utcnow(), "tags": []}],
        )  # fmt: skip
    old.dispose()
    config = tmp_path / "newsradar.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    ctx = Context(str(config))
    db = ctx.db(create=False)
    assert search.ensure_index(db) == 0  # already built by db(): nothing left to index
    with db.session() as s:
        assert search.search(s, "人民币试").total == 1
    db.dispose()
