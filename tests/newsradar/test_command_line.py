"""The command line as a user meets it: options anywhere, help everywhere, ranges, conflicts."""

from __future__ import annotations

import argparse
import json
import re

import pytest

from newsradar.cli import build_parser
from storage import Database
from tests.helpers import config_database_url, run_cli, write_config


def _parsers(parser: argparse.ArgumentParser, path: str = "newsradar"):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                assert helps.get(name), f"{path} {name}: no help line in the command list"
                yield from _parsers(sub, f"{path} {name}")


def test_every_command_and_argument_has_help_and_one_metavar_style():
    for path, parser in _parsers(build_parser()):
        assert path == "newsradar" or parser.description, f"{path}: no description"
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction | argparse._HelpAction):
                continue
            name = "/".join(action.option_strings) or action.dest
            assert action.help, f"{path} {name}: no help"
            metavar = action.metavar
            if metavar is None and action.nargs != 0 and action.choices is None:
                metavar = action.dest.upper()
            if metavar is not None and action.nargs != 0:
                assert re.fullmatch(r"[A-Z]+(_[A-Z]+)*", metavar), f"{path} {name}: metavar {metavar!r}"
            if action.type is int or action.type is float:
                pytest.fail(f"{path} {name}: a number without a range (use argtypes.number)")


def test_group_help_lists_every_subcommand():
    top = run_cli("--help").stdout
    [line] = [x for x in top.splitlines() if x.strip().startswith("subscribers ")]
    for name in ("add", "list", "remove", "pause", "resume"):
        assert name in line
        assert re.search(rf"^\s+{name}\s", run_cli("subscribers", "--help").stdout, re.M)


def test_config_and_verbose_work_after_the_subcommand(tmp_path):
    config = write_config(tmp_path, "")
    db = Database(config_database_url(config))
    db.migrate()  # status only reads: it finds the database the config names, or exits 3
    db.dispose()
    for args in (["status", "--config", str(config)], ["status", "-v", "--config", str(config)],
                 ["-v", "status", "--config", str(config)], ["--config", str(config), "status", "-v"]):  # fmt: skip
        out = run_cli(*args, env={"PWD": str(tmp_path)})
        assert out.returncode == 0, (args, out.stderr)
        assert "articles: 0" in out.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["articles", "list", "--limit", "-5"],
        ["stories", "list", "--limit", "-1"],
        ["dispatch", "--concurrency", "-3"],
        ["dispatch", "--concurrency", "0"],
        ["sources", "test", "x", "--articles", "-1"],
        ["articles", "show", "0"],
        ["subscribers", "pause", "-2"],
        ["bot", "--poll-timeout", "0"],
    ],
)
def test_numbers_out_of_range_are_refused(tmp_path, args):
    out = run_cli(*args, config=write_config(tmp_path, ""))
    assert out.returncode == 2
    assert "out of range" in out.stderr
    assert "Traceback" not in out.stderr


def test_conflicting_options_are_refused(tmp_path):
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"id": 1, "title": "数字人民币", "text": ""}\n', encoding="utf-8")
    out = run_cli("classify", "--title", "x", "--jsonl", str(lines))
    assert out.returncode == 2
    assert "--jsonl cannot be combined with --title" in out.stderr
    assert out.stdout == ""


def test_classify_jsonl_with_a_line_that_is_not_utf8(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        '{"id": 1, "title": "数字人民币试点扩大", "text": ""}\n'.encode()
        + b'{"id": 2, "title": "\xff\xfe bad", "text": ""}\n'
        + '{"id": 3, "title": "绿色债券发行", "text": ""}\n'.encode()
    )
    out = run_cli("classify", "--jsonl", str(src))
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == [1, None, 3]
    assert rows[1]["error"] == "line 2: not UTF-8 (byte 21)"
    text = tmp_path / "body.txt"
    text.write_bytes(b"\xff\xfe")
    out = run_cli("classify", "--text-file", str(text))
    assert out.returncode == 2 and "not UTF-8" in out.stderr and "Traceback" not in out.stderr
