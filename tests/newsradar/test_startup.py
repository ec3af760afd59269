"""Commands that only read the database load none of the heavy libraries (Scrapy and Twisted,
Apprise's plugins, FastAPI, Alembic, jieba...): each costs a noticeable part of a second at
start-up, and `status` is what a worried user types first. The times themselves are measured
with `python -X importtime` and bench/all (goal: under 0.3 s), never asserted here."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from newsradar.cli import ALL, COMMANDS, build_parser, command_in
from tests.helpers import ROOT

HEAVY = (
    "scrapy", "twisted", "apprise", "fastapi", "uvicorn", "trafilatura", "alembic", "jieba", "matplotlib",
    "telegram", "pydantic", "ahocorasick",
)  # fmt: skip
ENV = {**{k: v for k, v in os.environ.items() if k != "NEWSRADAR_CONFIG"}, "PYTHONPATH": str(ROOT)}


def _imported(args: list[str], cwd, *, full: bool = False) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "newsradar", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        env=ENV,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    names = set()
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            names.add(name if full else name.split(".")[0])
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


def test_help_loads_no_database_layer(tmp_path):
    """`newsradar --help` lists every command from cli.COMMANDS without importing one."""
    loaded = _imported(["--help"], tmp_path)
    assert not {"sqlalchemy", "storage", "numpy", "crawler", "classifier", *HEAVY} & loaded


def test_command_summaries_match_what_each_command_registers():
    parser = build_parser(ALL)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    registered = {a.dest: a.help for a in sub._choices_actions}
    assert registered == {name: summary for name, (_, summary) in COMMANDS.items()}


@pytest.mark.parametrize(
    "argv, command",
    [
        (["status"], "status"),
        (["-vv", "--config", "status", "init", "--help"], "init"),
        (["--config=x.toml", "serve", "--port", "1"], "serve"),
        (["--help"], None),
        (["bogus"], None),
    ],
)
def test_only_the_named_command_is_loaded(argv, command):
    assert command_in(argv) == command


def test_schema_check_without_alembic_agrees_with_alembic(tmp_path):
    """head_revision() reads the migration files' text; Alembic's own answer must be the same,
    and a database one migration behind is not current by either, until migrate() runs."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from storage.db import Database, alembic_config, head_revision
    from tests.helpers import fresh_database_url

    url = fresh_database_url(tmp_path, "old.db")
    assert head_revision() == ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    db = Database(url)
    assert not db.is_current() and not db._alembic_is_current()  # no schema at all yet
    revisions = ScriptDirectory.from_config(alembic_config(url))
    command.upgrade(alembic_config(url), revisions.get_revision(head_revision()).down_revision)
    assert not db.is_current() and not db._alembic_is_current()
    db.migrate()
    assert db.is_current() and db._alembic_is_current()
    db.dispose()
