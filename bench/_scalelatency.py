"""bench/scale's (c): the latency from a new post to its alert with crawler nodes.

A real `newsradar run` daemon with `[crawl] nodes` set to the bench's running `newsradar node`
processes crawls one loopback source (bench/_scalesite.py, `/sN/`) every `interval` seconds
(`[scheduler] jitter = 0`, every other scheduler and alerts key at its default); one Telegram
subscriber of digital_currency receives its alerts on the loopback Bot API fake
(tests/fakes/telegram_api.py). After the daemon's first round, the bench waits a random part of an
interval (so a post lands at a random point of the round cycle, as real posts do), adds one topical
post to the source (`/__post`) at t0 and times its sendMessage on the fake.

What a sample is made of: the wait until a crawl next fetches the source's list (uniform over the
interval: interval/2 on average), then the rest of that round after its list fetch (article page,
ingest on the node, the daemon seeing the job finished: listjobs.json every 2 s), then the dispatch
(the dispatcher is woken by the round's end; its own [alerts] poll_interval, 30 s, may find the
alert first: a negative "alert sent" figure). A round starts with the source's due run, the
daemon's batch window ([scheduler] batch_window, 3 s) and schedule.json, then the node's pick-up of
the job (Scrapyd polls its queue every 5 s) and the job process starting (Python, Scrapy) before
its list fetch; a post made during that start-up still makes that round, which is why a sample's
"round handed to a node" can come before its post (negative).
"""

from __future__ import annotations

import random
import re
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
            at = c.execute(
                text("select fetched_at from articles where url like :u"), {"u": f"%{path}"}
            ).scalar()
    finally:
        engine.dispose()
    return None if at is None else (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def _round_after(daemon: RunningDaemon, since: float) -> tuple[float, float, str]:
    """(monotonic time of the first round line with a new article after `since`, the seconds the
    round took from its schedule.json to its job seen finished, where it ran), NaNs when not found."""
    for when, line in list(daemon.lines):
        found = re.search(r" 1 new, .* in ([0-9.]+)s", line)
        if when >= since and "crawl round of" in line and found:
            where = re.search(r" on (node \S+|this machine)", line)
            return when, float(found.group(1)), where.group(1) if where else "?"
    return float("nan"), float("nan"), "?"


def _sample(k: int, url: str, site: str, api: FakeBotAPI, daemon: RunningDaemon, interval: int) -> float:
    """Post now; seconds until its alert reached the fake, printed with what they were made of."""
    t0, wall0 = time.monotonic(), time.time()
    with urllib.request.urlopen(f"{site}/__post?source={SOURCE}", timeout=30) as r:
        path = r.read().decode()
    marker = path[3:-5]
    if not api.wait_for(lambda: any(marker in c.text for c in api.sent(CHAT)), timeout=interval + 180):
        raise RuntimeError(f"no alert for post {marker} within {interval + 180}s:\n{daemon.output[-3000:]}")
    alert = next(c.at for c in api.sent(CHAT) if marker in c.text) - t0
    stored = (_stored_at(url, path) or float("nan")) - wall0
    deadline = time.monotonic() + 60  # the dispatcher's own poll may send it before the round ends
    while (found := _round_after(daemon, t0))[2] == "?" and time.monotonic() < deadline:
        time.sleep(0.2)
    done_at, took, where = found
    handed = done_at - took - t0
    print(
        f"latency post {k}: alert after {alert:.1f}s: round handed to {where} at {handed:+.1f}s, "
        f"post stored {stored:.1f}s, job seen finished {done_at - t0:.1f}s (round {took:.1f}s), "
        f"alert sent {alert - (done_at - t0):+.1f}s from that",
        flush=True,
    )
    return alert


def measure_latency(
    url: str, site: str, nodes: list[str], folder: Path, posts: int, interval: int
) -> list[float]:
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
        rng = random.Random(7)
        samples = []
        for k in range(posts):
            time.sleep(rng.uniform(0, interval))
            samples.append(_sample(k + 1, url, site, api, daemon, interval))
        return samples
    finally:
        if daemon is not None:
            daemon.terminate(timeout=60)
        api.stop()


def summary(samples: list[float], interval: int) -> str:
    """The figure bench/scale appends to its last line."""
    return f"post-to-alert p50 {statistics.median(samples):.1f} s max {max(samples):.1f} s (interval {interval} s)"
