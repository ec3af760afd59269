"""Crawler nodes end to end: real `newsradar node` processes (Scrapyd) on 127.0.0.1 crawl the
loopback sample sites into one PostgreSQL database, driven through crawler.nodes."""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from crawler.crawl_settings import CrawlSettings
from crawler.nodes import NodeError, job_state, node_status, schedule_round
from tests.helpers import ROOT, run_cli, sample_sources, scratch_postgres, write_config

pytestmark = pytest.mark.postgres

FAST = CrawlSettings(delay=0.0, retry_backoff=0.01, retries=1, concurrency_per_domain=8)
SLOW = dataclasses.replace(FAST, delay=0.4, concurrency_per_domain=1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One `newsradar node` in its own process group (its jobs and their ingest workers too), so
    killing the group is what a machine dying looks like."""

    def __init__(self, config: Path, name: str, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = config.parent / f"{name}.log"
        full_env = {**os.environ, **(env or {})}
        full_env.pop("NEWSRADAR_CONFIG", None)
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "newsradar", "--config", str(config), "node", "--port", str(self.port)],
                cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                node_status(self.url, timeout=2)
                return
            except NodeError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"node did not start: {self.log.read_text()[-3000:]}") from None
                time.sleep(0.2)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)


@pytest.fixture
def nodes(mocksite, tmp_path):
    """Two nodes on one fresh PostgreSQL database, with the sample sources as plain data."""
    from classifier import plain_topics
    from newsradar.config import load
    from newsradar.context import Context

    with scratch_postgres("newsradar_nodes") as url:
        config = write_config(tmp_path, sample_sources(mocksite, dead=False), database=url)
        cfg = load(config)
        started: list[Node] = []
        try:
            started += [Node(config, "node1"), Node(config, "node2")]
            yield {
                "nodes": started, "url": url, "config": config,
                "sources": [Context.plain_source(s) for s in cfg.sources if s.enabled],
                "topics": plain_topics(cfg.topics),
            }  # fmt: skip
        finally:
            for node in started:
                node.kill(signal.SIGTERM)


@pytest.fixture(scope="module")
def reference(mocksite, tmp_path_factory) -> set[str]:
    """Every article URL one local `newsradar crawl` of the same sources stores."""
    folder = tmp_path_factory.mktemp("reference")
    config = write_config(folder, sample_sources(mocksite, dead=False))
    done = run_cli("crawl", config=config)
    assert done.returncode == 0, done.stderr
    engine = sa.create_engine(f"sqlite:///{folder / 'newsradar.db'}")
    with engine.connect() as c:
        urls = set(c.scalars(sa.text("SELECT url FROM articles")))
    engine.dispose()
    assert len(urls) > 40
    return urls


def _wait(node: Node, job: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while (state := job_state(node.url, job)) != "finished":
        assert state != "unknown", f"job {job} vanished from {node.url}: {node.log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"job {job} still {state}: {node.log.read_text()[-3000:]}"
        time.sleep(0.5)


def _articles(url: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        urls = list(c.scalars(sa.text("SELECT url FROM articles")))
    engine.dispose()
    return urls


def _runs(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        rows = [tuple(r) for r in c.execute(sa.text("SELECT source, node, job, new FROM crawl_runs"))]
    engine.dispose()
    return rows


def test_same_round_on_two_nodes_stores_every_article_once(nodes, reference):
    a, b = nodes["nodes"]
    jobs = [(n, schedule_round(n.url, nodes["sources"], nodes["topics"], FAST)) for n in (a, b)]
    for node, job in jobs:
        _wait(node, job)
    stored = _articles(nodes["url"])
    assert len(stored) == len(set(stored))
    assert set(stored) == reference
    runs = _runs(nodes["url"])
    for node, job in jobs:
        mine = [r for r in runs if r[2] == job]
        assert {r[0] for r in mine} == {s["name"] for s in nodes["sources"]}
        assert {r[1] for r in mine} == {f"{socket.gethostname()}:{node.port}"}
    # what the two jobs found new adds up to what was stored: nothing twice
    assert sum(r[3] for r in runs) == len(stored)


def test_node_killed_mid_round_loses_nothing_when_rescheduled(nodes, reference):
    a, b = nodes["nodes"]
    job = schedule_round(a.url, nodes["sources"], nodes["topics"], SLOW)
    deadline = time.monotonic() + 120
    while not _articles(nodes["url"]):
        assert time.monotonic() < deadline, a.log.read_text()[-3000:]
        time.sleep(0.2)
    a.kill()  # the node, its job and the job's ingest worker, mid-round
    partial = set(_articles(nodes["url"]))
    assert 0 < len(partial) < len(reference)
    with pytest.raises(NodeError):
        job_state(a.url, job, timeout=2)
    again = schedule_round(b.url, nodes["sources"], nodes["topics"], FAST)
    _wait(b, again)
    stored = _articles(nodes["url"])
    assert len(stored) == len(set(stored)) and set(stored) == reference
    assert not [r for r in _runs(nodes["url"]) if r[2] == job]  # the killed round recorded nothing
