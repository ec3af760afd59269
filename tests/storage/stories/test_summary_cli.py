"""story_summary / list_stories, and `newsradar stories list|show` on top of them."""

from __future__ import annotations

import io
import json
from argparse import Namespace
from datetime import UTC, datetime

from storage import Database, Story, story_views
from tests.helpers import fresh_database_url, run_cli, write_config

from .util import EM_SHORT, GOV_FULL, add, body, minutes


def seed(session):
    gov = add(
        session, GOV_FULL, source="北京市人民政府", tier=0, published_at=minutes(47), topics=("sub_center",)
    )
    em = add(session, EM_SHORT, source="eastmoney", tier=1, published_at=minutes(40), topics=("fintech",))
    other = add(session, body(range(60, 80)), source="sina", tier=2, published_at=None)
    return gov, em, other


def test_story_summary_shape(session):
    gov, em, _ = seed(session)
    summary = story_views.story_summary(session, gov.story_id)
    assert summary["id"] == gov.story_id
    assert summary["lead"]["id"] == gov.article_id
    assert set(summary["lead"]) == {"id", "title", "url", "source", "published_at"}
    assert [a["id"] for a in summary["articles"]] == [gov.article_id, em.article_id]
    assert set(summary["articles"][0]) >= {"id", "title", "url", "source", "origin", "published_at", "tier"}
    assert summary["sources"] == ["北京市人民政府", "eastmoney"]
    assert summary["topics"] == ["fintech", "sub_center"]
    assert summary["first_published_at"] == minutes(40)


def test_list_stories_newest_first_since_and_limit(session):
    gov, em, other = seed(session)
    listed = story_views.list_stories(session, since=None, limit=10)
    assert [s["id"] for s in listed] == [other.story_id, gov.story_id]
    assert [s["id"] for s in story_views.list_stories(session, since=None, limit=1)] == [other.story_id]
    assert story_views.list_stories(session, since=datetime(2999, 1, 1, tzinfo=UTC), limit=10) == []
    undated = next(s for s in listed if s["id"] == other.story_id)
    assert undated["first_published_at"] is None


def context(tmp_path, url):
    """The real CLI context over the fixture database, printing into a buffer."""
    from newsradar.context import Context

    config = write_config(tmp_path, "", database=url)
    return Context(str(config), out=io.StringIO())


def test_command_functions(db, tmp_path):
    from newsradar.commands.stories import run_list, run_show

    with db.session() as s:
        gov, em, _ = seed(s)
    ctx = context(tmp_path, db.url)
    assert run_show(Namespace(id=gov.story_id, json=True), ctx) == 0
    shown = json.loads(ctx.out.getvalue())
    assert shown["lead"]["published_at"] == "2022-02-11T12:47:00+08:00"
    assert shown["sources"] == ["北京市人民政府", "eastmoney"]
    ctx = context(tmp_path, db.url)
    assert run_list(Namespace(since=None, limit=10, json=True), ctx) == 0
    lines = ctx.out.getvalue().splitlines()
    assert len(lines) == 2 and all(json.loads(line)["id"] for line in lines)
    ctx = context(tmp_path, db.url)
    assert run_show(Namespace(id=9999, json=False), ctx) == 1


def test_cli_list_and_show(tmp_path):
    url = fresh_database_url(tmp_path, "cli.db")
    db = Database(url)
    db.migrate()
    with db.session() as s:
        gov, _, other = seed(s)
        story_count = s.query(Story).count()
    db.dispose()
    config = write_config(tmp_path, "", database=url)
    out = run_cli("stories", "list", "--json", config=config)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == story_count == 2
    assert rows[1]["lead"]["source"] == "北京市人民政府"  # ensure_ascii=False keeps Chinese readable
    assert "北京市人民政府" in out.stdout
    today = datetime.now(UTC).date().isoformat()
    out = run_cli("stories", "list", "--since", today, "--limit", "1", config=config)
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 1
    out = run_cli("stories", "show", str(gov.story_id), config=config)
    assert out.returncode == 0, out.stderr
    assert "2022-02-11 12:47 北京时间" in out.stdout and "eastmoney" in out.stdout
    out = run_cli("stories", "list", "--since", "not-a-date", config=config)
    assert out.returncode == 2
