"""The fault suite's world: loopback sites (tests/mockserver, in this process), the fake Bot API and
SMTP server, one config, `newsradar run` as a subprocess, and what a harness reads back — stored
articles, alerts received per (channel, story) with their arrival times, database consistency.

An alert is identified the way tests/notifiers does it: the article URLs a message names map to
their story. A second copy of one (channel, story) is inside the documented duplicate window
(tests/notifiers/README.md, "The one duplicate window") only when a kill landed between the first
copy's arrival and the second, at most WINDOW seconds after the first: the send succeeded and the
process (or its database connection) died before the row was marked sent.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import signal
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.fakes.smtp import SMTPServer
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.helpers import write_config
from tests.mockserver.server import MockSites
from tests.mockserver.sites import Newsroom
from tests.scheduler.helpers import RunningDaemon

SUB_CHAT, ADMIN_CHAT = "5001", "9000"
SUB_MAIL, ADMIN_MAIL = "reader@newsradar.test", "ops@newsradar.test"
TOPICS = "digital_currency,sub_center,green_finance,fintech"
SECRET = "fault-suite-secret-key-0123456789abcdef"
HARNESS = "newsradar-fault-harness"  # our own PostgreSQL connections: never the ones we kill
WINDOW = 10.0  # seconds from a send the server accepted to its commit, under a loaded machine
URL = re.compile(r"https?://[^\s\"<>]+\.html")


@dataclass
class Row:
    """One line of the table: one fault kind and what survived it."""

    kind: str
    injected: str
    alerts_expected: int = 0
    alerts_delivered: int = 0
    alerts_duplicated: int = 0  # extra copies, all of them inside the window unless listed in `problems`
    articles_expected: int = 0
    articles_stored: int = 0
    reported: str = "-"
    recovery: float | None = None
    problems: list[str] = field(default_factory=list)  # invariant violations: the run fails
    notes: list[str] = field(default_factory=list)  # findings that are not violations


class World:
    """Sites, fakes, a config and its database for one group of faults."""

    def __init__(self, work: Path, sites: list[Newsroom], *, database: str | None = None,
                 every: str = "2s", smtp_up: bool = True) -> None:  # fmt: skip
        work.mkdir(parents=True, exist_ok=True)
        self.work, self.sites = work, {s.name: s for s in sites}
        self.farm = MockSites()
        self.farm.sites = list(sites)
        self.farm.start()
        self.api = FakeBotAPI().start()
        self.smtp = SMTPServer()
        if smtp_up:
            self.smtp.start()
        self.db_url = database or f"sqlite:///{work / 'newsradar.db'}"
        pg = {"connect_args": {"application_name": HARNESS}} if self.db_url.startswith("postgresql") else {}
        self.engine = create_engine(self.db_url, **pg)
        self.kills: list[float] = []  # monotonic times of SIGKILLs and killed connections
        self.config = write_config(work, self._body(every), self.db_url, crawl="timeout = 1.0\n")
        self.env = {"NEWSRADAR_TELEGRAM_TOKEN": TOKEN, "NEWSRADAR_SECRET_KEY": SECRET}
        self.cli("subscribers", "add", "--telegram-chat", SUB_CHAT, "--topics", TOPICS)
        self.cli("subscribers", "add", "--email", SUB_MAIL, "--topics", TOPICS)

    def _body(self, every: str) -> str:
        sources = "".join(
            f'\n[[sources]]\nname = "{name}"\nkind = "beijing_gov"\nevery = "{every}"\n'
            f'start_urls = ["{self.farm.urls[name]}{Newsroom.COLUMN}"]\n'
            for name in self.sites
        )
        return (
            sources
            + f'\n[telegram]\napi_url = "{self.api.url}"\nadmin_chats = ["{ADMIN_CHAT}"]\n'
            "per_chat_interval = 0\nrate = 300\ntimeout = 3\n"
            f'\n[email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {self.smtp.port}\nsecurity = "none"\n'
            'sender = "alerts@newsradar.test"\ntimeout = 3\n'
            f'\n[alerts]\nadmin_emails = ["{ADMIN_MAIL}"]\npoll_interval = "1s"\nlease = "3s"\n'
            "backoff_base = 0.2\nbackoff_max = 1\nmax_attempts = 40\n"
            '\n[scheduler]\njitter = 0\nbatch_window = "0.3s"\nlease = "2s"\nmax_crawls = 1\n'
            "\n[health]\nfailing_after = 2\n"
        )  # fmt: skip

    # -- the daemon and the CLI --------------------------------------------------------------
    def daemon(self) -> RunningDaemon:
        return RunningDaemon(self.config, env=self.env)

    def cli(self, *args: str) -> str:
        """A command through the same CLI entry point, in this process (cheaper than a subprocess)."""
        from newsradar.cli import main

        out = io.StringIO()
        old = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            with contextlib.redirect_stdout(out):
                code = main(["--config", str(self.config), *args])
        finally:
            for k, v in old.items():
                os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
        if code != 0:
            raise RuntimeError(f"newsradar {' '.join(args)} exited {code}: {out.getvalue()[-500:]}")
        return out.getvalue()

    def status(self) -> dict:
        return json.loads(self.cli("status", "--json"))

    def stop(self) -> None:
        self.api.stop()
        self.smtp.stop()
        self.farm.stop()
        self.engine.dispose()

    # -- what was stored and received --------------------------------------------------------
    def query(self, sql: str) -> list[tuple]:
        try:
            with self.engine.connect() as c:
                return [tuple(r) for r in c.execute(text(sql))]
        except Exception:  # the schema is not there yet, or the database is busy: nothing yet
            return []

    def stored_urls(self) -> set[str]:
        return {u for (u,) in self.query("select url from articles")}

    def story_of_url(self) -> dict[str, int]:
        return {u: s for u, s in self.query("select url, story_id from articles where story_id is not null")}

    def alerting_stories(self) -> set[int]:
        """Stories with a topic: each one is an alert per channel for a subscriber of all topics."""
        return {s for (s,) in self.query("select distinct story_id from story_topics")}

    def received(self) -> dict[str, dict[int, list[float]]]:
        """Per channel: story id -> arrival times of every copy received by the subscriber."""
        urls = self.story_of_url()
        out: dict[str, dict[int, list[float]]] = {"telegram": defaultdict(list), "email": defaultdict(list)}
        texts = [("telegram", c.at, html.unescape(c.text)) for c in self.api.sent(SUB_CHAT)]
        texts += [("email", m.at, _plain(m)) for m in self.smtp.to(SUB_MAIL)]
        for channel, at, body in texts:
            for story in {urls[u] for u in URL.findall(body) if u in urls}:
                out[channel][story].append(at)
        return out

    def admin_notes(self) -> list[str]:
        notes = [html.unescape(c.text) for c in self.api.sent(ADMIN_CHAT)]
        return notes + [_plain(m) for m in self.smtp.to(ADMIN_MAIL)]

    def deliveries(self) -> dict[str, int]:
        return dict(self.query("select status, count(*) from deliveries group by status"))

    def in_window(self, first: float, second: float) -> bool:
        return any(first <= k <= second and k - first <= WINDOW for k in self.kills)


def _plain(message) -> str:
    return message.message.get_body(("plain",)).get_content()


def kill_group(pid: int) -> None:
    """SIGKILL a process group (a crawl child leads its own: it and its ingest worker)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def crawl_children(pid: int) -> list[int]:
    """The crawl processes (`scheduler.child`) a daemon started."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and b"scheduler.child" in (stat.parent / "cmdline").read_bytes():
                out.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return out


def wait(predicate, timeout: float, step: float = 0.5) -> float | None:
    """Seconds until `predicate()` holds, or None when it did not within `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(step)
    return None


def account(world: World, row: Row, expected: set[str]) -> None:
    """Fill `row` from what the world stored and received for the `expected` article URLs; a lost
    article, a lost alert or a duplicate outside the window is a problem."""
    stored = world.stored_urls()
    row.articles_expected += len(expected)
    row.articles_stored += len(expected & stored)
    if expected - stored:
        row.problems.append(f"lost articles: {sorted(expected - stored)[:3]}")
    urls = world.story_of_url()
    stories = {urls[u] for u in expected if u in urls}
    topical = stories & world.alerting_stories()
    if stories - topical:
        row.notes.append(f"{len(stories - topical)} stories without a topic (no alert expected)")
    got = world.received()
    row.alerts_expected += len(got) * len(topical)
    per_channel: dict[str, int] = {}
    for channel, copies in got.items():
        for story in topical:
            times = sorted(copies.get(story, []))
            if not times:
                row.problems.append(f"lost alert: story {story} on {channel}")
                continue
            row.alerts_delivered += 1
            row.alerts_duplicated += len(times) - 1
            per_channel[channel] = per_channel.get(channel, 0) + len(times) - 1
            outside = [t for t in times[1:] if not world.in_window(times[0], t)]
            if outside:
                row.problems.append(f"duplicate outside the window: story {story} on {channel}")
    inside = row.alerts_duplicated - sum("outside the window" in p for p in row.problems)
    if inside > 0:
        row.notes.append(
            f"{inside} extra copies ({', '.join(f'{k} {v}' for k, v in per_channel.items() if v)}) inside "
            "the documented window: each came after a kill that landed "
            f"at most {WINDOW:g}s after the first copy arrived (a batched message repeats every story it carried)"
        )


def settled(world: World, expected: set[str]) -> bool:
    """Every expected article stored, no alert left to send, each of their stories received."""
    if not expected <= world.stored_urls():
        return False
    d = world.deliveries()
    if d.get("pending") or d.get("sending"):
        return False
    urls = world.story_of_url()
    topical = {urls[u] for u in expected if u in urls} & world.alerting_stories()
    got = world.received()
    return all(story in copies for copies in got.values() for story in topical)


def consistency(world: World) -> list[str]:
    """What a consistent database holds after the run: no duplicate or story-less article, no
    alert for a missing story, nothing stuck in flight or dead."""
    bad = []
    checks = {
        "articles stored twice": "select count(*) - count(distinct url) from articles",
        "articles without a story": "select count(*) from articles where story_id is null",
        "stories without an article": "select count(*) from stories s where not exists "
        "(select 1 from articles a where a.story_id = s.id)",
        "alerts for a missing story": "select count(*) from deliveries d where d.story_id is not null "
        "and not exists (select 1 from stories s where s.id = d.story_id)",
        "alerts still in flight": "select count(*) from deliveries where status in ('sending', 'pending')",
        "dead alerts": "select count(*) from deliveries where status = 'dead'",
    }
    for what, sql in checks.items():
        rows = world.query(sql)
        if not rows:
            bad.append(f"could not check {what}")
        elif rows[0][0]:
            bad.append(f"{what}: {rows[0][0]}")
    if world.db_url.startswith("sqlite"):
        rows = world.query("pragma integrity_check")
        if rows != [("ok",)]:
            bad.append(f"sqlite integrity_check: {rows[:3]}")
    return bad
