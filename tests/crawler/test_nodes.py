"""Crawler nodes end to end: real `newsradar node` processes (Scrapyd) on 127.0.0.1 crawl the
loopback sample sites into one PostgreSQL database, driven through crawler.nodes."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from crawler.crawl_settings import CrawlSettings
from crawler.nodes import NodeError, cancel, job_state, node_status, schedule_round
from tests.helpers import ROOT, run_cli, sample_sources, scratch_postgres, write_config

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
        # TMPDIR: the state folder of a node killed by SIGKILL stays in the test's own folder
        full_env = {**os.environ, "TMPDIR": str(config.parent), **(env or {})}
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


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _get(base: str, endpoint: str) -> dict:
    """A Scrapyd call the client has no function for, with the node's credentials."""
    request = urllib.request.Request(f"{base}/{endpoint}")
    user, password = os.environ["NEWSRADAR_NODE_USER"], os.environ["NEWSRADAR_NODE_PASSWORD"]
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


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


@pytest.mark.postgres
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


@pytest.mark.postgres
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


@pytest.mark.postgres
def test_node_config_auth_and_cancel(mocksite, tmp_path, monkeypatch):
    """[node] supplies the port and name; with NEWSRADAR_NODE_USER/PASSWORD set the API wants them;
    listprojects/listspiders show the installed package's project; cancel stops a round."""
    port = _free_port()
    with scratch_postgres("newsradar_nodes") as url:
        config = write_config(
            tmp_path,
            sample_sources(mocksite, dead=False) + f'\n[node]\nport = {port}\nname = "n-one"\n',
            database=url,
        )
        secret = {"NEWSRADAR_NODE_USER": "crawler", "NEWSRADAR_NODE_PASSWORD": "s3cret-pw"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsradar", "--config", str(config), "node"],
            cwd=ROOT, env={**os.environ, "TMPDIR": str(tmp_path), **secret}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    node_status(base, timeout=2)
                except NodeError as exc:
                    if "HTTP 401" in str(exc):
                        assert "NEWSRADAR_NODE_USER" in str(exc)
                        break
                    assert time.monotonic() < deadline and proc.poll() is None, str(exc)
                    time.sleep(0.2)
                else:
                    pytest.fail("the node answered without credentials")
            for key, value in secret.items():
                monkeypatch.setenv(key, value)
            assert node_status(base)["status"] == "ok"
            assert _get(base, "listprojects.json")["projects"] == ["newsradar"]
            assert _get(base, "listspiders.json?project=newsradar")["spiders"] == ["round"]
            from newsradar.config import load
            from newsradar.context import Context

            sources = [Context.plain_source(s) for s in load(config).sources]
            job = schedule_round(base, sources, None, dataclasses.replace(SLOW, delay=3.0))
            deadline = time.monotonic() + 60
            while job_state(base, job) != "running":
                assert time.monotonic() < deadline
                time.sleep(0.2)
            assert cancel(base, job) == "running"
            deadline = time.monotonic() + 60
            while job_state(base, job) != "finished":
                assert time.monotonic() < deadline, "a cancelled job kept running"
                time.sleep(0.3)
            job = schedule_round(base, sources, None, dataclasses.replace(SLOW, delay=3.0))
            deadline = time.monotonic() + 60
            while job_state(base, job) != "running":
                assert time.monotonic() < deadline
                time.sleep(0.2)
            monkeypatch.setenv("NEWSRADAR_NODE_PASSWORD", "wrong")
            with pytest.raises(NodeError, match="HTTP 401"):
                job_state(base, job)
            jobs = _children(proc.pid)
            assert jobs
            proc.send_signal(signal.SIGTERM)  # the node alone, not its group: its jobs end with it
            assert proc.wait(timeout=30) == 0
            deadline = time.monotonic() + 8  # the round itself would take minutes at this delay
            while any(Path(f"/proc/{pid}").exists() for pid in jobs):
                assert time.monotonic() < deadline, "a stopped node's job kept running"
                time.sleep(0.2)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


@pytest.mark.sqlite_only("checks the refusal of a SQLite database")
def test_node_refuses_sqlite_in_one_line(tmp_path):
    config = write_config(tmp_path, "")
    done = run_cli("node", "--port", str(_free_port()), config=config, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "SQLite" in done.stderr and "PostgreSQL" in done.stderr


@pytest.mark.parametrize(
    "table, key, words",
    [
        ("port = 70000", "node.port", "1 to 65535"),
        ('max_proc = "two"', "node.max_proc", "whole number"),
        ('hots = "0.0.0.0"', "node.hots", "unknown key"),
    ],
)
def test_bad_node_section_names_the_key(tmp_path, table, key, words):
    config = write_config(
        tmp_path, f"\n[node]\n{table}\n", database="postgresql+psycopg://x@127.0.0.1:1/none"
    )
    done = run_cli("node", config=config, timeout=60)
    assert done.returncode != 0
    assert key in done.stderr and words in done.stderr and "newsradar.toml" in done.stderr


def test_round_too_large_for_a_job_is_refused_before_sending():
    sources = [{"name": f"s{i}", "start_urls": ["http://example.invalid/" + "x" * 200]} for i in range(1000)]
    with pytest.raises(NodeError, match="split the round"):
        schedule_round("http://127.0.0.1:9", sources, None)
