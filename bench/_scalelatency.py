"""bench/scale's (c): the latency from a new post to its alert with crawler nodes.

A real `newsradar run` daemon with `[crawl] nodes` set to the bench's running `newsradar node`
processes crawls one loopback source (bench/_scalesite.py, `/sN/`) every `interval` seconds
(`[scheduler] jitter = 0`, every other scheduler and alerts key at its default); one Telegram
subscriber of digital_currency receives its alerts on the loopback Bot API fake
(tests/fakes/telegram_api.py). After the daemon's first round, the bench waits a random part of an
interval (so a post lands at a random point of the round cycle, as real posts do), adds one topical
post to the source (`/__post`) at t0 and times its sendMessage on the fake. What a sample holds:
the wait for the source's next due run (uniform over the interval: interval/2 on average), the
daemon's batch window ([scheduler] batch_window, 3 s), the node's pick-up of the job (Scrapyd polls
its queue every 5 s) and the job's start, the crawl and the ingest on the node, the daemon noticing
the job finished (listjobs.json every 2 s), then the dispatcher (woken by the round's end).
"""

from __future__ import annotations

import random
import statistics
import time
import urllib.request
from datetime import UTC
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.helpers import run_cli, write_config
from tests.scheduler.helpers import RunningDaemon

CHAT = "4242"
SOURCE = 900_000  # /s900000/: a list no other part of bench/scale crawls
ENV = {"NEWSRADAR_TELEGRAM_TOKEN": TOKEN, "NEWSRADAR_SECRET_KEY": "bench-scale-secret-key-0123456789abcdef"}


def _config(folder: Path, url: str, site: str, nodes: list[str], interval: int, api: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    listed = ", ".join(f'"{n}"' for n in nodes)
    body = (
        f'\n[[sources]]\nname = "latency"\nkind = "beijing_gov"\nstart_urls = ["{site}/s{SOURCE}/"]\n'
        f'every = "{interval}s"\nmax_pages = 1\n'
        f'\n[telegram]\napi_url = "{api}"\n\n[scheduler]\njitter = 0\n'
    )
    return write_config(folder, body, url, crawl=f"nodes = [{listed}]\n")


def _stored_at(url: str, path: str) -> float | None:
    """Wall time the node stored the post (articles.fetched_at), or None."""
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            at = c.execute(text("select fetched_at from articles where url like :u"), {"u": f"%{path}"}).scalar()
    finally:
        engine.dispose()
    return None if at is None else (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def _round_done_after(daemon: RunningDaemon, since: float) -> float | None:
    """Monotonic time of the first round line with a new article after `since`."""
    for when, line in list(daemon.lines):
        if when >= since and "crawl round of" in line and " 1 new" in line:
            return when
    return None


def measure_latency(url: str, site: str, nodes: list[str], folder: Path, posts: int, interval: int) -> list[float]:
    """Post-to-alert seconds of `posts` posts, each sample printed with what it was made of."""
    api = FakeBotAPI().start()
    daemon = None
    try:
        config = _config(folder, url, site, nodes, interval, api.url)
        done = run_cli("subscribers", "add", "--telegram-chat", CHAT, "--topics", "digital_currency",
                       config=config, env=ENV)  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"subscribers add: {done.stderr.strip()}")
        daemon = RunningDaemon(config, env=ENV)
        daemon.wait_for("crawl round of", timeout=interval + 120)  # the first round: the list's old posts
        rng, samples = random.Random(7), []
        for k in range(posts):
            time.sleep(rng.uniform(0, interval))
            t0, wall0 = time.monotonic(), time.time()
            with urllib.request.urlopen(f"{site}/__post?source={SOURCE}", timeout=30) as r:
                path = r.read().decode()
            marker = path[3:-5]
            if not api.wait_for(lambda: any(marker in c.text for c in api.sent(CHAT)), timeout=interval + 180):
                raise RuntimeError(f"no alert for post {marker} within {interval + 180}s:\n{daemon.output[-3000:]}")
            alert = next(c.at for c in api.sent(CHAT) if marker in c.text) - t0
            stored = (_stored_at(url, path) or float("nan")) - wall0
            done_at = _round_done_after(daemon, t0)
            reported = (done_at - t0) if done_at is not None else float("nan")
            samples.append(alert)
            print(
                f"latency post {k + 1}: alert after {alert:.1f}s (stored on the node after {stored:.1f}s, "
                f"round reported done after {reported:.1f}s, alert sent {alert - reported:.1f}s later)",
                flush=True,
            )
        return samples
    finally:
        if daemon is not None:
            daemon.terminate(timeout=60)
        api.stop()


def summary(samples: list[float], interval: int) -> str:
    """The figure bench/scale appends to its last line."""
    return f"post-to-alert p50 {statistics.median(samples):.1f} s max {max(samples):.1f} s (interval {interval} s)"
