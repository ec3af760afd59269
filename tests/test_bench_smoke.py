"""Every bench script still runs and prints its figures (tiny sizes; no timing is asserted):
a bench that rots unnoticed measures nothing when an issue asks for its numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "script, args, figure",
    [
        ("stories", ["--n", "400", "--batch", "100"], "copies joined to their original's story"),
        ("classify", ["--docs", "20", "--rounds", "1"], "docs/s"),
        (
            "search",
            ["--n", "300", "--queries", "10", "--db", "sqlite", "--http", "--ingest", "30"],
            "http GET /search",
        ),
        ("dispatch", ["--subscribers", "20", "--stories", "2"], "messages"),
        ("crawl", ["--articles", "40", "--repeat", "1"], "ratio:"),
        ("bigpage", ["--mb", "12"], "peak RSS of all crawl processes"),
    ],
)
def test_bench_script_runs_and_prints_its_figures(script, args, figure):
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert figure in run.stdout, run.stdout[-2000:]
