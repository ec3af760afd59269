"""One leader across hosts: two `newsradar run` in two network namespaces (each its own "host",
reaching PostgreSQL, the sample sites and the Telegram fake over its own veth link), one leading
through the PostgreSQL advisory lock. Kill the leader's process, or cut its link: the standby takes
over within 15 s, the cut-off leader stops acting before that, a due crawl runs after the
takeover, and no alert goes out twice. Run with -s to see the measured takeover times.

Each namespace has a veth pair (10.77.N.1 on the root side, 10.77.N.2 inside); a forwarder in
the namespace carries its 127.0.0.1 ports over the link to a forwarder on 10.77.N.1, which reaches
the root namespace's 127.0.0.1 (PostgreSQL here listens on 127.0.0.1 only, and its config is
not ours to change). Both daemons thus use the same config and see the same URLs.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.helpers import ROOT, run_cli, write_config
from tests.scheduler.helpers import RunningDaemon, wait_until

pytestmark = pytest.mark.postgres
URL = re.compile(r"https?://[^\s\"<>]+\.html")
LEASE = 6  # [scheduler] lease: renew every 2 s, step down after 4 s unconfirmed


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=20)


class Hosts:
    """Two network namespaces, each linked to the root namespace by a veth pair, with forwarders."""

    def __init__(self, ports: list[int]) -> None:
        self.tag = uuid.uuid4().hex[:6]
        self.names = [f"nr{self.tag}{n}" for n in (1, 2)]
        self.procs: list[subprocess.Popen] = []
        self.ports = [str(p) for p in ports]

    def start(self) -> None:
        # keepalives as the leader lock asks the server for (Leader._keepalives): lease/2, lease/6, 3
        keep = f"--keepalive={LEASE // 2},{LEASE // 6},3"
        for n, ns in enumerate(self.names, start=1):
            host, inner, veth = f"10.77.{n}.1", f"10.77.{n}.2", f"nrv{self.tag}{n}"
            _ip("netns", "add", ns)
            _ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
            _ip("addr", "add", f"{host}/24", "dev", veth)
            _ip("link", "set", veth, "up")
            _ip("-n", ns, "addr", "add", f"{inner}/24", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")
            _ip("-n", ns, "link", "set", "lo", "up")
            self._forward([], host, "127.0.0.1", keep)
            self._forward(["ip", "netns", "exec", ns], "127.0.0.1", host, keep)

    def _forward(self, prefix: list[str], listen: str, target: str, keep: str) -> None:
        cmd = [*prefix, sys.executable, "-m", "tests.fakes.tcp_forward", keep, listen, target, *self.ports]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        self.procs.append(proc)
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"forwarder {listen} -> {target} did not start")

    def prefix(self, n: int) -> list[str]:
        return ["ip", "netns", "exec", self.names[n]]

    def cut(self, n: int) -> None:
        """The host's link goes down: no FIN, no RST, packets just stop."""
        _ip("-n", self.names[n], "link", "set", "eth0", "down")

    def close(self) -> None:
        for proc in self.procs:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        for ns in self.names:  # deleting a namespace deletes its veth pair too
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True, timeout=20)


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "two-host leader test needs root (ip netns add)"
    if shutil.which("ip") is None:
        return "two-host leader test needs iproute2's ip command"
    probe = f"nrprobe{uuid.uuid4().hex[:6]}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True, timeout=20)
    if made.returncode != 0:
        return f"two-host leader test cannot create a network namespace: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "delete", probe], capture_output=True, timeout=20)
    return None


@pytest.fixture
def telegram():
    api = FakeBotAPI().start()
    yield api
    api.stop()


@pytest.fixture
def hosts(mocksite, telegram):
    why = _why_not()
    if why:
        pytest.skip(why)
    ports = {int(mocksite["finews"].rsplit(":", 1)[1]), int(telegram.url.rsplit(":", 1)[1]), 5432}
    made = Hosts(sorted(ports))
    try:
        made.start()
        yield made
    finally:
        made.close()


def _config(tmp: Path, mocksite, api, database: str) -> Path:
    return write_config(
        tmp,
        f'ingest_worker = false\n\n[[sources]]\nname = "finews-feed"\nkind = "feed"\n'
        f'start_urls = ["{mocksite["finews"]}/feed.xml"]\nevery = "5s"\n'
        f'\n[telegram]\napi_url = "{api.url}"\ntimeout = 5\n'
        '\n[alerts]\npoll_interval = "1s"\nlease = "5s"\n'
        f'\n[scheduler]\nlease = "{LEASE}s"\nbatch_window = "0.3s"\n',
        database,
    )


@pytest.mark.parametrize("how", ["kill", "cut"])
def test_standby_on_another_host_takes_over(tmp_path, mocksite, telegram, hosts, pg_database, how):
    config = _config(tmp_path, mocksite, telegram, pg_database)
    env = {"NEWSRADAR_TELEGRAM_TOKEN": TOKEN}
    topics = "digital_currency,sub_center,green_finance,fintech"
    added = run_cli("subscribers", "add", "--telegram-chat", "5001", "--topics", topics, config=config)
    assert added.returncode == 0, added.stderr
    first = RunningDaemon(config, env=env, prefix=hosts.prefix(0))
    second = None
    try:
        first.wait_for("leading", 90)
        second = RunningDaemon(config, env=env, prefix=hosts.prefix(1))
        second.wait_for("standby", 90)
        first.wait_for("crawl round", 90)  # the leader crawls and sends before it goes
        rounds_before = sum("crawl round" in line for _, line in second.lines)
        time.sleep(1.0)
        gone = time.monotonic()
        if how == "kill":
            first.kill()
        else:
            hosts.cut(0)
        took_over = second.wait_for("takes over", 60)
        print(f"\ntakeover after {'SIGKILL of the leader' if how == 'kill' else 'cutting its link'}: "
              f"{took_over - gone:.1f}s")  # fmt: skip
        assert took_over - gone < 15
        if how == "cut":
            stepped = first.wait_for("stops crawling and sending", 30)
            print(f"the cut-off leader stopped acting {stepped - gone:.1f}s after the cut")
            assert stepped - gone < LEASE and stepped < took_over, first.output[-3000:]
        # no crawl lost: a due round runs on the new leader
        wait_until(lambda: sum("crawl round" in line for _, line in second.lines) > rounds_before, 60)

        def settled():
            out = run_cli("status", "--json", config=config)
            d = json.loads(out.stdout)["deliveries"]
            return d.get("sent", 0) and not d.get("pending") and not d.get("sending")

        wait_until(settled, 60, step=1.0)
        texts = [html.unescape(c.text) for c in telegram.sent("5001")]
        urls = Counter(u for t in texts for u in set(URL.findall(t)))
        assert urls and max(urls.values()) == 1, urls.most_common(3)
        assert second.terminate() < 15
    finally:
        for d in (first, second):
            if d is not None and d.proc.poll() is None:
                d.kill()
