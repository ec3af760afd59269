"""`newsradar run` serves the web archive ([web], as the starter config has it): a taken port gets
one clear line and the next free port, and the start-up summary says where the archive is."""

from __future__ import annotations

import socket

import httpx

from scheduler.services import free_port
from tests.helpers import write_config
from tests.scheduler.helpers import RunningDaemon, wait_until


def _held_port() -> socket.socket:
    """A listening socket on a free loopback port whose next port is free too."""
    for _ in range(50):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        if port < 65535 and free_port("127.0.0.1", port + 1, tries=1) == port + 1:
            return s
        s.close()
    raise AssertionError("no pair of free ports")


def test_free_port_skips_a_port_in_use():
    with _held_port() as held:
        port = held.getsockname()[1]
        assert free_port("127.0.0.1", port) == port + 1
        assert free_port("127.0.0.1", port, tries=1) is None


def test_run_serves_the_archive_on_the_next_port_when_its_port_is_taken(tmp_path, mocksite):
    with _held_port() as held:
        port = held.getsockname()[1]
        config = write_config(
            tmp_path,
            f'[web]\nhost = "127.0.0.1"\nport = {port}\n\n[[sources]]\nname = "bj-yaowen"\nkind = "beijing_gov"\n'
            f'start_urls = ["{mocksite["bjgov"]}/ywdt/yaowen/"]\nevery = "1h"\n',
        )
        daemon = RunningDaemon(config, env={"NEWSRADAR_SECRET_KEY": "s" * 32})
        try:
            daemon.wait_for("web archive:", 60)
            out = daemon.output
            moved = [line for line in out.splitlines() if f"port {port} on 127.0.0.1 is in use" in line]
            assert len(moved) == 1 and f"listens on {port + 1} instead" in moved[0], out
            assert f"web archive: http://127.0.0.1:{port + 1}/" in out
            assert out.index("alerts go to:") < out.index("web archive:")
            home = wait_until(lambda: _get(f"http://127.0.0.1:{port + 1}/"), 30)
            assert home.status_code == 200 and "newsradar" in home.text
            # links the archive hands out follow the port it took
            feed = httpx.get(f"http://127.0.0.1:{port + 1}/feeds/digital_currency.atom", timeout=10)
            assert f"127.0.0.1:{port + 1}" in feed.text and f"127.0.0.1:{port}/" not in feed.text
        finally:
            daemon.terminate()


def test_run_without_web_section_says_the_archive_is_off(tmp_path, mocksite):
    config = write_config(
        tmp_path,
        f'[[sources]]\nname = "bj-yaowen"\nkind = "beijing_gov"\nstart_urls = ["{mocksite["bjgov"]}/ywdt/yaowen/"]\n'
        'every = "1h"\n',
    )
    daemon = RunningDaemon(config, env={"NEWSRADAR_SECRET_KEY": "s" * 32})
    try:
        daemon.wait_for("web archive:", 60)
        assert "web archive: off (add a [web] section to serve it)" in daemon.output
    finally:
        daemon.terminate()


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=5)
    except httpx.HTTPError:
        return None
