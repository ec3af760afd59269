"""Nothing on the daemon's event loop waits for the database: while another process holds SQLite's
write lock for longer than the leader lease, and a web request that writes waits for it, the daemon
keeps its lease, the bot answers and the web archive answers (database work runs in threads)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import httpx
import pytest

from newsradar.config import load
from notifiers.tokens import sign
from scheduler.daemon import Daemon, DaemonSetup
from scheduler.leader import leader_info
from storage.subscribers import add_subscriber
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.notifiers.helpers import SECRET, make_env
from tests.web.helpers import free_port

LEASE = 3.0
HOLD = 5.0  # longer than the lease


@pytest.fixture
def api():
    server = FakeBotAPI().start()
    yield server
    server.stop()


def _hold_write_lock(path: str, seconds: float, started: threading.Event) -> None:
    con = sqlite3.connect(path, timeout=30)
    con.execute("BEGIN IMMEDIATE")  # the write lock: every other writer waits
    con.execute("UPDATE settings SET updated_at = updated_at")
    started.set()
    time.sleep(seconds)
    con.rollback()
    con.close()


@pytest.mark.sqlite_only("holds a SQLite write lock")
def test_a_long_write_lock_stalls_neither_lease_nor_bot_nor_web(tmp_path, api, monkeypatch):
    monkeypatch.setenv("NEWSRADAR_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("NEWSRADAR_SECRET_KEY", SECRET)
    env = make_env(tmp_path, telegram=api.url, alerts={"poll_interval": 0.2})
    port = free_port()
    with env.config.open("a", encoding="utf-8") as f:
        f.write(f'\n[scheduler]\nlease = "{LEASE:g}s"\n\n[web]\nhost = "127.0.0.1"\nport = {port}\n')
    cfg = load(env.config)
    setup = DaemonSetup(config=cfg, db=env.db, crawl_settings={}, topics=list(cfg.topics))
    seen: dict[str, float] = {}
    with env.db.session() as s:
        cid = add_subscriber(s, channels=[("email", "a@example.org")], topics=["fintech"]).channels[0].id
        s.commit()
    token = sign(cid, SECRET.encode())

    async def go() -> None:
        daemon = Daemon(setup)
        task = asyncio.create_task(daemon.run())
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as web:
            for _ in range(100):  # the web and the bot are up
                try:
                    if (await web.get("/sources")).status_code == 200 and api.calls_of("getUpdates"):
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            started = threading.Event()
            locker = threading.Thread(target=_hold_write_lock, args=(str(tmp_path / "nr.db"), HOLD, started))
            locker.start()
            await asyncio.to_thread(started.wait, 10)
            t0 = time.monotonic()
            # a web request that writes: it waits for the lock, in a thread, not on the loop
            unsubscribe = asyncio.create_task(
                web.post(f"/unsubscribe?token={token}", data={"List-Unsubscribe": "One-Click"})
            )
            await asyncio.sleep(0.3)
            api.push_command(4001, "/help")
            page = await web.get("/sources")
            seen["web"] = time.monotonic() - t0
            assert page.status_code == 200
            for _ in range(100):
                if api.sent("4001"):
                    seen["bot"] = time.monotonic() - t0
                    break
                await asyncio.sleep(0.05)
            await asyncio.to_thread(locker.join)
            seen["held"] = time.monotonic() - t0
            seen["unsubscribed"] = (await unsubscribe).status_code
        await asyncio.sleep(LEASE)  # a renewal after the lock
        seen["alive"] = not task.done() and not daemon._lost
        daemon.request_stop()
        await asyncio.wait_for(task, 15)

    asyncio.run(go())
    assert seen["held"] >= HOLD - 0.5 > LEASE
    assert seen["web"] < 2.0 and seen["bot"] < 2.0, seen  # answered while the lock was held
    assert seen["alive"], seen
    assert seen["unsubscribed"] == 200  # the write went through once the lock was gone
    info = leader_info(env.db)
    assert info is not None and info["pid"] is not None
