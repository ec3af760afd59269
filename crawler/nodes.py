"""Talking to crawler nodes (`newsradar node`, Scrapyd's JSON API): what the daemon calls to hand
a round to a node, follow it and cancel it. Plain urllib, a timeout on every call."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from .node import PASSWORD_ENV, PROJECT, SPIDER, USER_ENV

__all__ = [
    "MAX_ARGUMENT", "NodeError", "cancel", "job_state", "node_status", "nodes_overview", "schedule_round",
]  # fmt: skip

# Linux caps one command-line argument at 128 KiB, and Scrapyd passes spider arguments on the
# job's command line: a larger round must be split into several jobs.
MAX_ARGUMENT = 120_000


def parse_nodes(value: Any) -> tuple[str, ...]:
    """[crawl] nodes: the nodes' base URLs (http(s)://host:port, no path), each once; ValueError
    saying what is wrong (config.py names the file and key)."""
    if not isinstance(value, list):
        raise ValueError(f'must be a list of node URLs like ["http://10.0.0.5:6800"], not {value!r}')
    for url in value:
        if not isinstance(url, str) or not re.fullmatch(r"https?://[^/\s?#@]+/?", url):
            raise ValueError(f'{url!r} is not a node URL: write "http://host:6800" (http or https, no path)')
    urls = tuple(u.rstrip("/") for u in value)
    if len(set(urls)) != len(urls):
        raise ValueError("names a node twice")
    return urls


class NodeError(Exception):
    """A node that cannot be reached, refuses, or answers with an error (the message says which)."""


def _auth() -> str | None:
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if not (user and password):
        return None
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _call(
    url: str, endpoint: str, data: dict[str, Any] | None = None, timeout: float = 10.0
) -> dict[str, Any]:
    """One API call (POST with data, else GET); the node's JSON answer, or NodeError."""
    full = f"{url.rstrip('/')}/{endpoint}"
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(full, data=body)
    auth = _auth()
    if auth:
        request.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        why = "wrong or missing NEWSRADAR_NODE_USER/PASSWORD" if exc.code == 401 else exc.reason
        raise NodeError(f"{full}: HTTP {exc.code} ({why})") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise NodeError(f"{full}: {getattr(exc, 'reason', exc)}") from None
    if answer.get("status") != "ok":
        raise NodeError(f"{full}: {answer.get('message', answer)}")
    return answer


def node_status(url: str, timeout: float = 5.0) -> dict[str, Any]:
    """daemonstatus.json: {"node_name", "pending", "running", "finished", ...}; NodeError when down."""
    return _call(url, "daemonstatus.json", timeout=timeout)


def schedule_round(
    url: str,
    sources: list[dict[str, Any]],
    topics: list[dict[str, Any]] | None,
    crawl: Any = None,
    *,
    timeout: float = 10.0,
) -> str:
    """Hand one crawl round to a node: the sources (plain data, as spiders receive them), the
    topics in force (classifier.plain_topics) and the [crawl] options (a CrawlSettings or dict).
    Returns Scrapyd's job id (crawl_runs.job of the runs it records)."""
    if dataclasses.is_dataclass(crawl):
        crawl = dataclasses.asdict(crawl)  # type: ignore[arg-type]
    args = {
        "sources": json.dumps(sources, ensure_ascii=False),
        "topics": json.dumps(topics, ensure_ascii=False),
        "crawl": json.dumps(crawl or {}),
    }
    for key, value in args.items():
        if len(value.encode()) > MAX_ARGUMENT:
            raise NodeError(
                f"the round's {key} take {len(value.encode())} bytes as JSON, over a node's {MAX_ARGUMENT}: "
                "split the round into several jobs"
            )
    answer = _call(url, "schedule.json", {"project": PROJECT, "spider": SPIDER, **args}, timeout)
    return str(answer["jobid"])


def job_state(url: str, job: str, timeout: float = 5.0) -> str:
    """The job's state: "pending", "running", "finished", or "unknown" (the node forgot the job: it restarted or
    died, so the round's sources must be crawled again). NodeError when the node does not answer."""
    answer = _call(url, f"listjobs.json?project={PROJECT}", timeout=timeout)
    for state in ("pending", "running", "finished"):
        if any(j.get("id") == job for j in answer.get(state, [])):
            return state
    return "unknown"


def cancel(url: str, job: str, timeout: float = 10.0, signal: str = "INT") -> str:
    """cancel.json: stop a job (SIGINT: Scrapy stops the crawl cleanly; a second signal, TERM,
    forces it; KILL ends the job's process); its previous state."""
    answer = _call(url, "cancel.json", {"project": PROJECT, "job": job, "signal": signal}, timeout)
    return str(answer.get("prevstate"))


def nodes_overview(urls: list[str] | tuple[str, ...], timeout: float = 3.0) -> list[dict[str, Any]]:
    """Each configured node as `status`, the web sources page and the daemon's choice see it:
    {"url", "up", "name", "running", "pending", "finished", "error"}, asked all at once (a down
    node costs one timeout, not one per node), in the configured order."""
    from concurrent.futures import ThreadPoolExecutor

    def one(url: str) -> dict[str, Any]:
        try:
            answer = node_status(url, timeout=timeout)
        except NodeError as exc:
            return {"url": url, "up": False, "name": None, "running": 0, "pending": 0, "finished": 0,
                    "error": str(exc)}  # fmt: skip
        figures = {k: int(answer.get(k, 0) or 0) for k in ("running", "pending", "finished")}
        return {"url": url, "up": True, "name": answer.get("node_name"), **figures, "error": None}

    if not urls:
        return []
    with ThreadPoolExecutor(max_workers=min(len(urls), 16)) as pool:
        return list(pool.map(one, urls))
