"""The channel, process and database faults of the fault suite, each under its own `newsradar
run` and database: SMTP down then back and Bot API 500/429 storms; SIGKILLs of the daemon, of
its crawl process (with its ingest worker) and in the middle of a send; PostgreSQL connections
of newsradar's own scratch database terminated under load."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

from bench._faultkit import (
    HARNESS,
    Row,
    World,
    account,
    consistency,
    crawl_children,
    kill_group,
    settled,
    wait,
)
from tests.mockserver.sites import Newsroom

SETTLE = 180.0  # seconds the world gets to deliver everything after the last fault


class Publisher:
    """The sites keep publishing, one article every `every` seconds, round robin, until stopped."""

    def __init__(self, sites: list[Newsroom], every: float) -> None:
        self.sites, self.every, self.stop_event = sites, every, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        n = 0
        while not self.stop_event.wait(self.every):
            self.sites[n % len(self.sites)].publish()
            n += 1

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(5)


def expected_urls(world: World) -> set[str]:
    return {f"{s.base}{s.path(i)}" for s in world.sites.values() for i in range(s.count)}


def _finish(world: World, rows: list[Row], started: float) -> None:
    """Account every row against everything the world published; consistency goes on the first."""
    expected = expected_urls(world)
    for row in rows:
        account(world, row, expected)
    rows[0].problems += consistency(world)
    if rows[0].recovery is None:
        rows[0].recovery = time.monotonic() - started


def run_channels(work: Path, storm: int) -> list[Row]:
    """SMTP refuses connections and the Bot API answers `storm` 500s, then `storm` 429s, while
    articles keep coming; then SMTP comes back."""
    world = World(work / "channels", [Newsroom("c-news", 2)], smtp_up=False)
    world.api.fail("sendMessage", 500, times=storm)
    world.api.flood("sendMessage", retry_after=1, times=storm)
    smtp_row = Row("channels: SMTP down, then back", "")
    bot_row = Row("channels: Bot API 500s, then 429s", "")
    daemon = world.daemon()
    publisher = Publisher(list(world.sites.values()), 4.0)
    try:
        down = time.monotonic()
        wait(lambda: world.api.calls_of("sendMessage") and len(world.api.sent(None)) > 0, 120)
        publisher.stop()
        bot_back = time.monotonic()
        shown = {k: v for k, v in world.status()["deliveries"].items() if v}
        smtp_row.reported = bot_row.reported = "status while SMTP was still down: " + (
            ", ".join(f"{k} {v}" for k, v in shown.items()) or "nothing"
        )
        world.smtp.start()
        smtp_back = time.monotonic()
        took = wait(lambda: settled(world, expected_urls(world)), SETTLE, step=1.0)
        smtp_row.recovery = None if took is None else time.monotonic() - smtp_back
        bot_row.recovery = None if took is None else time.monotonic() - bot_back
    finally:
        publisher.stop()
        daemon.terminate(30)
        (world.work / "daemon.log").write_text(daemon.output)
    statuses = [c.status for c in world.api.calls_of("sendMessage")]
    smtp_row.injected = f"refused connections for {smtp_back - down:.0f}s"
    bot_row.injected = f"{statuses.count(500)} x 500, {statuses.count(429)} x 429"
    for row, channel in ((smtp_row, "email"), (bot_row, "telegram")):
        account_one(world, row, channel)
    smtp_row.problems += consistency(world)
    world.stop()
    return [smtp_row, bot_row]


def account_one(world: World, row: Row, channel: str) -> None:
    """`account` for one channel only: the other channel's fault is the other row's."""
    other = {"email": "telegram", "telegram": "email"}[channel]
    received = world.received

    def only() -> dict:
        got = received()
        got.pop(other)
        return got

    world.received = only  # type: ignore[method-assign]
    try:
        account(world, row, expected_urls(world))
    finally:
        world.received = received  # type: ignore[method-assign]


def _kill_once(world: World, daemon, how: str, rng: random.Random) -> tuple[str, bool]:
    """One SIGKILL of the kind `how`; returns what was hit and whether the daemon died."""
    if how == "crawl":  # the crawl process and its ingest worker, mid-round; the daemon goes on
        if wait(lambda: crawl_children(daemon.proc.pid), 60, step=0.1) is None:
            return "no crawl running", False
        time.sleep(rng.uniform(0.0, 3.0))
        children = crawl_children(daemon.proc.pid)
        for pid in children:
            kill_group(pid)
        world.kills.append(time.monotonic())
        return ("crawl + ingest" if children else "crawl (already done)"), False
    if how == "send":  # delivered, then the reply withheld: the documented window
        world.api.stall_after_delivery("sendMessage", 8.0)
        if wait(lambda: world.api.stalled, 40, step=0.1) is None:
            world.api.stall_after_delivery("sendMessage", 0.0)  # nothing to send: defuse it
            how, what = "daemon", "daemon (nothing to send)"
        else:
            world.api.stalled.clear()
            what = "dispatch, mid-send"
    else:
        time.sleep(rng.uniform(0.5, 6.0))
        what = "daemon" + (" mid-crawl" if crawl_children(daemon.proc.pid) else "")
    for pid in crawl_children(daemon.proc.pid) if how == "all" else []:
        kill_group(pid)
    daemon.proc.kill()
    world.kills.append(time.monotonic())
    daemon.proc.wait(10)
    return what, True


def run_kills(work: Path, kills: int, seed: int = 23) -> list[Row]:
    """`kills` SIGKILLs at random points of crawl, ingest and dispatch, a restart after each
    (as a service manager would); then everything must be there, once."""
    rng = random.Random(seed)
    sites = [Newsroom("k-one", 3), Newsroom("k-two", 3)]
    world = World(work / "kills", sites)
    row = Row("process: SIGKILL", "")
    hits: dict[str, int] = {}
    recoveries: list[float] = []
    logs = []
    daemon = world.daemon()
    publisher = Publisher(sites, 2.5)
    try:
        for n in range(kills):
            how = ("crawl", "send", "daemon", "all")[n % 4]
            what, died = _kill_once(world, daemon, how, rng)
            hits[what] = hits.get(what, 0) + 1
            killed = time.monotonic()
            if died:  # restarted at once, as a service manager would: it leads once the lease ends
                logs.append(daemon.output)
                daemon = world.daemon()
                took = wait(lambda d=daemon: "leading" in d.output or "takes over" in d.output, 120, 0.1)
            else:  # the daemon itself goes on: its next crawl round starts
                took = wait(lambda d=daemon: crawl_children(d.proc.pid), 120, step=0.1)
            recoveries.append(time.monotonic() - killed if took is not None else float("inf"))
            if took is None:
                row.problems.append(f"kill {n + 1} ({what}): no recovery within 120 s")
        publisher.stop()
        started = time.monotonic()
        if wait(lambda: settled(world, expected_urls(world)), SETTLE, step=1.0) is None:
            row.problems.append(f"not settled {SETTLE:.0f}s after the last kill")
    finally:
        publisher.stop()
        daemon.terminate(30)
        (world.work / "daemon.log").write_text("\n\n".join([*logs, daemon.output]))
    row.injected = f"{kills}: " + ", ".join(f"{n} {what}" for what, n in sorted(hits.items()))
    _finish(world, [row], started)
    settle, row.recovery = row.recovery, max(recoveries) if recoveries else None
    row.notes.append(
        "recovery: the longest time from a kill to the daemon leading again (or, after a crawl "
        f"kill, its next crawl starting); everything settled {settle:.0f}s after the last kill"
    )
    world.stop()
    return [row]


TERMINATE = (
    "select pg_terminate_backend(pid) from pg_stat_activity "
    "where datname = %s and pid <> pg_backend_pid() and application_name <> %s"
)


RETAKEN = (
    "took the leader lock again"  # scheduler.leader: the lock's connection was lost, nobody else took it
)


def _leads(text: str) -> int:
    """How often the daemon started leading, or took its lost lock again."""
    return text.count("leading (pid") + text.count(RETAKEN)


def run_postgres(work: Path, waves: int, url: str, seed: int = 5) -> list[Row]:
    """Every few seconds, terminate every connection newsradar holds to its own scratch database
    (never another database's; the server itself is never touched) while articles keep coming."""
    import psycopg

    from tests.helpers import PG_ADMIN

    rng = random.Random(seed)
    name = url.rsplit("/", 1)[1]
    sites = [Newsroom("p-one", 3), Newsroom("p-two", 3)]
    world = World(work / "postgres", sites, database=url)
    row = Row("database: PostgreSQL connections killed", "")
    daemon = world.daemon()
    publisher = Publisher(sites, 2.5)
    terminated, waves_at = 0, []
    try:
        wait(lambda: "leading" in daemon.output, 120, step=0.2)
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            for n in range(waves):
                led = _leads(daemon.output)
                if n % 2 and wait(lambda k=led: _leads(daemon.output) > k, 30, 0.05):
                    pass  # odd waves: the moment it leads (or holds the lock) again, before its next crawl
                else:
                    time.sleep(rng.uniform(2.0, 6.0))
                ended = admin.execute(TERMINATE, (name, HARNESS)).fetchall()
                terminated += sum(1 for (ok,) in ended if ok)
                waves_at.append(time.monotonic())
                world.kills.append(waves_at[-1])
        publisher.stop()
        started = time.monotonic()
        if wait(lambda: settled(world, expected_urls(world)), SETTLE, step=1.0) is None:
            row.problems.append(f"not settled {SETTLE:.0f}s after the last killed connection")
        if daemon.proc.poll() is not None:
            row.problems.append(f"the daemon exited (status {daemon.proc.returncode})")
    finally:
        publisher.stop()
        daemon.terminate(30)
        (world.work / "daemon.log").write_text(daemon.output)
    row.injected = f"{terminated} connections in {waves} waves"
    _finish(world, [row], started)
    back = [t for t, line in daemon.lines if _leads(line) or "crawl round of" in line]
    gaps = [next((b - w for b in back if b > w), None) for w in waves_at]
    settle, row.recovery = row.recovery, max((g for g in gaps if g is not None), default=None)
    relead = daemon.output.count("leading (pid") - 1
    abandoned = daemon.output.count("stopped after") - 1  # the last one: our own SIGTERM
    row.notes.append(
        "recovery: the longest time from a wave to the daemon leading again or finishing a crawl "
        f"round; everything settled {settle:.0f}s after the last wave"
    )
    retaken = daemon.output.count(RETAKEN)
    if retaken:
        row.notes.append(
            f"{retaken} waves cost the leader its lock connection; it took the lock again and carried on"
        )
    if relead > 0:
        row.notes.append(
            f"finding: {relead} waves cost the leader its lock connection; each time the daemon "
            f"stopped leading, ended its running crawl ({abandoned} rounds cut short) and led again"
        )
    world.stop()
    return [row]
