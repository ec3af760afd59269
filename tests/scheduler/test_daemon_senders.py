"""The daemon runs one long-lived dispatcher: its senders are started once and reused, so the fake
Bot API sees one getMe for the dispatcher (plus the bot's own), however many polls go by, and an
alert queued between polls goes out on the same session."""

from __future__ import annotations

import asyncio
import logging

import pytest

from newsradar.config import load
from scheduler.daemon import Daemon, DaemonSetup
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.notifiers.helpers import SECRET, article, ingest, make_env, subscribe


@pytest.fixture
def api():
    server = FakeBotAPI().start()
    yield server
    server.stop()


def test_senders_are_built_once_for_many_polls(tmp_path, api, monkeypatch, caplog):
    monkeypatch.setenv("NEWSRADAR_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("NEWSRADAR_SECRET_KEY", SECRET)
    env = make_env(tmp_path, telegram=api.url, alerts={"poll_interval": 0.2})
    subscribe(env, [("telegram", "4001")], ["digital_currency"])
    cfg = load(env.config)
    setup = DaemonSetup(config=cfg, db=env.db, crawl_settings={}, topics=list(cfg.topics))
    caplog.set_level(logging.DEBUG, logger="newsradar.run")

    def polls() -> int:
        return sum("dispatch: sent" in r.getMessage() for r in caplog.records)

    async def go() -> None:
        daemon = Daemon(setup)
        task = asyncio.create_task(daemon.run())
        await asyncio.sleep(1.5)
        await asyncio.to_thread(ingest, env, [article(1, "digital_currency")])
        for _ in range(100):
            if api.sent("4001"):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)
        daemon.request_stop()
        await asyncio.wait_for(task, 15)

    asyncio.run(go())
    assert len(api.sent("4001")) == 1
    assert polls() >= 8, polls()  # many poll batches went by ...
    assert len(api.calls_of("getMe")) <= 2  # ... on one session: the dispatcher's getMe and the bot's
