"""Right answers from the read commands: filters checked, limits alike, times one way, no new database."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from storage import Article
from tests.notifiers.helpers import article, ingest, make_env

TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d 北京时间")


@pytest.fixture
def env(tmp_path):
    env = make_env(tmp_path)
    ingest(env, [article(1, "digital_currency"), article(2, "green_finance"), article(3, "sub_center")])
    undated = article(4, "fintech", title="无日期的金融科技新闻")
    undated.published_at = None
    ingest(env, [undated])
    with env.db.session() as s:  # fetched long before the others were published
        s.execute(update(Article).where(Article.title == "无日期的金融科技新闻")
                  .values(fetched_at=datetime(2020, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)))  # fmt: skip
        s.commit()
    return env


def test_unknown_topic_or_source_is_an_error_naming_the_known_ones(env):
    out = env.cli("articles", "list", "--topic", "nosuch", check=False)
    assert out.returncode == 2
    assert "unknown topic 'nosuch'" in out.stderr and "digital_currency" in out.stderr
    out = env.cli("articles", "list", "--source", "nosuch", check=False)
    assert out.returncode == 2
    assert "unknown source 'nosuch' (known: bj-yaowen)" in out.stderr


def test_valid_filters_with_nothing_found_say_no_articles_match(env):
    out = env.cli("articles", "list", "--topic", "fintech", "--since", "2030-01-01")
    assert out.stdout.strip() == "no articles match these filters"


def test_zero_limit_means_all_for_articles_and_stories(env):
    for group in ("articles", "stories"):
        rows = env.cli(group, "list", "--limit", "0").stdout.strip().splitlines()
        assert len(rows) == 4, rows
        assert len(env.cli(group, "list", "--limit", "2").stdout.strip().splitlines()) == 2


def test_undated_story_sorts_by_its_fetch_time(env):
    for group in ("stories", "articles"):
        rows = env.cli(group, "list").stdout.strip().splitlines()
        assert "无日期的金融科技新闻" in rows[-1], rows
        assert "2020-01-02 11:04 北京时间 (fetched; no date)" in rows[-1]


def test_one_time_convention_everywhere(env):
    texts = [env.cli(*args).stdout for args in (
        ("stories", "list"), ("articles", "list"), ("stories", "show", "1"), ("articles", "show", "1"),
    )]  # fmt: skip
    for text in texts:
        assert TIME.search(text), text
        assert not re.search(r"\d\d:\d\d:\d\d\.\d+|\dT\d\d:", text), text
    assert "2026-05-01 09:31 北京时间" in texts[0]
    js = env.cli("articles", "list", "--json").stdout
    assert '"fetched_at": "2020-01-02T11:04:05+08:00"' in js  # JSON: ISO with offset, whole seconds


@pytest.mark.sqlite_only("checks no .db file is created")
def test_read_only_commands_never_create_a_database(tmp_path):
    for args in (["status"], ["articles", "list"], ["stories", "list"], ["subscribers", "list"]):
        out = subprocess.run([sys.executable, "-m", "newsradar", *args], cwd=tmp_path, capture_output=True,
                             text=True, timeout=120)  # fmt: skip
        assert out.returncode == 3, out.stderr
        assert "no database yet" in out.stderr and "newsradar init" in out.stderr
        assert not (tmp_path / "newsradar.db").exists()
