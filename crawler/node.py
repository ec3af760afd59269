"""A crawler node: Scrapyd's own server and JSON API, running crawl rounds of the installed
newsradar package (Scrapyd's [settings] project mapping, no egg) into the shared database."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from dataclasses import dataclass, fields
from typing import Any

from common import SettingsError

__all__ = [
    "DATABASE_ENV",
    "NODE_ENV",
    "PASSWORD_ENV",
    "PROJECT",
    "SPIDER",
    "USER_ENV",
    "NodeSettings",
    "node_refusal",
    "parse_section",
    "serve",
]

PROJECT = "newsradar"  # the Scrapyd project name the daemon schedules under
SPIDER = "round"  # the one spider a node runs: a crawl round of several sources
SETTINGS_MODULE = "crawler.node_project"
USER_ENV, PASSWORD_ENV = "NEWSRADAR_NODE_USER", "NEWSRADAR_NODE_PASSWORD"
# Set by serve() for the jobs it starts (they inherit its environment): where to store, who ran it.
DATABASE_ENV, NODE_ENV = "NEWSRADAR_NODE_DATABASE_URL", "NEWSRADAR_NODE_NAME"


@dataclass(frozen=True)
class NodeSettings:
    """[node]: where a node listens and how many crawl jobs it runs at once (0: 4 per CPU)."""

    host: str = "127.0.0.1"
    port: int = 6800
    max_proc: int = 0
    name: str = ""  # how crawl_runs name this node; empty: hostname:port


def parse_section(name: str, table: dict[str, Any]) -> NodeSettings:
    """Validate [node] (config.py calls this when the config loads)."""
    allowed = [f.name for f in fields(NodeSettings)]
    for key, value in table.items():
        if key not in allowed:
            raise SettingsError(f"{name}.{key}", f"unknown key (allowed: {', '.join(allowed)})")
        if key in ("host", "name") and (not isinstance(value, str) or (key == "host" and not value)):
            raise SettingsError(f"{name}.{key}", f"must be text in quotes, not {value!r}")
        if key == "port" and (type(value) is not int or not 1 <= value <= 65535):
            raise SettingsError(f"{name}.port", f"must be a whole number from 1 to 65535, not {value!r}")
        if key == "max_proc" and (type(value) is not int or value < 0):
            raise SettingsError(f"{name}.max_proc", f"must be a whole number >= 0, not {value!r}")
    return NodeSettings(**table)


def node_refusal(database_url: str) -> str | None:
    """Why a node cannot store into this database, or None: nodes on other machines need a
    shared server database, and SQLite is one file on one machine."""
    if database_url.startswith("sqlite"):
        return (
            "a crawler node needs a shared PostgreSQL database, not SQLite "
            f"({database_url}): set [database] url to postgresql+psycopg://... (see README, Crawler nodes)"
        )
    return None


def _scrapyd_config(settings: NodeSettings, state: str, auth: tuple[str, str] | None) -> Any:
    from scrapyd.config import Config

    path = os.path.join(state, "scrapy.cfg")
    with open(path, "w", encoding="utf-8") as f:
        # Scrapyd reads it, and so do the runners it starts in this directory (`list` for
        # listspiders.json, `crawl` for jobs): Scrapy maps SCRAPY_PROJECT through [settings].
        f.write(
            "[scrapyd]\n"
            f"bind_address = {settings.host}\nhttp_port = {settings.port}\nmax_proc = {settings.max_proc}\n"
            f"logs_dir = {state}/logs\neggs_dir = {state}/eggs\ndbs_dir = {state}/dbs\n"
            f"\n[settings]\n{PROJECT} = {SETTINGS_MODULE}\n"
        )
    config = Config(extra_sources=[path])
    if auth:  # in memory only: secrets never reach a file
        config.cp.set("scrapyd", "username", auth[0])
        config.cp.set("scrapyd", "password", auth[1])
    return config


def _stop_jobs(service: Any) -> None:
    """Scrapyd leaves running jobs behind when it stops: end them (Scrapy stops a crawl gracefully
    on SIGTERM, and a round cut short records no figures), so none stores for a node that is gone."""
    for process in service.getServiceNamed("launcher").processes.values():
        process.transport.signalProcess("TERM")


def serve(settings: NodeSettings, database_url: str, auth: tuple[str, str] | None = None) -> int:
    """Run Scrapyd in the foreground until SIGINT/SIGTERM; jobs run as child processes that
    store into database_url. Returns the exit status."""
    from scrapyd import get_application
    from twisted.application.service import IService
    from twisted.internet import reactor
    from twisted.logger import globalLogBeginner, textFileLogObserver

    state = tempfile.mkdtemp(prefix="newsradar-node-")
    name = settings.name or f"{socket.gethostname()}:{settings.port}"
    os.environ[DATABASE_ENV], os.environ[NODE_ENV] = database_url, name
    os.environ.pop("SCRAPY_SETTINGS_MODULE", None)
    cwd = os.getcwd()
    os.chdir(state)
    try:
        service = IService(get_application(_scrapyd_config(settings, state, auth)))
        globalLogBeginner.beginLoggingTo([textFileLogObserver(sys.stderr)], redirectStandardIO=False)
        service.startService()
        reactor.addSystemEventTrigger("before", "shutdown", _stop_jobs, service)
        reactor.addSystemEventTrigger("before", "shutdown", service.stopService)
        print(
            f"newsradar node {name} on http://{settings.host}:{settings.port}/ "
            f"(project {PROJECT}, spider {SPIDER}; Ctrl-C stops it)",
            flush=True,
        )
        reactor.run()
    finally:
        os.chdir(cwd)
        shutil.rmtree(state, ignore_errors=True)
    return 0
