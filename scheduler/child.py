"""One crawl round in a child process: `python -m scheduler.child` reads its job as JSON on stdin.

Scrapy's Twisted reactor cannot be restarted, so the daemon crawls each round in a fresh
process (as Scrapyd does per job): memory is returned after every round and a crash or a hang
ends only the child. The child records each source's figures itself (so they survive the
daemon) and writes one JSON line per source to stdout for the daemon's log.
"""

from __future__ import annotations

import os
import signal


def _stop_before_start(_signum: int, _frame: object) -> None:
    """The daemon stopped the round before Scrapy started (it takes over SIGINT once its reactor
    runs): nothing has been fetched or stored yet, so end now, without a KeyboardInterrupt
    traceback from whatever import was under way."""
    os._exit(0)


signal.signal(signal.SIGINT, _stop_before_start)  # first: a stop may come during the imports below

import dataclasses  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

__all__ = ["main"]


def _watch_parent(parent: int) -> None:
    """End the whole crawl (and its ingest worker) if the daemon dies, even by SIGKILL,
    so a standby taking over never crawls the same source beside an orphan."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os.killpg(os.getpgid(0), signal.SIGKILL)


def main() -> int:
    job = json.loads(sys.stdin.read())
    level = getattr(logging, str(job.get("log_level", "WARNING")).upper(), logging.WARNING)
    handler = logging.StreamHandler()
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    threading.Thread(target=_watch_parent, args=(job["parent"],), daemon=True).start()

    from crawler.worker import start_worker  # no Scrapy

    # The ingest worker first, as `newsradar crawl` does: its start-up overlaps Scrapy's import.
    worker = start_worker(job["settings"])
    try:
        from crawler import crawl_sources

        # The same call as `newsradar crawl`: the crawl, then each source's health recorded.
        reports = crawl_sources(
            job["sources"], job["settings"], verbose=int(level < logging.WARNING), worker=worker
        )
    finally:
        if worker is not None:
            worker.close()  # the crawl closed it already, unless it failed before
    for r in reports:
        sys.stdout.write(json.dumps(dataclasses.asdict(r), ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
