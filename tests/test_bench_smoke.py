"""Every bench script still runs and prints its figures, and bench/all reads them into its table
(`bench/all --quick`: tiny sizes, no timing asserted): a bench that rots unnoticed measures
nothing when an issue asks for its numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Figures every quick run prints (the search and stories rows carry their archive size).
ROWS = [
    "start-up: newsradar --help (s)",
    "start-up: newsradar status (s)",
    "classify: docs/s, one core, cold caches",
    "classify --jsonl: x faster than jieba",
    "crawl: time vs bare Scrapy (x)",
    "search sqlite 300: GET /search p95 (ms)",
    "search sqlite 300: index bytes/article",
    "stories 400: assign ms at N / at 10k",
    "stories 400: index bytes/article",
    "stories 400: copies joined",
    "stories 400: wrong merges",
    "dispatch: alerts/s",
    "daemon: RSS end vs middle (%)",
    "bigpage: peak RSS of the crawl (MB)",
    "scale: sources per 2-core node, 10 min, 304s",
    "scale: new articles, 2 nodes (pages/s)",
    "scale: post-to-alert with nodes, p50 (s)",
    "watches: articles/s matched at 1k watches, one core",
    "watches: ingest +ms/article at 1k watches",
    "archive sqlite 300: bytes/article beyond the text",
    "archive sqlite 300: ingest articles/s (wall)",
    "archive sqlite 300: status p95 (ms)",
    "archive sqlite 300: home p95 (ms)",
    "archive sqlite 300: topic p95 (ms)",
    "archive sqlite 300: story p95 (ms)",
]


@pytest.mark.timeout(900)  # bench/scale --quick starts three crawler nodes: minutes on a busy machine
def test_bench_all_quick_runs_every_bench_and_tables_its_figures():
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "all"), "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=840,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    table = run.stdout[run.stdout.index("figure") :]
    for row in ROWS:
        line = next((ln for ln in table.splitlines() if ln.startswith(row + " ")), None)
        assert line is not None, f"{row!r} missing from:\n{table}"
        value, status = line[len(row) :].split()[0], line.split()[-1]
        assert re.fullmatch(r"[\d.]+(/\d+)?", value), line  # a number read from the bench, not "not printed"
        assert status in ("met", "MISSED", "-"), line
    assert "not run" not in run.stderr, run.stderr  # every bench script present is in bench/all


def test_bench_all_marks_a_missed_goal():
    """The table's verdicts come from the goals: a value past its goal is MISSED, within it met."""
    import importlib.machinery
    import importlib.util

    loader = importlib.machinery.SourceFileLoader("bench_all", str(ROOT / "bench" / "all"))
    spec = importlib.util.spec_from_loader("bench_all", loader)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_all"] = mod  # dataclasses look their module up there
    loader.exec_module(mod)
    out = "startup: help s 0.25, status s 0.95\nstories: 10 articles, assign ms/article at 10k 1.0, at 10 2.0 (ratio 2.00), index bytes/article 900, copies joined 3/4, wrong merges 0\n"
    got = {
        r[0]: (r[1], r[3])
        for r in mod.rows([mod.Result("startup", 0, 1, out, ""), mod.Result("stories", 0, 1, out, "")])
    }
    assert got["start-up: newsradar --help (s)"] == ("0.25", "met")
    assert got["start-up: newsradar status (s)"] == ("0.95", "MISSED")
    assert got["stories 10: assign ms at N / at 10k"] == ("2.00", "MISSED")
    assert got["stories 10: index bytes/article"] == ("900", "met")
    assert got["stories 10: copies joined"] == ("3/4", "MISSED")
    assert got["stories 10: wrong merges"] == ("0", "met")
    failed = mod.rows([mod.Result("daemon", 2, 1, "", "Traceback")])
    assert failed == [("daemon: RSS end vs middle (%)", "bench failed (exit 2)", "<= 10", "MISSED")]
