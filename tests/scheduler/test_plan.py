"""Scheduling decisions with a controllable clock: jitter bounds, digest times across zones,
midnight and a DST change, the quiet-source limit."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from processor.health import quiet_limit
from scheduler.plan import digest_due, jitter_for, next_digest_at
from scheduler.settings import DigestSettings, SchedulerSettings, parse_section

SHANGHAI, BERLIN, NEW_YORK = (
    ZoneInfo("Asia/Shanghai"),
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
)


def test_jitter_is_a_tenth_of_the_interval_capped():
    s = SchedulerSettings()
    assert jitter_for(600, s) == 60 and jitter_for(60, s) == 6 and jitter_for(86400, s) == 60
    assert jitter_for(600, SchedulerSettings(jitter=0)) == 0


def test_interval_runs_stay_within_their_jitter():
    """The trigger the daemon builds: every run lands in [n*every, n*every + jitter]."""
    random.seed(3)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    every, jitter = 600, jitter_for(600, SchedulerSettings())
    trigger = IntervalTrigger(seconds=every, jitter=jitter, start_date=start)
    offsets = []
    prev = None
    now = start
    for _ in range(200):
        nxt = trigger.get_next_fire_time(prev, now)
        n = round((nxt - start).total_seconds() // every)
        offset = (nxt - start).total_seconds() - n * every
        assert 0 <= offset <= jitter
        offsets.append(offset)
        prev = start + timedelta(seconds=n * every)  # APScheduler passes the un-jittered time back
        now = nxt
    assert max(offsets) - min(offsets) > jitter / 2  # spread out, not in lockstep


def test_missed_runs_coalesce_into_one():
    """After a 3-hour suspension APScheduler is handed every missed time; coalesce=True runs one."""
    start = datetime(2026, 12, 1, tzinfo=UTC)
    trigger = IntervalTrigger(seconds=600, start_date=start)
    from apscheduler.job import Job

    job = Job.__new__(Job)
    job.trigger = trigger
    job.next_run_time = start + timedelta(seconds=600)
    missed = job._get_run_times(start + timedelta(hours=3))
    assert len(missed) == 18  # what coalescing folds into one run (the daemon sets coalesce=True)


@pytest.mark.parametrize(
    ("zone", "utc_now", "due"),
    [
        (SHANGHAI, datetime(2026, 12, 1, 23, 59, tzinfo=UTC), None),  # 07:59 Beijing on the 2nd
        (SHANGHAI, datetime(2026, 12, 2, 0, 0, tzinfo=UTC), date(2026, 12, 1)),  # 08:00 Beijing
        (SHANGHAI, datetime(2026, 12, 2, 15, 59, tzinfo=UTC), date(2026, 12, 1)),  # 23:59: late catch-up
        (SHANGHAI, datetime(2026, 12, 2, 16, 0, tzinfo=UTC), None),  # past midnight: the 3rd, before 08:00
        (BERLIN, datetime(2026, 12, 2, 6, 59, tzinfo=UTC), None),  # 07:59 CET
        (BERLIN, datetime(2026, 12, 2, 7, 0, tzinfo=UTC), date(2026, 12, 1)),
        (BERLIN, datetime(2026, 7, 2, 6, 0, tzinfo=UTC), date(2026, 7, 1)),  # 08:00 CEST (summer)
        (BERLIN, datetime(2026, 7, 2, 5, 59, tzinfo=UTC), None),
    ],
)
def test_digest_is_due_at_local_time_the_day_before(zone, utc_now, due):
    assert digest_due(utc_now, zone, time(8, 0)) == due


def test_digest_on_dst_days():
    """New York springs forward 02:00 -> 03:00 on 2026-03-08 and falls back on 2026-11-01."""
    spring = next_digest_at(datetime(2026, 3, 8, 5, 0, tzinfo=UTC), NEW_YORK, time(2, 30))
    assert spring.astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT: the gap pushes it
    assert digest_due(datetime(2026, 3, 8, 7, 29, tzinfo=UTC), NEW_YORK, time(2, 30)) is None
    assert digest_due(datetime(2026, 3, 8, 7, 30, tzinfo=UTC), NEW_YORK, time(2, 30)) == date(2026, 3, 7)
    fall = next_digest_at(datetime(2026, 11, 1, 4, 0, tzinfo=UTC), NEW_YORK, time(1, 30))
    assert fall.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first 01:30 (EDT)
    # the same local 08:00 is 12:00 UTC before the change and 13:00 after
    assert next_digest_at(datetime(2026, 10, 31, 13, 0, tzinfo=UTC), NEW_YORK, time(8)).hour == 8
    before = next_digest_at(datetime(2026, 10, 31, 0, 0, tzinfo=UTC), NEW_YORK, time(8)).astimezone(UTC)
    after = next_digest_at(datetime(2026, 11, 1, 14, 0, tzinfo=UTC), NEW_YORK, time(8)).astimezone(UTC)
    assert (before.hour, after.hour) == (12, 13)


def test_a_subscriber_added_after_the_hour_waits_for_tomorrow():
    now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 11:00 Beijing
    assert digest_due(now, SHANGHAI, time(8), created_at=datetime(2026, 12, 1, 12, tzinfo=UTC)) == date(
        2026, 12, 1
    )
    assert digest_due(now, SHANGHAI, time(8), created_at=datetime(2026, 12, 2, 2, tzinfo=UTC)) is None


def test_next_digest_crosses_midnight():
    nxt = next_digest_at(datetime(2026, 12, 2, 1, 0, tzinfo=UTC), SHANGHAI, time(8))  # 09:00 Beijing
    assert nxt == datetime(2026, 12, 3, 8, 0, tzinfo=SHANGHAI)


def test_quiet_limit_follows_the_source_rhythm():
    base = datetime(2026, 11, 1, tzinfo=UTC)
    hourly = [base + timedelta(hours=h) for h in range(48)]
    assert quiet_limit(hourly, 4.0, 86400) == 86400  # 4 h is below the one-day floor
    daily = [base + timedelta(days=d) for d in range(10)]
    assert quiet_limit(daily, 4.0, 86400) == 4 * 86400
    assert quiet_limit(daily[:4], 4.0, 86400) is None  # too few to tell


def test_digest_and_health_sections_are_validated():
    assert parse_section("digest", {"time": "07:30", "timezone": "Europe/Berlin"}).at == time(7, 30)
    with pytest.raises(ValueError, match="time of day"):
        parse_section("digest", {"time": "25:00"})
    with pytest.raises(ValueError, match="time zone"):
        parse_section("digest", {"timezone": "Mars/Olympus"})
    assert parse_section("health", {"failing_after": 5}).failing_after == 5
    with pytest.raises(ValueError, match="whole number"):
        parse_section("health", {"failing_after": 0})
    assert parse_section("scheduler", {"lease": "5s"}).lease == 5.0
    assert DigestSettings().timezone == "Asia/Shanghai"
