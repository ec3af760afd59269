"""Backoff and give-up of failed article URLs (storage.retries)."""

from __future__ import annotations

from datetime import timedelta

from storage import Database, utcnow
from storage.retries import (
    MAX_ATTEMPTS,
    clear_retries,
    due_retries,
    record_failure,
    retry_backoff,
    retry_counts,
)
from tests.helpers import fresh_database_url


def test_backoff_doubles_to_twelve_hours_then_gives_up():
    waits = [retry_backoff(n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert waits[:4] == [timedelta(minutes=m) for m in (15, 30, 60, 120)]
    assert waits[MAX_ATTEMPTS - 2] == timedelta(hours=12)
    assert waits[-1] is None


def test_failures_come_due_then_are_given_up_and_cleared(tmp_path):
    db = Database(fresh_database_url(tmp_path, "r.db"))
    db.migrate()
    now = utcnow()
    with db.session() as s:
        record_failure(s, "a", "http://x/1", "HTTP 500", title="一", now=now)
        record_failure(s, "a", "http://x/2", "HTTP 500", now=now)
        s.commit()
        assert due_retries(s, "a", now) == []
        assert {r.url for r in due_retries(s, "a", now + timedelta(minutes=16))} == {
            "http://x/1",
            "http://x/2",
        }
        for _ in range(MAX_ATTEMPTS - 1):
            row = record_failure(s, "a", "http://x/1", "still broken", now=now)
        s.commit()
        assert row.attempts == MAX_ATTEMPTS and row.next_try_at is None and row.title == "一"
        assert [r.url for r in due_retries(s, "a", now + timedelta(days=30))] == ["http://x/2"]
        assert retry_counts(s, ["a", "b"]) == {"a": {"waiting": 1, "given_up": 1}}
        many = [f"s{i}" for i in range(450)] + ["a"]  # past one statement's 400 sources
        assert retry_counts(s, many) == {"a": {"waiting": 1, "given_up": 1}}
        assert clear_retries(s, ["http://x/1", "http://x/3"]) == 1
        s.commit()
        assert retry_counts(s, ["a", "b"]) == {"a": {"waiting": 1, "given_up": 0}}
