"""`newsradar serve` as a user runs it: listens where told, serves pages, stops on SIGTERM."""

import subprocess
import sys
import time

import httpx

from tests.helpers import ROOT, fresh_database_url
from tests.web.helpers import free_port, write_config


def test_serve_command_serves_the_archive(tmp_path):
    config = tmp_path / "newsradar.toml"  # no base_url: links follow the address serve listens on
    config.write_text(
        f'[database]\nurl = "{fresh_database_url(tmp_path, "web.db")}"\n\n[web]\nport = 8080\n',
        encoding="utf-8",
    )
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsradar", "--config", str(config), "serve", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(proc.stderr.read() if proc.poll() is not None else "serve did not listen")
        assert r.status_code == 200 and "newsradar" in r.text
        feed = httpx.get(f"http://127.0.0.1:{port}/feeds/search.atom", params={"q": "央行"}, timeout=5)
        assert f"<id>http://127.0.0.1:{port}/feeds/search.atom" in feed.text and ":8080/" not in feed.text
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}/" in out


def test_serve_refuses_a_bad_port(tmp_path):
    config = write_config(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "newsradar", "--config", str(config), "serve", "--port", "70000"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 2 and "--port" in proc.stderr and "1 to 65535" in proc.stderr
