"""Commands that only read the database load none of the heavy libraries (Scrapy and Twisted,
Apprise's plugins, FastAPI, trafilatura): each costs a noticeable part of a second at start-up,
and `status` is what a worried user types first."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

HEAVY = ("scrapy", "twisted", "apprise", "fastapi", "uvicorn", "trafilatura")
ENV = {**{k: v for k, v in os.environ.items() if k != "NEWSRADAR_CONFIG"}, "PYTHONPATH": str(ROOT)}


def _imported(args: list[str], cwd) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "newsradar", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        env=ENV,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    names = set()
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "newsradar" in names  # the trace is there: an empty set would prove nothing
    return names


@pytest.mark.parametrize("args", [["--help"], ["status"], ["subscribers", "list"], ["sources", "list"]])
def test_read_only_commands_load_no_heavy_library(tmp_path, args):
    init = subprocess.run(
        [sys.executable, "-m", "newsradar", "init"], cwd=tmp_path, capture_output=True, text=True,
        env=ENV, timeout=120,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    assert not set(HEAVY) & _imported(args, tmp_path)
