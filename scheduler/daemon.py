"""`newsradar run`: one long-lived process that leads and keeps the schedule.

The jobs are the ones the commands run, each beside the code it runs: crawl rounds in child
processes (scheduler.runner → crawler.crawl_sources), the one long-lived dispatcher
(notifiers.dispatch.make_dispatcher, woken after a crawl or a digest), digests
(scheduler.digest_clock → processor.queue_digests) and the source watch (scheduler.watch). Everything
but the crawl (APScheduler's AsyncIOScheduler, the dispatcher, the bot, the web) shares one
asyncio loop, and database work runs in threads so the loop never stalls.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from storage import Database, utcnow

from .digest_clock import DigestClock, digest_job, effective_digest
from .leader import Leader
from .rounds import crawl_round
from .runner import RoundResult, record_failure
from .services import start_bot, start_web, stop_bot
from .settings import HealthSettings, SchedulerSettings
from .watch import watch_job

__all__ = ["Daemon", "DaemonSetup"]

log = logging.getLogger("newsradar.run")


@dataclass
class DaemonSetup:
    """What the `run` command hands the daemon: the loaded config and what it derived from it."""

    config: Any  # newsradar.config.Config
    db: Database
    crawl_settings: dict[str, Any]  # Scrapy settings for the child crawls
    labels: dict[str, str] = field(default_factory=dict)  # topic id -> label
    topics: list[Any] = field(default_factory=list)
    out: TextIO | None = None
    verbose: int = 0
    crawl_command: list[str] | None = None  # the child process (tests substitute a crashing one)


class Daemon:
    def __init__(self, setup: DaemonSetup, *, once: bool = False) -> None:
        from notifiers import notifier_settings
        from notifiers.admin import AdminNotes

        cfg = setup.config
        self.setup, self.once, self.db, self.out = setup, once, setup.db, setup.out
        self.sched: SchedulerSettings = cfg.sections.get("scheduler") or SchedulerSettings()
        self.health: HealthSettings = cfg.sections.get("health") or HealthSettings()
        self.notifier = notifier_settings(cfg)
        self.admin_notes = AdminNotes(self.notifier)
        self.digest = effective_digest(cfg.sections.get("digest"), self.notifier.alerts.digest_hour)
        self.clock = DigestClock(self.digest, [t.id for t in setup.topics], self.notifier.alerts.digest_empty)
        self.sources = {s.name: s for s in cfg.sources if s.enabled}
        self.leader = Leader(self.db, self.sched.lease)
        self.pending: set[str] = set()
        self.running: set[str] = set()
        self.rounds: set[asyncio.Task] = set()
        self.rounds_done = 0
        self.last_where: str | None = None  # where the last round ran (a node, or why not), for status
        self._batch_timer: asyncio.TimerHandle | None = None
        self.dispatcher: Any = None  # the one dispatcher (notifiers.dispatch), while leading
        self._stopping = False
        self._lost = False
        self.web_url: str | None = None  # the archive's address once it listens ([web] set)

    # -- lifecycle ---------------------------------------------------------------------------
    def request_stop(self, *_: Any) -> None:
        if not self._stopping:
            log.warning("stopping: letting in-flight sends finish, ending the running crawl")
        self._stopping = True
        self.stop.set()

    async def run(self) -> int:
        """Lead (or wait as a standby) until stopped; returns the exit status."""
        loop = asyncio.get_running_loop()
        self.stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self.request_stop)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - not the main thread
                pass
        while not self._stopping:
            if not await self._become_leader():
                return 0
            try:
                if self.once:
                    await self._once()
                    return 0
                await self._lead()
            finally:
                await self._release()
            if self._lost and not self._stopping:
                self._lost = False
                self.stop = asyncio.Event()
                continue
        return 0

    async def _release(self) -> None:
        """Hand leadership over; a database that does not answer (a cut link) is not waited for:
        the lock dies with the session and the lease row expires."""
        try:
            await asyncio.wait_for(asyncio.to_thread(self.leader.release), timeout=self.leader.lease / 3)
        except TimeoutError:
            log.warning("could not release the leader lock (database unreachable); it expires by itself")

    async def _become_leader(self) -> bool:
        told = False
        while not self._stopping:
            try:
                if await asyncio.to_thread(self.leader.try_acquire):
                    if told:
                        self._say("newsradar run: the leader is gone; this daemon takes over")
                    return True
                who = await asyncio.to_thread(self.leader.who)
            except Exception as exc:  # the database is unreachable: wait, as a standby would
                log.warning("cannot reach the database to see who leads (%s); trying again", exc)
                await self._sleep(self.leader.renew_every)
                continue
            what = "another newsradar run leads this database"
            if who:
                what += f" (pid {who['pid']} on {who['host']}, since {_local(who['started_at'])})"
            if self.once:
                self._say(f"newsradar run --once: {what}; nothing done")
                return False
            if not told:
                self._say(f"newsradar run: standby: {what}; waiting to take over")
                told = True
            await self._sleep(self.leader.renew_every)
        return False

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self.stop.wait(), timeout=seconds)
        except TimeoutError:
            pass

    def _say(self, text: str) -> None:
        """Printed for whoever started the daemon; logged only when there is no such output (a
        terminal shows the log too, and the same line twice reads like two daemons)."""
        if self.out is None:
            log.info("%s", text)
        else:
            print(text, file=self.out, flush=True)

    # -- leading -----------------------------------------------------------------------------
    async def _lead(self) -> None:
        from apscheduler.executors.asyncio import AsyncIOExecutor
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        from .plan import jitter_for

        now = datetime.now(UTC)
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            executors={"default": AsyncIOExecutor()},  # jobs run on this loop, not in threads
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        for s in self.sources.values():
            trigger = IntervalTrigger(
                seconds=s.every,
                jitter=jitter_for(s.every, self.sched) or None,
                start_date=now + timedelta(seconds=s.every),
            )
            self.scheduler.add_job(
                self._due_job, trigger, args=[s.name], id=f"crawl:{s.name}", name=f"crawl {s.name}"
            )
        self.scheduler.add_job(self._digest_tick, IntervalTrigger(seconds=60), id="digest", next_run_time=now)
        self.scheduler.add_job(self._renew, IntervalTrigger(seconds=self.leader.renew_every), id="lease")
        self.scheduler.add_job(self._watch, IntervalTrigger(hours=1), id="watch", args=[list(self.sources)])
        poll = IntervalTrigger(seconds=self.notifier.alerts.poll_interval)
        self.scheduler.add_job(self._retry_notes, poll, id="admin-notes")
        self.scheduler.start()
        web = start_web(self.setup.config, self._say)
        self.web_url = getattr(web, "archive_url", None)
        tasks = [asyncio.create_task(self._wakeups())]
        if web is not None:  # a taken port moved it: links in alerts follow (notifiers read [web])
            from notifiers import notifier_settings

            self.notifier = notifier_settings(self.setup.config)
            tasks.append(asyncio.create_task(web.serve()))
        tasks.append(asyncio.create_task(self._dispatch_forever()))  # after the web: its links
        bot = await start_bot(self.db, self.notifier, self.setup.topics, self.setup.config)
        await asyncio.to_thread(self._announce)
        for name in self.sources:
            self._due(name)
        await self._renew()
        await self.stop.wait()
        if web is not None:
            web.should_exit = True
        await self._shutdown(tasks, bot)

    async def _wakeups(self) -> None:
        """Look at the job store every few seconds: call_later runs on the monotonic clock, which
        stands still while a laptop sleeps, and missed runs must coalesce promptly on resume."""
        while True:
            await self._sleep(5.0)
            if self.stop.is_set():
                return
            self.scheduler.wakeup()

    async def _shutdown(self, tasks: list[asyncio.Task], bot: Any) -> None:
        self.scheduler.shutdown(wait=False)
        if self._batch_timer is not None:
            self._batch_timer.cancel()
            self._batch_timer = None  # else, leading again, no crawl would ever launch (bench/faults)
        if self.dispatcher is not None:
            self.dispatcher.stop()
        if bot is not None:
            await stop_bot(bot)
        waiting = [*self.rounds, *tasks]
        done, late = await asyncio.wait(waiting, timeout=8.0) if waiting else (set(), set())
        for task in late:
            task.cancel()
        if late:
            log.warning(
                "%d tasks did not stop in time; claimed alerts return to the queue after their lease",
                len(late),
            )

    async def _renew(self) -> None:
        """Confirm the lock or lease; a leader that cannot within `confirm_within` of the last
        confirmation (a cut link: the call hangs) stops acting before a standby may take over."""
        info = self._status_info()
        left = self.leader.confirmed_at + self.leader.confirm_within - time.monotonic()
        try:
            ok = await asyncio.wait_for(
                asyncio.to_thread(self.leader.renew, info), timeout=max(left, self.leader.lease / 6)
            )
        except TimeoutError:
            log.error(
                "could not confirm the leader lock within %.0fs (database unreachable): "
                "this daemon stops crawling and sending",
                self.leader.confirm_within,
            )
            ok = False
        if not ok:
            self._lost = True
            self.stop.set()

    def _status_info(self) -> dict[str, Any]:
        nxt = {}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("crawl:") and job.next_run_time is not None:
                nxt[job.id[6:]] = job.next_run_time.astimezone(UTC).isoformat()
        from .plan import next_digest_at
        from .settings import zone

        digest = next_digest_at(utcnow(), zone(self.digest.timezone), self.digest.at)
        return {
            "next_runs": nxt, "running": sorted(self.running), "rounds": self.rounds_done,
            "digest_next": digest.isoformat(), "digest_zone": self.digest.timezone,
            "last_round_on": self.last_where,
        }  # fmt: skip

    # -- crawling ----------------------------------------------------------------------------
    async def _due_job(self, name: str) -> None:
        self._due(name)

    def _due(self, name: str) -> None:
        """A source's run is due: batch it with the others due now, unless it is still crawling."""
        if name in self.running:
            log.info("%s is still being crawled: this run is skipped", name)
            return
        self.pending.add(name)
        if self._batch_timer is None:
            delay = 0.0 if self.once else self.sched.batch_window
            self._batch_timer = asyncio.get_running_loop().call_later(delay, self._launch)

    def _launch(self) -> None:
        self._batch_timer = None
        if self.stop.is_set() or not self.pending or len(self.rounds) >= self.sched.max_crawls:
            return
        names = sorted(self.pending - self.running)
        self.pending.clear()
        if names:
            task = asyncio.ensure_future(self._round(names))
            self.rounds.add(task)

    async def _round(self, names: list[str]) -> RoundResult:
        sources = [self.sources[n] for n in names]
        self.running.update(names)
        try:
            result = await crawl_round(
                [s.plain() for s in sources],
                self.setup.crawl_settings,
                crawl=self.setup.config.crawl, db=self.db,
                time_limit=self.setup.config.crawl.time_limit(min(s.every for s in sources)),
                stop=self.stop, log_level="INFO" if self.setup.verbose else "WARNING",
                command=self.setup.crawl_command,
            )  # fmt: skip
            self.rounds_done += 1
            self.last_where = result.where or "this machine"
            ok = result.outcome == "ok" and not result.unreachable()
            (log.info if ok else log.warning)("%s", result.summary())
            if result.outcome in ("killed", "crashed"):
                await asyncio.to_thread(record_failure, self.db, result)
            if result.outcome != "stopped":
                self._wake_dispatch()
                await self._watch(names)
            return result
        finally:
            self.running.difference_update(names)
            self.rounds.discard(asyncio.current_task())  # type: ignore[arg-type]
            if self.pending and self._batch_timer is None and not self.stop.is_set():
                self._launch()

    # -- the watch, alerts and digests: the jobs beside the code they run ---------------------
    async def _watch(self, names: list[str]) -> None:
        labels = {n: self.sources[n].label for n in names if n in self.sources}
        await watch_job(self.db, labels, self.health, self.admin_notes)

    async def _retry_notes(self) -> None:
        if self.admin_notes.pending:
            from common import secret_key

            await self.admin_notes.retry_due(await asyncio.to_thread(secret_key, self.db))

    def _wake_dispatch(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.wake()

    def _dispatcher(self) -> Any:
        from notifiers import source_titles
        from notifiers.dispatch import make_dispatcher

        return make_dispatcher(
            self.db, self.notifier, self.out or sys.stdout, labels=self.setup.labels,
            source_titles=source_titles(self.setup.config), on_batch=_log_batch,
        )  # fmt: skip

    async def _dispatch_forever(self) -> None:
        """The one dispatcher of this daemon: polls every [alerts] poll_interval, woken early when
        a crawl stored something or digests were queued; senders stay open between batches."""
        while not self.stop.is_set():
            self.dispatcher = self._dispatcher()
            if self.stop.is_set():  # stopped while it was being made
                return
            try:
                _log_batch(await self.dispatcher.run(loop=True))
                return
            except Exception:
                log.exception("dispatch failed; starting again at the next poll")
            await self._sleep(self.notifier.alerts.poll_interval)

    async def _digest_tick(self) -> None:
        if await digest_job(self.db, self.clock):
            self._wake_dispatch()

    # -- --once ------------------------------------------------------------------------------
    async def _once(self) -> None:
        if self.sources:
            await self._round(sorted(self.sources))
        await self._digest_tick()
        _log_batch(await self._dispatcher().run())

    # -- the bot and the start-up summary ----------------------------------------------------
    def _announce(self) -> None:
        from .announce import describe

        self._say(describe(self))


def _log_batch(report: Any) -> None:
    """One line per dispatch batch that did something (debug otherwise), and what waits why."""
    if report.sent or report.retrying or report.dead or report.skipped or report.deactivated:
        log.info("%s (%d digests)", report.summary(), report.digests)
    else:
        log.debug("%s", report.summary())
    for kind, n in sorted(report.waiting.items()):
        log.warning("%d %s alerts wait: %s", n, kind, report.unavailable.get(kind, "unavailable"))


def _local(value: Any) -> str:
    from storage import to_beijing

    return to_beijing(value).strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value)
