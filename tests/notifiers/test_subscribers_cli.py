"""`newsradar subscribers` through the real CLI (in-process main(), as the console script runs it)."""

from __future__ import annotations

import json

import pytest

from newsradar.cli import main
from tests.notifiers.helpers import make_env


@pytest.fixture
def run(tmp_path, capsys):
    env = make_env(tmp_path)

    def cli(*args):
        code = main(["--config", str(env.config), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return cli


def test_add_list_remove(run):
    code, out, _ = run(
        "subscribers", "add", "--telegram-chat", "-100123", "--topics", "digital_currency,sub_center"
    )
    assert code == 0 and "subscriber 1 added" in out
    code, out, _ = run("subscribers", "add", "--email", "ops@example.org", "--topics", "green_finance",
                       "--mode", "digest", "--sources", "a,b", "--keywords", "碳,绿色", "--name", "ops")  # fmt: skip
    assert code == 0
    code, out, _ = run("subscribers", "add", "--apprise", "json://127.0.0.1:9/hook", "--topics", "fintech")
    assert code == 0
    code, out, _ = run("subscribers", "list", "--json")
    subs = json.loads(out)
    assert [s["mode"] for s in subs] == ["both", "digest", "both"]
    assert subs[0]["channels"][0] | {"id": 0} == {"id": 0, "kind": "telegram", "address": "-100123", "active": True,
                                                  "deactivated_reason": None}  # fmt: skip
    assert subs[1]["subscriptions"] == [
        {"topic": "green_finance", "sources": ["a", "b"], "keywords": ["碳", "绿色"]}
    ]
    code, out, _ = run("subscribers", "list")
    assert "ops@example.org" in out and "keywords=碳,绿色" in out
    assert run("subscribers", "pause", "2")[0] == 0
    assert json.loads(run("subscribers", "list", "--json")[1])[1]["paused"] is True
    assert run("subscribers", "remove", "2")[0] == 0
    assert run("subscribers", "remove", "2")[0] == 1
    assert len(json.loads(run("subscribers", "list", "--json")[1])) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--topics", "nope"], "unknown topic nope"),
        (["--email", "not-an-address", "--topics", "fintech"], "not an email address"),
        (["--email", "a@b", "--topics", "fintech", "--telegram-chat", "12ab"], "not a Telegram chat id"),
        (["--apprise", "nonsense://x", "--topics", "fintech"], "not an Apprise URL"),
        (["--topics", ","], "at least one topic"),
    ],
)
def test_refusals_exit_2(run, args, message):
    code, out, err = run("subscribers", "add", *args)
    assert code == 2 and message in err


def test_duplicate_channel_refused(run):
    assert run("subscribers", "add", "--email", "x@example.org", "--topics", "fintech")[0] == 0
    code, _, err = run("subscribers", "add", "--email", "x@example.org", "--topics", "green_finance")
    assert code == 2 and "already used by subscriber 1" in err


def test_digest_time_on_add_and_set(run, capsys):
    code, out, _ = run(
        "subscribers", "add", "--email", "t@example.org", "--topics", "fintech", "--digest-time", "07:30"
    )
    assert code == 0
    assert json.loads(run("subscribers", "list", "--json")[1])[0]["digest_time"] == "07:30"
    assert "digest_time=07:30" in run("subscribers", "list")[1]
    with pytest.raises(SystemExit) as refused:  # argparse refuses it before anything is opened
        run("subscribers", "set", "1", "--digest-time", "25:00")
    assert refused.value.code == 2 and "like '07:30'" in capsys.readouterr().err
    assert json.loads(run("subscribers", "list", "--json")[1])[0]["digest_time"] == "07:30"
    code, out, _ = run("subscribers", "set", "1", "--digest-time", "")
    assert code == 0 and "digest at [digest] time" in out
    assert json.loads(run("subscribers", "list", "--json")[1])[0]["digest_time"] is None
