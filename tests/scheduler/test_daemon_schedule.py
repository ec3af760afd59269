"""The daemon's schedule with short intervals and a stand-in crawl process: rounds repeat on
`every`, never overlap for one source, missed runs after a pause coalesce into one, a crash or a
hang is recorded in the source's health and the daemon goes on."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from newsradar.config import load
from processor.health import source_health
from scheduler.daemon import Daemon, DaemonSetup
from storage import Database
from tests.helpers import fresh_database_url

FAKE = [sys.executable, str(Path(__file__).with_name("fake_child.py"))]


def _setup(tmp_path: Path, every: str = "1s", extra: str = "", **how) -> DaemonSetup:
    path = tmp_path / "newsradar.toml"
    path.write_text(
        f'[database]\nurl = "{fresh_database_url(tmp_path, "x.db")}"\n[scheduler]\nbatch_window = "0.2s"\njitter = 0\nlease = "3s"\n'
        f"{extra}\n"
        + "".join(
            f'[[sources]]\nname = "{n}"\nkind = "feed"\nstart_urls = ["http://127.0.0.1:9/{n}.xml"]\nevery = "{every}"\n'
            for n in ("a", "b")
        ),
        encoding="utf-8",
    )
    cfg = load(path)
    db = Database(cfg.database_url)
    db.migrate()
    how = {"log": str(tmp_path / "rounds.jsonl"), **how}
    return DaemonSetup(config=cfg, db=db, crawl_settings=how, crawl_command=FAKE)


def _read(setup: DaemonSetup) -> list[dict]:
    log = Path(setup.crawl_settings["log"])
    return [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []


def _run(setup: DaemonSetup, seconds: float, during=None, starts: int | None = None) -> list[dict]:
    """Run the daemon `seconds`; with `starts`, until that many rounds have started (at most
    `seconds`), so a slow start on a loaded machine costs time, not a failure."""

    async def go():
        daemon = Daemon(setup)
        task = asyncio.create_task(daemon.run())
        if during is not None:
            await during(daemon)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            if starts is not None and len(_starts(_read(setup))) >= starts:
                break
        daemon.request_stop()
        await asyncio.wait_for(task, 15)

    asyncio.run(go())
    return _read(setup)


def _starts(log: list[dict]) -> list[float]:
    return [e["start"] for e in log if "start" in e]


def test_rounds_repeat_and_due_sources_share_a_process(tmp_path):
    log = _run(_setup(tmp_path, seconds=0.1), 30, starts=3)
    starts = [e for e in log if "start" in e]
    assert len(starts) >= 3  # the first round at start, then every second
    times = _starts(log)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert max(gaps[:2]) < 3.0, gaps  # every = 1s: the next rounds follow at its cadence
    assert starts[0]["sources"] == ["a", "b"]  # due together: one process
    assert all(len(e["sources"]) >= 1 for e in starts)


def test_a_source_is_never_crawled_twice_at_once(tmp_path):
    log = _run(_setup(tmp_path, seconds=2.0), 6.0)
    for name in ("a", "b"):
        spans, open_at = [], None
        for e in log:
            if name not in e["sources"]:
                continue
            if "start" in e:
                assert open_at is None, f"{name} started while still crawling"
                open_at = e["start"]
            elif open_at is not None:
                spans.append((open_at, e["end"]))
                open_at = None
        assert len(spans) >= 2


def test_missed_runs_after_a_pause_coalesce_into_one(tmp_path):
    calls: list[float] = []
    marks: dict[str, float] = {}

    async def pause(daemon):
        while getattr(daemon, "scheduler", None) is None or daemon.scheduler.get_job("crawl:a") is None:
            await asyncio.sleep(0.05)
        due = daemon._due
        daemon._due = lambda name: (calls.append(time.time()) if name == "a" else None, due(name))
        grid = daemon.scheduler.get_job("crawl:a").trigger.start_date.timestamp()  # runs at grid + 2k s
        await asyncio.sleep(max(0.0, grid + 0.5 - time.time()))
        time.sleep(grid + 7.0 - time.time())  # the loop stands still (a suspended laptop): 3 runs missed
        marks["resumed"] = time.time()

    _run(_setup(tmp_path, every="2s", seconds=0.1), 0.8, during=pause)
    resumed = marks["resumed"]
    assert len([t for t in calls if resumed <= t <= resumed + 0.7]) == 1, calls
    assert 1 <= len([t for t in calls if t < resumed]) <= 2  # the start-up round and the grid start


def test_a_crashing_crawl_is_recorded_and_the_daemon_goes_on(tmp_path):
    setup = _setup(tmp_path, mode="crash")
    log = _run(setup, 3.0)
    assert len([e for e in log if "start" in e]) >= 2  # it kept scheduling after the crash
    with setup.db.session() as s:
        [a, _] = source_health(s, ["a", "b"])
    assert a["status"] == "failing" and "crashed" in a["detail"]


def test_a_hanging_crawl_is_ended_at_max_duration(tmp_path):
    setup = _setup(tmp_path, every="1s", extra="[crawl]\nmax_duration = 1.0\n", mode="hang")
    log = _run(setup, 30, starts=2)
    first, second = _starts(log)[:2]  # ended, then crawled again
    assert second - first < 4.0  # killed at max_duration (1 s), not left to hang for an hour
    with setup.db.session() as s:
        [a, _] = source_health(s, ["a", "b"])
    assert "killed" in a["detail"] and "max_duration" in a["detail"]
