"""Crawl rounds handed to crawler nodes ([crawl] nodes): real `newsradar node` processes (Scrapyd) on
127.0.0.1 crawl the loopback sample sites into one PostgreSQL database, through scheduler.crawl_round,
the one call behind `newsradar crawl` and the daemon's crawl job."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import time

import pytest

from crawler.crawl_settings import scrapy_settings
from crawler.nodes import job_state
from newsradar.config import ConfigError, load
from scheduler import crawl_round
from scheduler.rounds import split_round
from storage import Database
from tests.crawler.test_nodes import FAST, SLOW, _articles, _free_port, _runs, nodes, reference  # noqa: F401
from tests.helpers import run_cli, sample_sources, write_config


def _config(folder, site, url: str, node_urls: list[str]):
    folder.mkdir(exist_ok=True)
    listed = ", ".join(f'"{u}"' for u in node_urls)
    return write_config(folder, sample_sources(site, dead=False), database=url, crawl=f"nodes = [{listed}]\n")


def _dead() -> str:
    return f"http://127.0.0.1:{_free_port()}"  # nothing listens there


def _round(
    n: dict,
    node_urls: list[str],
    crawl=FAST,
    *,
    time_limit: float = 300.0,
    during=None,
    job_bytes=0,
    stop_after=None,
):
    """crawl_round as the daemon calls it; `during(task)` runs beside the round (in a thread)."""
    crawl = dataclasses.replace(crawl, nodes=tuple(node_urls))
    settings = scrapy_settings(crawl, database_url=n["url"], topics=n["topics"])
    db = Database(n["url"])

    async def go():
        stop = asyncio.Event()
        if stop_after is not None:  # the daemon shutting down mid-round
            asyncio.get_running_loop().call_later(stop_after, stop.set)
        task = asyncio.ensure_future(
            crawl_round(
                n["sources"],
                settings,
                crawl=crawl,
                db=db,
                time_limit=time_limit,
                stop=stop,
                poll=0.5,
                job_bytes=job_bytes,
            )  # fmt: skip
        )
        if during is not None:
            await asyncio.to_thread(during)
        return await task

    try:
        return asyncio.run(go())
    finally:
        db.dispose()


@pytest.mark.sqlite_only("checks the refusal of a SQLite database")
def test_nodes_with_sqlite_are_refused_in_one_line(tmp_path):
    config = write_config(tmp_path, "", crawl='nodes = ["http://127.0.0.1:6800"]\n')
    done = run_cli("status", config=config, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "newsradar.toml" in done.stderr and "crawl.nodes" in done.stderr and "SQLite" in done.stderr


@pytest.mark.parametrize(
    "value, words",
    [('"http://a:6800"', "list of node URLs"), ('["ftp://a:6800"]', "not a node URL"),
     ('["http://a:6800/x"]', "no path"), ('["http://a:6800", "http://a:6800/"]', "twice")],
)  # fmt: skip
def test_bad_nodes_name_the_key(tmp_path, value, words):
    config = write_config(
        tmp_path, "", database="postgresql+psycopg://x@127.0.0.1:1/none", crawl=f"nodes = {value}\n"
    )
    with pytest.raises(ConfigError) as err:
        load(config)
    assert err.value.key == "crawl.nodes" and words in err.value.problem


@pytest.mark.postgres
def test_crawl_and_run_hand_rounds_to_nodes_and_status_lists_them(nodes, reference, tmp_path, mocksite):  # noqa: F811
    a, b = nodes["nodes"]
    config = _config(tmp_path / "two", mocksite, nodes["url"], [a.url, b.url])
    done = run_cli("crawl", config=config)
    assert done.returncode == 0, done.stderr
    assert "newsradar crawl: round on node http://127.0.0.1:" in done.stderr
    assert "bj-yaowen" in done.stdout  # the figure table, read from crawl_runs
    stored = _articles(nodes["url"])
    assert len(stored) == len(set(stored)) and set(stored) == reference
    runs = _runs(nodes["url"])
    assert {r[0] for r in runs} == {s["name"] for s in nodes["sources"]}
    assert len({r[2] for r in runs}) == 1 and all(r[1] and r[2] for r in runs)
    assert sum(r[3] for r in runs) == len(stored)
    # the daemon's round goes the same way: figures learnt from the database, one log line
    done = run_cli("run", "--once", config=config)
    assert done.returncode == 0, done.stderr
    assert "crawl round of" in done.stderr and " on node http://127.0.0.1:" in done.stderr
    assert " 0 new" in done.stderr
    runs = _runs(nodes["url"])
    assert len({r[2] for r in runs}) == 2
    assert sorted(_articles(nodes["url"])) == sorted(stored)
    done = run_cli("status", config=config)
    assert done.returncode == 0, done.stderr
    assert "nodes:    2 of 2 up" in done.stdout and done.stdout.count(" UP ") == 2
    assert f"last crawl on node {socket.gethostname()}:" in done.stdout


@pytest.mark.postgres
def test_down_node_passed_over_none_up_crawls_locally(nodes, reference, tmp_path, mocksite):  # noqa: F811
    a, _ = nodes["nodes"]
    lonely = _config(tmp_path / "none", mocksite, nodes["url"], [_dead(), _dead()])
    done = run_cli("crawl", config=lonely)
    assert done.returncode == 0, done.stderr
    assert "no crawler node answered" in done.stderr and "round on this machine" in done.stderr
    assert set(_articles(nodes["url"])) == reference
    assert {r[1] for r in _runs(nodes["url"])} == {None}  # the local child's runs name no node
    done = run_cli("status", config=lonely)
    assert "nodes:    0 of 2 up: rounds run in a local child process" in done.stdout
    dead = _dead()
    config = _config(tmp_path / "one", mocksite, nodes["url"], [dead, a.url])
    done = run_cli("crawl", config=config)
    assert done.returncode == 0, done.stderr
    assert f"round on node {a.url}" in done.stderr
    stored = _articles(nodes["url"])
    assert len(stored) == len(set(stored)) and set(stored) == reference
    assert {r[1] for r in _runs(nodes["url"]) if r[1]} == {f"{socket.gethostname()}:{a.port}"}
    done = run_cli("status", config=config)
    assert "nodes:    1 of 2 up" in done.stdout and f"{dead:<28} DOWN" in done.stdout
    _web_lists_nodes(config, dead, a.url)


def _web_lists_nodes(config, dead: str, up: str) -> None:
    from tests.web.helpers import serve

    served = serve(config, port=_free_port())
    try:
        with served.client() as c:
            page = c.get("/sources?lang=en").text
            api = c.get("/api/v1/sources").json()
    finally:
        served.stop()
    assert "Crawler nodes" in page and dead in page and up in page and "on node" in page
    assert [(n["url"], n["up"]) for n in api["nodes"]] == [(dead, False), (up, True)]
    assert all(item["last_node"] and item["last_job"] for item in api["items"])


@pytest.mark.postgres
def test_node_killed_mid_round_is_crawled_again_elsewhere(nodes, reference):  # noqa: F811
    a, b = nodes["nodes"]

    def kill_once_storing() -> None:
        deadline = time.monotonic() + 120
        while not _articles(nodes["url"]):
            assert time.monotonic() < deadline, a.log.read_text()[-3000:]
            time.sleep(0.2)
        a.kill()  # the node, its job and the job's ingest worker, mid-round

    lost = _round(nodes, [a.url], SLOW, during=kill_once_storing)
    assert lost.outcome == "lost", lost.summary()
    assert "crawled again" in lost.detail and a.url in lost.where
    partial = set(_articles(nodes["url"]))
    assert 0 < len(partial) < len(reference)
    assert _runs(nodes["url"]) == []  # its sources are not marked crawled
    again = _round(nodes, [a.url, b.url])  # the next due run: a is down, b takes it
    assert again.outcome == "ok", again.summary()
    assert b.url in again.where and again.new == len(reference) - len(partial)
    stored = _articles(nodes["url"])
    assert len(stored) == len(set(stored)) and set(stored) == reference


@pytest.mark.postgres
def test_round_past_max_duration_is_cancelled_on_its_node(nodes):  # noqa: F811
    a, _ = nodes["nodes"]
    slow = dataclasses.replace(SLOW, delay=3.0)
    started = time.monotonic()
    result = _round(nodes, [a.url], slow, time_limit=4.0)
    assert result.outcome == "killed" and "max_duration" in result.detail, result.summary()
    assert time.monotonic() - started < 25  # SIGINT stopped it: no TERM or KILL after 10s each
    assert job_state(a.url, result.job) == "finished"  # cancel.json ended it
    assert _runs(nodes["url"]) == []  # a cut-short round records no figures of its own
    started = time.monotonic()
    stopped = _round(nodes, [a.url], slow, stop_after=6.0)
    assert stopped.outcome == "stopped" and time.monotonic() - started < 15, stopped.summary()
    deadline = time.monotonic() + 60
    while job_state(a.url, stopped.job) not in ("finished", "unknown"):  # ended, or taken off the queue
        assert time.monotonic() < deadline, "the job of a stopped daemon kept running"
        time.sleep(0.5)
    assert _runs(nodes["url"]) == []


def test_split_round_fits_each_job_and_keeps_every_source_once():
    sources = [
        {"name": f"s{i}", "start_urls": ["http://example.invalid/" + "x" * (i * 7 % 300)]} for i in range(400)
    ]
    big = {"name": "big", "start_urls": ["http://example.invalid/" + "y" * 5000]}
    chunks = split_round([*sources[:10], big, *sources[10:]], 3000)
    assert [s["name"] for c in chunks for s in c] == [s["name"] for s in [*sources[:10], big, *sources[10:]]]
    assert [big] in chunks  # too large for any job alone: its own job (the client refuses it, one line)
    assert all(len(json.dumps(c, ensure_ascii=False).encode()) <= 3000 for c in chunks if c != [big])
    assert len(split_round(sources)) == 1 and split_round([]) == []


@pytest.mark.postgres
def test_large_round_goes_as_several_jobs_across_nodes(nodes, reference):  # noqa: F811
    a, b = nodes["nodes"]
    result = _round(nodes, [a.url, b.url], job_bytes=800)
    assert result.outcome == "ok", result.summary()
    jobs = result.job.split(",")
    assert len(jobs) >= 3 and a.url in result.where and b.url in result.where  # spread over both
    runs = _runs(nodes["url"])
    assert {r[2] for r in runs} == set(jobs)
    assert sorted(r[0] for r in runs) == sorted(s["name"] for s in nodes["sources"])  # each source once
    stored = _articles(nodes["url"])
    assert len(stored) == len(set(stored)) and set(stored) == reference and result.new == len(stored)
