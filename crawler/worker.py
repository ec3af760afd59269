"""The ingest worker: a second process that stores articles while the crawl keeps downloading.

Plain pipes, not a process pool: the pool's feeder and manager threads fight the reactor for the
GIL on every item. Here the reactor writes a pickled article only while fewer than
`MAX_IN_FLIGHT` are unanswered and the request pipe is enlarged to hold them all, so a write never
blocks; answers are read when their pipe is readable. The window is wide because the reactor
tends to the pipe only between callbacks: the worker must have work queued meanwhile. The worker
stores what has arrived (waiting briefly for a batch: `BATCH`) in one transaction, in the order
received.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from collections import deque
from itertools import count
from multiprocessing.connection import Connection
from typing import Any

from processor.items import ArticleData

from .store import open_store

__all__ = ["WORKER_SETTINGS", "IngestWorker", "WorkerDied", "start_worker"]

log = logging.getLogger(__name__)
MAX_IN_FLIGHT = 48  # articles pickle to ~10-20 KB; the request pipe is grown to 1 MB for them
_PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = 1031  # Linux fcntl
# A transaction of one article costs about twice the CPU per article of one of 8 or more (the
# batch's reads and the commit): a worker that keeps up with the crawl waits up to BATCH_WAIT
# seconds for a batch of BATCH. The crawl's end (None) ends the wait at once.
BATCH, BATCH_WAIT = 16, 0.05
# What the worker process needs: plain data only (it imports neither Scrapy nor the config).
WORKER_SETTINGS = ("NEWSRADAR_DATABASE_URL", "NEWSRADAR_TOPICS")


def _grow(conn: Connection) -> int:
    """Enlarge a pipe's kernel buffer; returns how many articles may be in flight."""
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), _F_SETPIPE_SZ, _PIPE_BYTES)
        return MAX_IN_FLIGHT
    except (ImportError, OSError):  # not Linux, or a lower pipe-max-size: stay in 64 KB
        return 3


class WorkerDied(RuntimeError):
    """The worker process is gone; the articles it held were not stored (and will be fetched again)."""


def _next_batch(conn: Connection) -> tuple[list[Any], bool]:
    """What is waiting (after at least one item; under BATCH items, what arrives within
    BATCH_WAIT more), and whether the crawl is done: it sent None, or it ended without a word
    (stopped early), which is the same here since it sends nothing more."""
    batch: list[Any] = []
    try:
        batch.append(conn.recv())
        deadline = time.monotonic() + BATCH_WAIT
        while batch[-1] is not None:
            if conn.poll():  # whatever else is already waiting
                batch.append(conn.recv())
            elif len(batch) < BATCH and conn.poll(max(0.0, deadline - time.monotonic())):
                batch.append(conn.recv())
            else:
                break
    except EOFError:
        return batch, True
    if batch[-1] is None:
        return batch[:-1], True
    return batch, False


def _serve(requests: Connection, answers: Connection, settings: dict[str, Any]) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    store = open_store(settings, migrate=False)  # plain data: no Scrapy, no config file in the worker
    stop = False
    while not stop:
        batch, stop = _next_batch(requests)
        if not batch:
            continue
        results = store.ingest_many([item for _, item in batch])
        for (key, _), result in zip(batch, results, strict=True):
            if isinstance(result, Exception):  # reported per article; the worker goes on
                answers.send(("error", key, f"{type(result).__name__}: {result}"))
            else:
                answers.send(("ok", key, result))
    answers.close()


class IngestWorker:
    """Owns the worker process; `submit` is awaited by the item pipeline on the reactor's loop."""

    def __init__(self, settings: dict[str, Any]) -> None:
        ctx = multiprocessing.get_context("spawn")  # never fork a process running a reactor
        child_requests, self.requests = ctx.Pipe(duplex=False)
        self.conn, child_answers = ctx.Pipe(duplex=False)
        self.window = _grow(self.requests)
        self.process = ctx.Process(
            target=_serve,
            args=(child_requests, child_answers, settings),
            name="newsradar-ingest",
            daemon=True,
        )
        self.process.start()
        child_requests.close()
        child_answers.close()
        self.keys = count()
        self.waiting: deque[tuple[int, ArticleData]] = deque()
        self.futures: dict[int, asyncio.Future] = {}
        self.in_flight = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.dead: str | None = None
        self.closed = False

    def submit(self, item: ArticleData) -> asyncio.Future:
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
            self.loop.add_reader(self.conn.fileno(), self._readable)
        future = self.loop.create_future()
        if self.dead:
            future.set_exception(WorkerDied(self.dead))
            return future
        key = next(self.keys)
        self.futures[key] = future
        self.waiting.append((key, item))
        self._pump()
        return future

    def _pump(self) -> None:
        while self.waiting and self.in_flight < self.window and not self.dead:
            self.requests.send(self.waiting.popleft())
            self.in_flight += 1

    def _readable(self) -> None:
        try:
            while self.conn.poll():
                kind, key, value = self.conn.recv()
                self.in_flight -= 1
                future = self.futures.pop(key)
                if kind == "ok":
                    future.set_result(value)
                else:
                    future.set_exception(RuntimeError(value))
        except (EOFError, OSError):
            self._died(f"ingest worker exited (code {self.process.exitcode})")
        self._pump()

    def _died(self, reason: str) -> None:
        self.dead = reason
        if self.loop is not None:
            self.loop.remove_reader(self.conn.fileno())
        for future in self.futures.values():
            if not future.done():
                future.set_exception(WorkerDied(reason))
        self.futures.clear()
        self.waiting.clear()

    def close(self) -> None:
        """Ask the worker to finish; everything submitted has been answered by now. Once only:
        later calls do nothing (an early-started worker is closed by its crawl, or on failure)."""
        if self.closed:
            return
        self.closed = True
        if self.loop is not None and not self.dead:
            self.loop.remove_reader(self.conn.fileno())
        try:
            if not self.dead:
                self.requests.send(None)
        except OSError:
            pass
        self.process.join(30)
        if self.process.is_alive():
            log.error("ingest worker did not stop; terminating it")
            self.process.terminate()
        self.conn.close()
        self.requests.close()


def start_worker(settings: dict[str, Any]) -> IngestWorker | None:
    """The ingest worker these crawl settings ask for (None: ingest_worker = false or no
    database), started now: a caller that starts it before importing Scrapy and migrating lets
    its start-up (imports, the classifier) overlap theirs, off the crawl's critical path. The
    worker touches the database only when the first article arrives; pass it to crawl_sources,
    which closes it (close it yourself if the crawl never starts)."""
    if not (settings.get("NEWSRADAR_INGEST_WORKER", True) and settings.get("NEWSRADAR_DATABASE_URL")):
        return None
    return IngestWorker({k: settings.get(k) for k in WORKER_SETTINGS})
