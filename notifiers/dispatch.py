"""The dispatcher: claims due outbox rows channel by channel, sends them, records the outcome.

Guarantees (see storage.deliveries for the row life cycle):
- every claimed row ends sent, pending again (retry with backoff), dead or skipped; a row the
  process could not settle (killed) is reclaimed by any dispatcher once its lease expires;
- a row is marked sent right after its own send, so a crash costs at most the in-flight sends;
- sends stop when this process can no longer be sure it holds its lease (renewals failing), so
  an expired lease is never used to send;
- channel kinds that are not configured ([telegram] without NEWSRADAR_TELEGRAM_TOKEN, no
  [email] ...) are left pending, untouched, and reported, so nothing is lost before setup;
- daily digests are rows like alerts; a digest split over several messages records its
  progress after each part and is settled by its last, so a retry never repeats a sent part.

Database work runs on one worker thread so a busy SQLite never stalls the sending event loop.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TextIO, TypeVar

from storage import Database, deliveries
from storage.subscribers import deactivate_channel

from .alerts import ChannelBatch, load_batches
from .base import DispatchReport, Permanent, Sender, SenderUnavailable, Sent, Transient
from .senders import SenderPool
from .settings import NotifierSettings

__all__ = ["DispatchReport", "Dispatcher", "make_dispatcher", "run_dispatch"]

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_ROWS_PER_CHANNEL = 50


class Dispatcher:
    """One dispatching process; several may run at once against one database."""

    def __init__(
        self,
        db: Database,
        settings: NotifierSettings,
        senders: Mapping[str, Sender] | SenderPool,
        *,
        unavailable: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
        source_titles: Mapping[str, str] | None = None,
        worker: str | None = None,
        concurrency: int = 128,
        delivery_kinds: tuple[str, ...] = (),
        on_batch: Callable[[DispatchReport], None] | None = None,
    ) -> None:
        self.db = db
        self.pool = senders if isinstance(senders, SenderPool) else None
        self.on_batch = on_batch  # with loop=True: told each batch's report, which then starts afresh
        self.delivery_kinds = delivery_kinds  # only these rows ("alert", "digest"); () for all
        self.settings = settings
        self.alerts = settings.alerts
        self.senders: dict[str, Sender] = {} if self.pool is not None else dict(senders)  # type: ignore[arg-type]
        self.labels = dict(labels or {})
        self.source_titles = dict(source_titles or {})
        self.worker = worker or f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.concurrency = concurrency
        self.report = DispatchReport(unavailable=dict(unavailable or {}))
        self._dbx = ThreadPoolExecutor(1, thread_name_prefix="outbox")
        self._lease_deadline = 0.0
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()

    # -- plumbing -------------------------------------------------------------------------
    async def _db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def run() -> T:
            with self.db.session() as session:
                return fn(session, *args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._dbx, run)

    def stop(self) -> None:
        """Finish what is in flight, claim nothing more."""
        self._stop.set()

    def wake(self) -> None:
        """Look for due rows now (a crawl stored alerts, digests were queued), not at the next poll."""
        self._wake.set()

    def _lease_ok(self) -> bool:
        return time.monotonic() < self._lease_deadline - self.alerts.lease / 3

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self.alerts.lease / 4)
            started = time.monotonic()
            try:
                await self._db(deliveries.extend_lease, self.worker, self.alerts.lease)
                self._lease_deadline = started + self.alerts.lease
            except Exception:
                log.warning("could not renew leases; sends pause when they run short", exc_info=True)

    async def _start_senders(self) -> None:
        if self.pool is not None:  # started already, rebuilt only when a secret changed
            senders, missing = await self.pool.current()
            self.senders, self.report.unavailable = dict(senders), dict(missing)
            return
        for kind, sender in list(self.senders.items()):
            try:
                await sender.start()
            except SenderUnavailable as exc:
                self._unusable(kind, str(exc))

    def _unusable(self, kind: str, why: str) -> None:
        sender = self.senders.pop(kind, None)
        self.report.unavailable[kind] = why
        log.warning("%s alerts wait: %s", kind, why)
        if self.pool is not None:
            self.pool.spoil()  # the pool closes and rebuilds it before the next pass
        elif sender is not None:
            asyncio.ensure_future(sender.close())

    # -- main loop ------------------------------------------------------------------------
    async def _warm_charts(self) -> None:
        """Digests carry a chart: load matplotlib before claiming, not while holding a lease."""
        if self.delivery_kinds and "digest" not in self.delivery_kinds:
            return

        def pending(session) -> bool:
            from sqlalchemy import select

            from storage import Delivery

            q = select(Delivery.id).where(Delivery.kind == "digest", Delivery.status == "pending").limit(1)
            return session.scalar(q) is not None

        if await self._db(pending):
            from .chart import warm

            await asyncio.to_thread(warm)

    async def run(self, *, loop: bool = False) -> DispatchReport:
        """Drain due rows (and with loop=True keep polling until stop())."""
        await self._start_senders()
        await self._warm_charts()
        self._lease_deadline = time.monotonic() + self.alerts.lease
        renew = asyncio.create_task(self._renew_leases())
        in_flight: dict[int, asyncio.Task] = {}
        try:
            while True:
                claimed = 0
                free = self.concurrency - len(in_flight)
                if free > 0 and not self._stop.is_set() and self._lease_ok():
                    ids = await self._db(
                        deliveries.claim, self.worker, lease=self.alerts.lease, max_channels=free,
                        max_rows_per_channel=MAX_ROWS_PER_CHANNEL, exclude_channels=list(in_flight),
                        exclude_kinds=sorted(self.report.unavailable), delivery_kinds=self.delivery_kinds,
                    )  # fmt: skip
                    if ids:
                        self._lease_deadline = time.monotonic() + self.alerts.lease
                        claimed = len(ids)
                        for batch in await self._db(load_batches, ids, self.labels, self.source_titles):
                            in_flight[batch.channel_id] = asyncio.create_task(self._serve(batch))
                if claimed and len(in_flight) < self.concurrency:
                    continue  # more may be due: fill the free slots first
                if in_flight:
                    # Wake on the first finished channel, or soon anyway to pick up rows now due.
                    done, _ = await asyncio.wait(
                        in_flight.values(),
                        timeout=None if self._stop.is_set() else 0.5,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    for task in done:
                        in_flight.pop(next(k for k, t in in_flight.items() if t is task))
                        task.result()
                    continue
                if not loop or self._stop.is_set():
                    break
                await self._between_batches()
            if self.report.unavailable:
                pending = await self._db(deliveries.pending_by_kind)
                for kind in self.report.unavailable:
                    if pending.get(kind):
                        self.report.waiting[kind] = pending[kind]
        finally:
            if in_flight:
                await asyncio.gather(*in_flight.values(), return_exceptions=True)
            renew.cancel()
            if self.pool is not None:
                await self.pool.close()
            for sender in self.senders.values() if self.pool is None else ():
                await sender.close()
            self._dbx.shutdown(wait=True)
        return self.report

    async def _between_batches(self) -> None:
        """Report the batch, release idle connections, sleep until woken or the next poll."""
        if self.on_batch is not None:
            if self.report.unavailable:
                pending = await self._db(deliveries.pending_by_kind)
                self.report.waiting = Counter(
                    {k: pending[k] for k in self.report.unavailable if pending.get(k)}
                )
            self.on_batch(self.report)
            self.report = DispatchReport(unavailable=dict(self.report.unavailable))
        if self.pool is not None:
            await self.pool.rest()
        waits = [asyncio.ensure_future(self._stop.wait()), asyncio.ensure_future(self._wake.wait())]
        await asyncio.wait(waits, timeout=self.alerts.poll_interval, return_when=asyncio.FIRST_COMPLETED)
        for w in waits:
            w.cancel()
        self._wake.clear()
        if not self._stop.is_set():
            await self._start_senders()

    async def _retry(self, ids: list[int], error: str, not_before: float = 0) -> tuple[int, int]:
        """Back into the queue with backoff; (retrying, dead) once attempts run out."""
        return await self._db(
            deliveries.mark_retry, ids, self.worker, error,
            max_attempts=self.alerts.max_attempts, backoff_base=self.alerts.backoff_base,
            backoff_max=self.alerts.backoff_max, not_before=not_before,
        )  # fmt: skip

    async def _prepare(self, batch: ChannelBatch) -> tuple[Any, list[Any]] | None:
        """The sender and rendered messages, or None when the rows were settled or left waiting."""
        ids = batch.delivery_ids
        if not batch.active or batch.paused:
            why = "channel inactive" if not batch.active else "subscriber paused"
            self.report.skipped += await self._db(deliveries.mark_skipped, ids, self.worker, why)
            return None
        sender = self.senders.get(batch.kind)
        if sender is None:
            why = self.report.unavailable.get(batch.kind) or f"no sender for channel kind {batch.kind!r}"
            self.report.unavailable.setdefault(batch.kind, why)
            await self._db(deliveries.release, ids, self.worker, note=why)
            return None
        try:
            return sender, sender.render(batch)
        except Exception as exc:  # a bug in rendering: keep the rows, retry with backoff
            log.exception("rendering alerts for channel %s failed", batch.channel_id)
            await self._retry(ids, f"render: {type(exc).__name__}: {exc}")
            return None

    async def _serve(self, batch: ChannelBatch) -> None:
        """Send one channel's claimed rows in order; settle each message's rows right after it."""
        ids = batch.delivery_ids
        prepared = await self._prepare(batch)
        if prepared is None:
            return
        sender, messages = prepared
        settled: set[int] = set()  # rows given up on while later messages still name them
        for i, message in enumerate(messages):
            mine = message.delivery_ids
            if settled.issuperset(mine):
                continue
            rest = list(dict.fromkeys(d for m in messages[i + 1 :] for d in m.delivery_ids if d not in mine))
            if not self._lease_ok():
                log.warning("lease too short to send safely; leaving %d rows to expire", len(ids))
                return
            try:
                outcome = await sender.send(batch, message)
            except SenderUnavailable as exc:
                self._unusable(batch.kind, str(exc))
                self.report.waiting[batch.kind] += await self._db(
                    deliveries.release, mine + rest, self.worker, note=str(exc)
                )
                return
            except Exception as exc:  # a bug in rendering/sending: retry later, keep going
                log.exception("sending to %s %s failed", batch.kind, batch.address)
                outcome = Transient(f"{type(exc).__name__}: {exc}")
            if isinstance(outcome, Sent) and message.progress is not None:
                # A part of a split digest: the row stays ours until its last part is sent.
                self.report.messages += 1
                if not await self._db(deliveries.mark_progress, mine, self.worker, message.progress):
                    self.report.lost_leases += len(mine)
                    return  # another dispatcher owns the digest now; it resumes after this part
                continue
            if isinstance(outcome, Sent):
                n = await self._db(deliveries.mark_sent, mine, self.worker)
                self.report.sent += n
                self.report.digests += n if message.digest is not None else 0
                self.report.messages += 1
                self.report.lost_leases += len(mine) - n
                continue
            if isinstance(outcome, Transient):
                retrying, dead = await self._retry(mine, outcome.error, outcome.retry_after)
                self.report.retrying += retrying
                self.report.dead += dead
                if rest:  # not tried: back in the queue without spending an attempt, after a pause
                    pause = max(outcome.retry_after, self.alerts.backoff_base)
                    await self._db(deliveries.release, rest, self.worker, delay=pause)
                return
            assert isinstance(outcome, Permanent)
            if not outcome.deactivate:
                self.report.dead += await self._db(deliveries.mark_dead, mine, self.worker, outcome.error)
                settled.update(mine)
                continue
            await self._deactivate(batch, outcome.error, mine + rest)
            return

    async def _deactivate(self, batch: ChannelBatch, reason: str, ids: list[int]) -> None:
        def work(session) -> int:
            deactivate_channel(session, batch.channel_id, reason)
            session.commit()
            return deliveries.mark_dead(session, ids, self.worker, f"channel deactivated: {reason}")

        self.report.dead += await self._db(work)
        note = f"channel {batch.channel_id} ({batch.kind} {batch.address}) of subscriber {batch.subscriber_id}: {reason}"
        self.report.deactivated.append(note)
        log.warning("deactivated %s", note)
        admin = self.senders.get("telegram")
        if admin is not None:
            await admin.notify_admins(f"⚠️ newsradar deactivated {html.escape(note, quote=False)}")


def make_dispatcher(
    db: Database,
    settings: NotifierSettings,
    out: TextIO,
    *,
    labels: Mapping[str, str] | None = None,
    source_titles: Mapping[str, str] | None = None,
    concurrency: int = 128,
    delivery_kinds: tuple[str, ...] = (),
    on_batch: Callable[[DispatchReport], None] | None = None,
) -> Dispatcher:
    """The dispatcher `newsradar dispatch|digest` and the daemon run: senders from the config and
    the secrets, started once and kept (rebuilt when a secret changes)."""
    return Dispatcher(
        db, settings, SenderPool(settings, out, db), labels=labels, concurrency=concurrency,
        delivery_kinds=delivery_kinds, source_titles=source_titles, on_batch=on_batch,
    )  # fmt: skip


def run_dispatch(
    db: Database,
    settings: NotifierSettings,
    out: TextIO,
    *,
    labels: Mapping[str, str] | None = None,
    source_titles: Mapping[str, str] | None = None,
    loop: bool = False,
    concurrency: int = 128,
    install_signals: bool = False,
    delivery_kinds: tuple[str, ...] = (),
) -> DispatchReport:
    """Run one dispatcher to completion (the commands' entry point)."""

    async def main() -> DispatchReport:
        d = make_dispatcher(
            db, settings, out, labels=labels, concurrency=concurrency,
            delivery_kinds=delivery_kinds, source_titles=source_titles,
        )  # fmt: skip
        if install_signals:
            import signal

            aloop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                try:
                    aloop.add_signal_handler(sig, d.stop)
                except (NotImplementedError, RuntimeError):  # pragma: no cover - not on Windows
                    pass
        return await d.run(loop=loop)

    return asyncio.run(main())
