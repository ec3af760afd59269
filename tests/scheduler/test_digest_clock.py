"""The daemon's digest clock with a controllable 'now': each subscriber's digest of the day
before is queued at 08:00 in their own zone, once, whatever the ticks and restarts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import select

from scheduler.digest_clock import DigestClock, effective_digest
from scheduler.settings import DigestSettings
from storage import Delivery
from storage.subscribers import add_subscriber
from tests.notifiers.helpers import article, ingest, make_env

DAY = date(2026, 5, 1)


def _queued(env) -> list[tuple[int, date]]:
    with env.db.session() as s:
        return sorted(
            (d.subscriber_id, d.digest_day)
            for d in s.scalars(select(Delivery).where(Delivery.kind == "digest"))
        )


def test_each_zone_gets_its_digest_at_its_own_eight_oclock_once(tmp_path):
    env = make_env(tmp_path)
    with env.db.session() as s:
        created = datetime(2026, 4, 1, tzinfo=UTC)
        ids = {}
        for zone in ("Asia/Shanghai", "Europe/Berlin", None):
            sub = add_subscriber(
                s, channels=[("console", f"c-{zone}")], topics=["fintech"], mode="digest", timezone=zone
            )
            sub.created_at = created
            ids[zone] = sub.id
        s.commit()
    # a story published at noon UTC on May 1st: May 1st in Berlin and in Beijing (20:00)
    ingest(env, [replace(article(1, "fintech"), published_at=datetime(2026, 5, 1, 12, tzinfo=UTC))])
    clock = DigestClock(
        DigestSettings(time="08:00", timezone="Asia/Shanghai"), ["fintech"], include_empty=False
    )

    def tick(*when: int) -> None:
        with env.db.session() as s:
            clock.tick(s, datetime(*when, tzinfo=UTC))
            s.commit()

    tick(2026, 5, 1, 23, 59)  # 07:59 in Beijing on the 2nd: nothing yet
    assert _queued(env) == []
    tick(2026, 5, 2, 0, 0)  # 08:00 Beijing: the Shanghai subscriber and the one on the default zone
    assert _queued(env) == [(ids["Asia/Shanghai"], DAY), (ids[None], DAY)]
    tick(2026, 5, 2, 5, 59)  # 07:59 in Berlin (CEST)
    assert len(_queued(env)) == 2
    tick(2026, 5, 2, 6, 0)  # 08:00 in Berlin
    assert (ids["Europe/Berlin"], DAY) in _queued(env)
    # more ticks, and a restarted daemon (a new clock), queue nothing more
    tick(2026, 5, 2, 7, 0)
    fresh = DigestClock(DigestSettings(), ["fintech"], include_empty=False)
    with env.db.session() as s:
        fresh.tick(s, datetime(2026, 5, 2, 9, tzinfo=UTC))
        s.commit()
    assert len(_queued(env)) == 3


def test_deprecated_digest_hour_still_works(caplog):
    assert effective_digest(None, 7).time == "07:00" and "deprecated" in caplog.text
    assert effective_digest(DigestSettings(time="09:30"), 7).time == "09:30"
    assert effective_digest(None, None) == DigestSettings()


def test_a_subscriber_with_their_own_time_gets_it_then_and_not_at_the_shared_time(tmp_path):
    env = make_env(tmp_path)
    with env.db.session() as s:
        ids = {}
        for at in ("07:30", None):
            sub = add_subscriber(
                s,
                channels=[("console", f"c-{at}")],
                topics=["fintech"],
                mode="digest",
                timezone="Europe/Berlin",
            )
            sub.created_at, sub.digest_time = datetime(2026, 4, 1, tzinfo=UTC), at
            ids[at] = sub.id
        s.commit()
    ingest(env, [replace(article(1, "fintech"), published_at=datetime(2026, 5, 1, 12, tzinfo=UTC))])
    clock = DigestClock(
        DigestSettings(time="08:00", timezone="Asia/Shanghai"), ["fintech"], include_empty=False
    )

    def tick(h: int, m: int, c: DigestClock = clock) -> None:
        with env.db.session() as s:
            c.tick(s, datetime(2026, 5, 2, h, m, tzinfo=UTC))
            s.commit()

    tick(0, 0)  # 08:00 in Beijing, 02:00 in Berlin: neither
    assert _queued(env) == []
    tick(5, 29)  # 07:29 in Berlin (CEST)
    assert _queued(env) == []
    tick(5, 30)  # 07:30 in Berlin: only the one with their own time
    assert _queued(env) == [(ids["07:30"], DAY)]
    tick(5, 59)
    assert _queued(env) == [(ids["07:30"], DAY)]
    tick(6, 0)  # 08:00 in Berlin: the one on the shared time
    assert _queued(env) == sorted([(ids["07:30"], DAY), (ids[None], DAY)])
    tick(7, 0)
    tick(9, 0, DigestClock(DigestSettings(), ["fintech"], include_empty=False))  # a restarted daemon
    assert len(_queued(env)) == 2
