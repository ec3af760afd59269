"""A crawl that reaches no source says so once, plainly, and fails; partial failures are said once."""

from __future__ import annotations

from crawler.report import SourceReport, unreachable_summary
from tests.helpers import run_cli, write_config
from tests.mockserver.server import free_port


def _feed(name: str, url: str) -> str:
    return f'[[sources]]\nname = "{name}"\nkind = "feed"\nstart_urls = ["{url}"]\n'


def test_no_source_reachable_is_one_plain_line_and_exit_1(tmp_path):
    body = "".join(_feed(f"down{i}", f"http://127.0.0.1:{free_port()}/feed.xml") for i in range(3))
    out = run_cli("crawl", config=write_config(tmp_path, body))
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(
        "newsradar crawl: could not reach any source: no network or DNS? (3 sources failed"
    )
    assert out.stdout == ""
    status = run_cli("status", config=tmp_path / "newsradar.toml")
    assert status.stdout.count("FAILING") == 3  # health still records every failed source


def test_partial_failures_are_reported_once(mocksite, tmp_path):
    body = _feed("finews", f"{mocksite['finews']}/feed.xml") + _feed("dead", f"{mocksite['dead']}/feed.xml")
    out = run_cli("crawl", config=write_config(tmp_path, body))
    assert out.returncode == 0, out.stderr
    assert (out.stdout + out.stderr).count("Connection was refused") == 1, out.stdout + out.stderr


def test_unreachable_summary_is_for_the_daemon_too():
    down = SourceReport("a", requests=4, errors=1, error_list=["http://a/: DNS lookup failed"])
    up = SourceReport("b", requests=2, responses=2, new=1)
    assert unreachable_summary([down, up]) is None
    assert unreachable_summary([down]) == (
        "could not reach any source: no network or DNS? (1 source failed; first: a: http://a/: DNS lookup failed)"
    )
    assert unreachable_summary([]) is None
