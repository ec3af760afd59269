"""Start a crawl round as a child process, end it on a time limit or on shutdown, report what it did."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CHILD", "RoundResult", "record_failure", "run_round"]

log = logging.getLogger(__name__)
CHILD = [sys.executable, "-m", "scheduler.child"]
STOP_GRACE = 5.0  # seconds a crawl gets to stop cleanly on shutdown before it is killed


@dataclass
class RoundResult:
    """What one crawl process did: per-source figures, or why there are none."""

    sources: list[str]
    reports: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    outcome: str = "ok"  # ok | killed (time limit) | crashed | stopped (shutdown) | lost (its node died)
    detail: str = ""
    where: str = ""  # "node URL (job ID)", or why a round meant for a node ran here; "": here
    job: str = ""  # the Scrapyd job id of a round on a node (several: comma-separated)
    lost: list[str] = field(default_factory=list)  # sources of a lost node job: due again, not failed

    @property
    def new(self) -> int:
        return sum(int(r.get("new", 0)) for r in self.reports)

    def summary(self) -> str:
        """The one log line per crawl round."""
        from crawler.report import not_fetched

        kinds = ("requests", "new", "updated", "errors", "refused", "oversized")
        figures = {k: sum(int(r.get(k, 0)) for r in self.reports) for k in kinds}
        head = f"crawl round of {len(self.sources)} source{'s' if len(self.sources) != 1 else ''} ({', '.join(self.sources)})"
        head += f" on {self.where}" if self.where else ""
        if self.outcome != "ok":
            return f"{head}: {self.outcome} after {self.seconds:.1f}s: {self.detail}"
        line = (
            f"{head}: {figures['requests']} requests, {figures['new']} new, {figures['updated']} updated, "
            f"{figures['errors']} errors in {self.seconds:.1f}s"
        )
        skipped = not_fetched(figures["refused"], figures["oversized"])
        line += f" ({skipped})" if skipped else ""
        unreachable = self.unreachable()
        return f"{line}: {unreachable}" if unreachable else line

    def unreachable(self) -> str | None:
        """The plain line `newsradar crawl` prints when no source answered at all, else None."""
        from crawler.report import SourceReport, unreachable_summary

        fields = SourceReport.__dataclass_fields__
        return unreachable_summary(
            [SourceReport(**{k: v for k, v in r.items() if k in fields}) for r in self.reports]
        )


def _kill(proc: asyncio.subprocess.Process) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the child leads its own group: its ingest worker too
    except ProcessLookupError:
        pass


async def run_round(
    sources: list[dict[str, Any]],
    settings: dict[str, Any],
    *,
    time_limit: float,
    stop: asyncio.Event,
    log_level: str = "WARNING",
    command: list[str] | None = None,
) -> RoundResult:
    """Crawl `sources` in one child process; never raises for what the child does."""
    names = [s["name"] for s in sources]
    job = {"sources": sources, "settings": settings, "log_level": log_level, "parent": os.getpid()}
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *(command or CHILD), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        start_new_session=True,  # Ctrl-C reaches the daemon only; it decides how the crawl stops
    )  # fmt: skip
    result = RoundResult(names)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(json.dumps(job).encode())
        await proc.stdin.drain()
        proc.stdin.close()
    except (BrokenPipeError, ConnectionResetError):
        pass
    output = asyncio.ensure_future(proc.stdout.read())
    waiting = asyncio.ensure_future(proc.wait())
    stopping = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait(
            {waiting, stopping}, timeout=time_limit, return_when=asyncio.FIRST_COMPLETED
        )
        if waiting not in done and stopping in done:
            result.outcome, result.detail = "stopped", "the daemon is shutting down; the next run resumes it"
            proc.send_signal(signal.SIGINT)  # Scrapy stops cleanly: in-flight pages are stored
            try:
                await asyncio.wait_for(asyncio.shield(waiting), STOP_GRACE)
            except TimeoutError:
                _kill(proc)
        elif waiting not in done:
            result.outcome = "killed"
            result.detail = f"still running after {time_limit:g}s ([crawl] max_duration): ended"
            _kill(proc)
        await waiting
    finally:
        stopping.cancel()
        if proc.returncode is None:
            _kill(proc)
            await proc.wait()
    result.seconds = time.monotonic() - started
    for line in (await output).decode("utf-8", "replace").splitlines():
        try:
            result.reports.append(json.loads(line))
        except ValueError:
            log.debug("crawl child said: %s", line)
    if result.outcome == "ok" and (proc.returncode != 0 or not result.reports):
        result.outcome = "crashed"
        result.detail = f"the crawl process exited with status {proc.returncode} (its log is above)"
    return result


def record_failure(db: Any, result: RoundResult) -> None:
    """A killed or crashed round wrote no figures for its sources: record the failure as their
    crawl run, so the health verdict (status, web, admin watch) sees it."""
    from storage.health import record_run

    reported = {r.get("name") for r in result.reports} | set(result.lost)
    with db.session() as s:
        for name in result.sources:
            if name not in reported:
                record_run(s, name, {}, f"crawl {result.outcome}: {result.detail}")
        s.commit()
