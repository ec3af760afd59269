"""Where a crawl round runs: on a crawler node (`[crawl] nodes`, Scrapyd) or in a local child process.

The one call behind the daemon's crawl job and `newsradar crawl` with nodes set. The round goes to
the least-loaded node that answers daemonstatus.json (running + pending jobs), to the next one when
a node is down or refuses the job, and to a local child process when none answers. A round on a
node is followed through listjobs.json: past `[crawl] max_duration` it is cancelled (cancel.json);
when its job vanishes or the node stops answering, the round is lost and its sources are not marked
crawled, so their next due run crawls them again on a node that answers (the store is idempotent by
URL and content hash: what the lost round stored is not stored twice). The figures come from the
database (crawl_runs.job = the Scrapyd job id), never from the node's log.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from typing import Any

from .runner import RoundResult, run_round

__all__ = ["LOST_AFTER", "POLL", "crawl_round", "job_reports", "place_round", "split_round"]

log = logging.getLogger("newsradar.run")
POLL = 2.0  # seconds between listjobs.json calls while a round runs on a node
LOST_AFTER = 3  # polls in a row a node may leave unanswered before its round counts as lost
SETTLE = 10.0  # seconds a cancelled job gets to stop before its figures are read


async def crawl_round(
    sources: list[dict[str, Any]],
    settings: dict[str, Any],
    *,
    crawl: Any,
    db: Any,
    time_limit: float,
    stop: asyncio.Event,
    log_level: str = "WARNING",
    command: list[str] | None = None,
    poll: float = POLL,
    job_bytes: int = 0,
) -> RoundResult:
    """Crawl `sources` on the nodes of `crawl.nodes` (a CrawlSettings), else in a local child process
    with `settings` (scrapy_settings). Never raises for what a node or the child does; the result's
    `where` says where the round ran, and why not on a node. A round too large for one job's
    arguments (job_bytes, default crawler.nodes.MAX_ARGUMENT) goes as several jobs, each to the
    least-loaded node at that moment, followed side by side."""
    if not getattr(crawl, "nodes", ()):
        return await run_round(
            sources, settings, time_limit=time_limit, stop=stop, log_level=log_level, command=command
        )
    placed, left, why = await asyncio.to_thread(
        place_round, crawl, sources, settings.get("NEWSRADAR_TOPICS"), job_bytes
    )
    if why and placed:
        log.warning(
            "crawl round: %s; sent to %s instead", "; ".join(why), ", ".join(sorted({p[0] for p in placed}))
        )
    parts = [
        _follow(url, job, chunk, db, time_limit=time_limit, stop=stop, poll=poll)
        for url, job, chunk in placed
    ]
    if left:
        fallback = (
            "no crawler node answered" if not placed else "no node took part of it"
        ) + f" ({'; '.join(why)})"
        log.warning("crawl round: %s: crawling %d sources in a local child process", fallback, len(left))
        parts.append(_local(left, settings, fallback, time_limit, stop, log_level, command))
    return _merge(list(await asyncio.gather(*parts)))


async def _local(
    sources: list[dict[str, Any]], settings: dict[str, Any], fallback: str, time_limit: float,
    stop: asyncio.Event, log_level: str, command: list[str] | None,
) -> RoundResult:  # fmt: skip
    result = await run_round(
        sources, settings, time_limit=time_limit, stop=stop, log_level=log_level, command=command
    )
    result.where = f"this machine: {fallback}"
    return result


_WORST = ("stopped", "killed", "crashed", "lost", "ok")


def _merge(parts: list[RoundResult]) -> RoundResult:
    """One result for a round sent as several jobs: every source and figure, the worst outcome."""
    if len(parts) <= 1:
        return parts[0] if parts else RoundResult([])
    worst = min(parts, key=lambda r: _WORST.index(r.outcome))
    return RoundResult(
        [n for r in parts for n in r.sources], [x for r in parts for x in r.reports],
        seconds=max(r.seconds for r in parts), outcome=worst.outcome,
        detail="; ".join(f"{r.where}: {r.outcome}: {r.detail}" for r in parts if r.outcome != "ok"),
        where=", ".join(r.where for r in parts), job=",".join(r.job for r in parts if r.job),
        lost=[n for r in parts for n in r.lost],
    )  # fmt: skip


def split_round(sources: list[dict[str, Any]], job_bytes: int = 0) -> list[list[dict[str, Any]]]:
    """The round's sources in as few jobs as fit one job's `sources` argument (JSON, job_bytes)."""
    from crawler.nodes import MAX_ARGUMENT

    limit = job_bytes or MAX_ARGUMENT
    chunks: list[list[dict[str, Any]]] = [[]]
    size = 2  # the brackets
    for source in sources:
        cost = len(json.dumps(source, ensure_ascii=False).encode()) + 2  # and ", "
        if chunks[-1] and size + cost > limit:
            chunks.append([])
            size = 2
        chunks[-1].append(source)
        size += cost
    return chunks if chunks[0] else []


def place_round(
    crawl: Any, sources: list[dict[str, Any]], topics: list[dict[str, Any]] | None, job_bytes: int = 0
) -> tuple[list[tuple[str, str, list[dict[str, Any]]]], list[dict[str, Any]], list[str]]:
    """Schedule the round's jobs, each on the least-loaded answering node (running + pending jobs,
    counting the ones just sent): ([(url, job id, its sources)], the sources no node took, why each
    node was passed over)."""
    from crawler.nodes import NodeError, nodes_overview, schedule_round

    overview = nodes_overview(crawl.nodes)
    why = [f"{n['url']} is down: {n['error']}" for n in overview if not n["up"]]
    load = {n["url"]: n["running"] + n["pending"] for n in overview if n["up"]}
    options = dataclasses.replace(crawl, nodes=())  # a node needs the crawl options, not the node list
    placed, left = [], []
    for chunk in split_round(sources, job_bytes):
        for url in sorted(load, key=lambda u: load[u]):
            try:
                placed.append((url, schedule_round(url, chunk, topics, options), chunk))
            except NodeError as exc:
                why.append(f"{url} refused the round: {exc}")
                del load[url]
                continue
            load[url] += 1
            break
        else:
            left.extend(chunk)
    return placed, left, why


async def _follow(
    url: str,
    job: str,
    sources: list[dict[str, Any]],
    db: Any,
    *,
    time_limit: float,
    stop: asyncio.Event,
    poll: float,
) -> RoundResult:
    """Watch the job until it finishes, vanishes, outlives time_limit or the daemon stops."""
    from crawler.nodes import NodeError, cancel, job_state

    result = RoundResult([s["name"] for s in sources], where=f"node {url} (job {job})", job=job)
    started, misses = time.monotonic(), 0
    while True:
        try:
            await asyncio.wait_for(stop.wait(), timeout=poll)
        except TimeoutError:
            pass
        if stop.is_set():  # SIGINT: the node stops the crawl cleanly; the daemon waits a moment only
            result.outcome, result.detail = "stopped", "the daemon is shutting down; the next run resumes it"
            await _cancel(url, job, cancel, job_state, NodeError, signals=("INT",), settle=3.0)
            break
        if time.monotonic() - started > time_limit:
            result.outcome = "killed"
            result.detail = (
                f"still running after {time_limit:g}s ([crawl] max_duration): cancelled on the node"
            )
            await _cancel(url, job, cancel, job_state, NodeError)
            break
        try:
            state = await asyncio.to_thread(job_state, url, job)
        except NodeError as exc:
            misses += 1
            if misses >= LOST_AFTER:
                result.outcome, result.lost = "lost", list(result.sources)
                result.detail = f"the node stopped answering ({exc}); {_AGAIN}"
                break
            continue
        misses = 0
        if state == "finished":
            break
        if state == "unknown":
            result.outcome, result.lost = "lost", list(result.sources)
            result.detail = f"the job vanished from the node's listjobs.json (restarted or died); {_AGAIN}"
            break
    result.seconds = time.monotonic() - started
    result.reports = await asyncio.to_thread(job_reports, db, job)
    missing = sorted(set(result.sources) - {r["name"] for r in result.reports})
    if result.outcome == "ok" and missing:
        result.outcome = "crashed"
        result.detail = f"the job ended without figures for {', '.join(missing)} (its log is on the node)"
    return result


_AGAIN = "its sources are crawled again at their next run, on a node that answers"


async def _cancel(
    url: str, job: str, cancel: Any, job_state: Any, node_error: type[Exception],
    signals: tuple[str, ...] = ("INT", "TERM", "KILL"), settle: float = SETTLE,
) -> None:  # fmt: skip
    """cancel.json, harder each time the job outlives SETTLE (INT stops Scrapy cleanly, a second
    signal forces it, KILL ends the process), so its figures can be read next. A job Scrapyd was
    just starting is in neither its queue nor its processes (prevstate null): asked again."""
    try:
        for signal in signals:
            reached = await asyncio.to_thread(cancel, url, job, signal=signal) not in ("None", "")
            deadline = time.monotonic() + settle
            while time.monotonic() < deadline:
                if await asyncio.to_thread(job_state, url, job) not in ("pending", "running"):
                    return
                await asyncio.sleep(0.5)
                if not reached:
                    reached = await asyncio.to_thread(cancel, url, job, signal=signal) not in ("None", "")
            log.warning("crawl round on %s: job %s still runs %gs after SIG%s", url, job, settle, signal)
    except node_error as exc:
        log.warning("crawl round on %s: could not cancel job %s: %s", url, job, exc)


def job_reports(db: Any, job: str) -> list[dict[str, Any]]:
    """What a node's job recorded, one report per source, as the local child reports it."""
    from storage.health import FIGURES, job_runs

    with db.session() as s:
        runs = job_runs(s, job)
        return [
            {
                "name": r.source, **{k: int(getattr(r, k) or 0) for k in FIGURES},
                "responses": max(0, int(r.requests or 0) - int(r.errors or 0)),
                "error_list": [r.first_error] if r.first_error else [],
                "node": r.node,
            }
            for r in runs
        ]  # fmt: skip
