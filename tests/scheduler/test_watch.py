"""The source watch on recorded crawls: failing after N runs, blocked at once, quiet after 4x the
usual gap; one transition per change (an alert, then a recovery), never one per run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduler.settings import HealthSettings
from scheduler.watch import watch_sources, watch_state
from storage import CrawlRun, Database
from storage.articles import write_article
from storage.health import record_run
from tests.helpers import fresh_database_url

OK = {"list_items": 10, "requests": 11}
BROKEN = {"list_items": 0, "requests": 1}
HEALTH = HealthSettings(failing_after=3)


def _db(tmp_path) -> Database:
    db = Database(fresh_database_url(tmp_path, "w.db"))
    db.migrate()
    return db


def _crawl(db, source: str, figures: dict, error: str | None = None) -> list:
    with db.session() as s:
        record_run(s, source, figures, error)
        s.commit()
        changes = watch_sources(s, {source: f"Title of {source}"}, HEALTH)
        s.commit()
        return changes


def test_failing_source_one_alert_then_one_recovery(tmp_path):
    db = _db(tmp_path)
    assert _crawl(db, "a", OK) == []
    assert _crawl(db, "a", BROKEN, "list page yielded no items") == []
    assert _crawl(db, "a", BROKEN, "list page yielded no items") == []
    [alert] = _crawl(db, "a", BROKEN, "list page yielded no items")  # the third in a row
    assert alert.problem.kind == "failing" and "Title of a" in alert.subject() and "since" in alert.text()
    assert _crawl(db, "a", BROKEN) == [] and _crawl(db, "a", BROKEN) == []  # no alert per run
    with db.session() as s:
        assert watch_state(s, "a")["kind"] == "failing"
    [recovered] = _crawl(db, "a", OK)
    assert recovered.problem is None and "works again" in recovered.subject()
    assert _crawl(db, "a", OK) == []


def test_a_bot_challenge_is_reported_at_once(tmp_path):
    db = _db(tmp_path)
    [alert] = _crawl(db, "pbc", {**BROKEN, "blocked": 1}, "http://x/: blocked by the site's bot challenge")
    assert alert.problem.kind == "blocked" and alert.subject() == "newsradar: source Title of pbc is blocked"
    assert alert.problem.detail.startswith("blocked by the site's bot challenge: the site answers crawlers")
    # the word "challenge" in some other failure is no block: only the crawl's own count says so
    assert _crawl(db, "other", BROKEN, "http://x/: HTTP 404 (challenge cup page)") == []


def test_a_source_silent_for_four_times_its_rhythm_is_quiet(tmp_path):
    db = _db(tmp_path)
    now = datetime.now(UTC)
    with db.session() as s:
        for n in range(8):  # one article a day for a week, the last 5 days ago
            when = now - timedelta(days=12 - n)
            write_article(s, None, f"https://x/{n}", {"source": "daily", "canonical_url": f"https://x/{n}",
                          "title": str(n), "content_hash": str(n), "published_at": when, "fetched_at": when})  # fmt: skip
        s.commit()
    [alert] = _crawl(db, "daily", OK)
    assert alert.problem.kind == "quiet" and "96 h" in alert.problem.detail
    with db.session() as s:
        assert s.query(CrawlRun).count() == 1
