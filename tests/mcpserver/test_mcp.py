"""`newsradar mcp` driven by the official SDK's own client (ClientSession + stdio_client) against
the web tests' fixture archive: the six read-only tools, their links, and their errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from storage import to_beijing, utcnow
from tests.notifiers.helpers import SECRET
from tests.web.helpers import fill, free_port, write_config

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mcp")
    path = write_config(folder)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWSRADAR_SECRET_KEY", SECRET)
        fill(path)
    return path


def _env() -> dict[str, str]:
    return {**os.environ, "NEWSRADAR_SECRET_KEY": SECRET, "NEWSRADAR_CONFIG": ""}


def _base(config) -> str:
    return next(line.split('"')[1] for line in config.read_text().splitlines() if line.startswith("base_url"))


def session_run(config, scenario, *extra: str):
    """Start `newsradar mcp` over stdio, initialise a ClientSession, run the async scenario."""
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "newsradar", "--config", str(config), "mcp", *extra], env=_env()
    )

    async def main():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return await scenario(session)

    return anyio.run(main)


async def call(session, name: str, **arguments):
    result = await session.call_tool(name, arguments)
    if result.is_error:
        return {"error": " ".join(c.text for c in result.content)}
    return result.structured_content


def test_tools_are_read_only_and_search_is_story_grouped_with_links_back(config):
    base = _base(config)

    async def scenario(session):
        tools = (await session.list_tools()).tools
        found = await call(session, "search", q="北京日报")  # only the republished copy's body says it
        story = await call(session, "get_story", story_id=found["items"][0]["story_id"], max_chars=50)
        everything = await call(session, "search", q="新闻", limit=50)
        latest = await call(session, "latest", topic="digital_currency", limit=3)
        return {t.name: t for t in tools}, found, story, everything, latest

    tools, found, story, everything, latest = session_run(config, scenario)
    assert set(tools) == {"search", "get_story", "latest", "topic_trend", "compare_periods", "sources_health"}
    assert all(t.annotations.read_only_hint and not t.annotations.destructive_hint for t in tools.values())
    assert tools["search"].input_schema["required"] == ["q"]
    assert {"topic", "source", "date_from", "date_to", "limit", "cursor"} <= set(
        tools["search"].input_schema["properties"]
    )
    assert found["total_stories"] == 1 and len(found["items"]) == 1
    hit = found["items"][0]
    assert hit["source"] == "bj-yaowen" and [c["source"] for c in hit["copies"]] == ["finews-bjgov"]
    assert hit["url"] == f"{base}/stories/{hit['story_id']}" and found["url"].startswith(f"{base}/search?q=")
    assert "【北京日报】" in hit["snippet"] and "<mark>" not in hit["snippet"]
    assert story["title"] == hit["title"] and [c["lead"] for c in story["copies"]] == [True, False]
    assert story["copies"][1]["archive_url"].startswith(f"{base}/articles/")
    assert len(story["lead_text"]) == 50 and story["lead_text_truncated"]
    assert [e["id"] for e in story["evidence"]] == [t["id"] for t in story["topics"]]  # once per topic
    assert story["evidence"][0]["copies_matched"] == 2 and story["evidence"][0]["evidence"]
    ids = [i["story_id"] for i in everything["items"]]
    assert len(ids) == len(set(ids)) == everything["total_stories"]
    assert len(latest["items"]) == 3 and latest["total"] >= 6
    assert all("digital_currency" in [t["id"] for t in i["topics"]] for i in latest["items"])
    days = [i["first_published_at"] for i in latest["items"]]
    assert days == sorted(days, reverse=True) and days[0].endswith("+08:00")


def test_trend_compare_and_health_agree_with_each_other(config):
    today = to_beijing(utcnow()).date()
    first = (today - timedelta(days=59), today - timedelta(days=30))
    second = (today - timedelta(days=29), today)

    async def scenario(session):
        trend = await call(session, "topic_trend", topic="sub_center", days=60)
        every = await call(session, "topic_trend")
        compared = await call(
            session, "compare_periods", first_from=first[0].isoformat(), first_to=first[1].isoformat(),
            second_from=second[0].isoformat(), second_to=second[1].isoformat(),
        )  # fmt: skip
        health = await call(session, "sources_health")
        return trend, every, compared, health

    trend, every, compared, health = session_run(config, scenario)
    (t,) = trend["topics"]
    per_day = [d["stories"] for d in t["per_day"]]
    assert len(per_day) == 60 and t["per_day"][-1]["day"] == today.isoformat() and sum(per_day) >= 3
    before = per_day[-8:-1]
    assert t["mean_7_days_before"] == round(sum(before) / 7, 2) and t["direction"] in ("up", "down", "flat")
    assert {x["id"] for x in every["topics"]} >= {
        "digital_currency",
        "green_finance",
        "sub_center",
        "fintech",
    }
    row = next(r for r in compared["topics"] if r["id"] == "sub_center")
    assert (row["first"], row["second"]) == (sum(per_day[:30]), sum(per_day[30:]))
    assert row["change"] == row["second"] - row["first"]
    by_name = {s["source"]: s for s in health["sources"]}
    assert by_name["bj-yaowen"]["articles"] >= 10 and by_name["bj-yaowen"]["status"]
    assert health["url"] == f"{_base(config)}/sources"


def test_refusals_reach_the_model_as_tool_errors(config):
    async def scenario(session):
        return [
            await call(session, "get_story", story_id=999999),
            await call(session, "search", q="央行", topic="nope"),
            await call(session, "search", q="   "),
            await call(session, "latest", date_from="2025-02-01", date_to="2025-01-01"),
            await call(session, "topic_trend", days=3),
            await call(session, "search", q="央行", cursor="garbage"),
            await call(session, "latest", source="nowhere"),
        ]

    errors = session_run(config, scenario)
    assert all("error" in e for e in errors), errors
    story, topic, empty, dates, days, cursor, source = (e["error"] for e in errors)
    assert "no source 'nowhere'" in source and "bj-yaowen" in source
    assert "no story 999999" in story and "digital_currency" in topic
    assert "q:" in empty and "after the last day" in dates and "days" in days and "cursor" in cursor


def test_stdout_carries_only_the_protocol(config):
    hello = {
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "newsradar", "-v", "--config", str(config), "mcp"],
        input=json.dumps(hello) + "\n", capture_output=True, text=True, env=_env(), timeout=60,
    )  # fmt: skip
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert lines and all(json.loads(line)["jsonrpc"] == "2.0" for line in lines), proc.stdout
    assert json.loads(lines[0])["result"]["serverInfo"]["name"] == "newsradar"


def test_http_transport_on_loopback(config):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsradar", "--config", str(config), "mcp", "--http", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
    )  # fmt: skip

    async def main():
        async with streamable_http_client(f"http://127.0.0.1:{port}/mcp") as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                return await call(session, "search", q="北京日报")

    try:
        for _ in range(100):
            try:
                found = anyio.run(main)
                break
            except Exception:
                if proc.poll() is not None:
                    raise AssertionError(proc.stderr.read().decode()) from None
                time.sleep(0.2)
        assert found["total_stories"] == 1
        busy = subprocess.run(
            [sys.executable, "-m", "newsradar", "--config", str(config), "mcp", "--http", "--port", str(port)],
            capture_output=True, text=True, env=_env(), timeout=60,
        )  # fmt: skip
        assert busy.returncode == 1 and f"127.0.0.1:{port}" in busy.stderr and "--port" in busy.stderr
    finally:
        proc.terminate()
        proc.wait(10)
