"""The crawl child process: a round that crashes or hangs past its limit is ended and said so;
shutdown stops it within the grace time."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from scheduler.runner import run_round

FAKE = [sys.executable, str(Path(__file__).with_name("fake_child.py"))]


def _round(tmp_path, mode: str, *, limit: float = 30.0, stop_after: float | None = None):
    log = tmp_path / "log.jsonl"

    async def go():
        stop = asyncio.Event()
        if stop_after is not None:
            asyncio.get_running_loop().call_later(stop_after, stop.set)
        return await run_round(
            [{"name": "a"}, {"name": "b"}], {"mode": mode, "log": str(log), "seconds": 0.2},
            time_limit=limit, stop=stop, command=FAKE,
        )  # fmt: skip

    started = time.monotonic()
    result = asyncio.run(go())
    return result, time.monotonic() - started, [json.loads(x) for x in log.read_text().splitlines()]


def test_a_round_reports_each_source(tmp_path):
    result, _, log = _round(tmp_path, "ok")
    assert result.outcome == "ok" and [r["name"] for r in result.reports] == ["a", "b"]
    assert log[0]["sources"] == ["a", "b"]  # both sources in one process
    assert "2 sources (a, b): 2 requests, 0 new" in result.summary()


def test_a_crash_is_reported(tmp_path):
    result, _, _ = _round(tmp_path, "crash")
    assert result.outcome == "crashed" and "status 3" in result.detail


def test_a_hang_is_ended_at_the_time_limit(tmp_path):
    result, took, _ = _round(tmp_path, "hang", limit=1.0)
    assert result.outcome == "killed" and "max_duration" in result.detail
    assert took < 5


def test_shutdown_stops_a_round_within_the_grace_time(tmp_path):
    result, took, _ = _round(tmp_path, "hang", stop_after=0.5)
    assert result.outcome == "stopped" and took < 8


def test_a_round_no_source_answered_says_the_network_may_be_down():
    from scheduler.runner import RoundResult

    reports = [
        {
            "name": n,
            "requests": 2,
            "responses": 0,
            "errors": 1,
            "error_list": [f"http://{n}/: DNS lookup failed"],
        }
        for n in ("a", "b")
    ]
    line = RoundResult(["a", "b"], reports, seconds=1.0).summary()
    assert line.endswith(
        "could not reach any source: no network or DNS? (2 sources failed; first: a: http://a/: DNS lookup failed)"
    )
    answered = [dict(reports[0], responses=1), reports[1]]
    assert "could not reach" not in RoundResult(["a", "b"], answered).summary()
