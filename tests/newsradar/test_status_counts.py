"""`newsradar status` never reads a whole table (issue 20), and says so when a figure is not exact:
past storage.counts.COUNT_CAP a total is an estimate ("about"), and a count of rows that pile up
(alerts sent or skipped, retries given up) stops at the cap ("10000+"). Rows a user acts on
(alerts pending, sending, dead) are always counted exactly. The cap is lowered here so a few
rows stand for a big archive."""

from __future__ import annotations

import argparse
import io
import json
from datetime import timedelta

from sqlalchemy import insert, text

from newsradar.commands import status
from newsradar.context import Context
from storage import Channel, Database, Delivery, Story, Subscriber
from storage.retries import ArticleRetry
from storage.types import utcnow
from tests.helpers import config_database_url, write_config

SOURCE = '[[sources]]\nname = "a"\nkind = "feed"\nstart_urls = ["https://a.example/feed.xml"]\n'


def _archive(tmp_path):
    config = write_config(tmp_path, SOURCE)
    db = Database(config_database_url(config))
    db.migrate()
    now = utcnow()
    delivery = {"subscriber_id": 1, "channel_id": 1, "attempts": 1}  # a story each: one alert per story
    with db.engine.begin() as conn:
        rows = {
            Story: [{"id": i} for i in range(1, 9)],
            Subscriber: [{"id": 1, "name": "s"}],
            Channel: [{"id": 1, "subscriber_id": 1, "kind": "console", "address": "-"}],
            Delivery: [{**delivery, "story_id": i, "status": s}
                       for i, s in enumerate(["sent"] * 4 + ["dead"] * 3 + ["pending"], 1)],
            ArticleRetry: [{"url": f"https://a/{i}", "source": "a", "attempts": 8, "next_try_at": None}
                           for i in range(3)]
                          + [{"url": "https://a/w", "source": "a", "attempts": 1, "next_try_at": now + timedelta(hours=1)}],
        }  # fmt: skip
        for model, values in rows.items():
            conn.execute(insert(model.__table__), values)
        conn.execute(text("ANALYZE stories"))  # PostgreSQL's estimate as autovacuum keeps it
    db.dispose()
    return config


def _status(config, as_json: bool) -> str:
    out = io.StringIO()
    ctx = Context(str(config), out=out)
    try:
        assert status.run(argparse.Namespace(json=as_json), ctx) == 0
    finally:
        ctx.db().dispose()
    return out.getvalue()


def test_status_counts_exactly_under_the_cap(tmp_path):
    data = json.loads(_status(_archive(tmp_path), as_json=True))
    assert (data["stories"], data["stories_exact"]) == (8, True)
    assert (data["articles"], data["articles_exact"]) == (0, True)
    assert data["deliveries"] == {"pending": 1, "sending": 0, "sent": 4, "dead": 3, "skipped": 0}
    assert data["deliveries_capped"] == []
    [a] = data["sources"]
    assert a["retries"] == {"waiting": 1, "given_up": 3, "capped": []}


def test_past_the_cap_status_estimates_totals_and_caps_what_piles_up(tmp_path, monkeypatch):
    config = _archive(tmp_path)
    monkeypatch.setattr("storage.counts.COUNT_CAP", 2)
    data = json.loads(_status(config, as_json=True))
    assert (data["count_cap"], data["stories"], data["stories_exact"]) == (2, 8, False)
    assert (data["articles"], data["articles_exact"]) == (0, True)
    # what a user acts on stays exact, past the cap too; what piles up stops at the cap and says so
    assert data["deliveries"] == {"pending": 1, "sending": 0, "sent": 2, "dead": 3, "skipped": 0}
    assert data["deliveries_capped"] == ["sent"]
    [a] = data["sources"]
    assert a["retries"] == {"waiting": 1, "given_up": 2, "capped": ["given_up"]}
    shown = _status(config, as_json=False)
    for words in ("articles: 0   stories: about 8", "pending 1  sending 0  sent 2+  dead 3  skipped 0",
                  "1 failed article waiting for a retry; 2+ given up after 8 attempts"):  # fmt: skip
        assert words in shown, shown


def test_an_estimate_is_shown_to_three_figures():
    data = {"articles": 1_234_567, "articles_exact": False, "stories": 12_345, "stories_exact": True}
    assert (status._total(data, "articles"), status._total(data, "stories")) == ("about 1230000", "12345")
