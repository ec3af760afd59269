"""`newsradar watches` and `subscribers add --watch` as a user runs them: the same refusals as
search for bad queries, the per-subscriber limit from [watches], list --json, remove."""

from __future__ import annotations

import json

import search
from tests.notifiers.helpers import article, ingest, make_env


def test_watches_cli(tmp_path):
    env = make_env(tmp_path)
    env.config.write_text(env.config.read_text() + "\n[watches]\nmax_per_subscriber = 2\n", encoding="utf-8")
    ingest(env, [article(1, "digital_currency"), article(2, "fintech")])

    none = env.run("subscribers", "add", "--console")
    assert none.returncode == 2 and "at least one topic (--topics IDS) or at least one --watch" in none.stderr
    bad = env.run("subscribers", "add", "--console", "--watch=-冬奥")
    assert bad.returncode == 2
    try:
        search.parse_query("-冬奥")
    except search.QueryError as exc:
        assert str(exc) in bad.stderr
    added = env.run("subscribers", "add", "--console", "--watch", "数字人民币 -冬奥")
    assert added.returncode == 0 and "watch '数字人民币 -冬奥'" in added.stdout, added.stderr

    ok = env.run("watches", "add", "--subscriber", "1", "金融科技", "--backfill", "5")
    assert ok.returncode == 0, ok.stderr
    assert "watch 2 added for subscriber 1: 金融科技" in ok.stdout and "queued 1 alert" in ok.stdout
    full = env.run("watches", "add", "--subscriber", "1", "央行")
    assert full.returncode == 2 and "max_per_subscriber" in full.stderr
    long = env.run("watches", "add", "--subscriber", "1", "央" * 501)
    assert long.returncode == 2 and "at most 500" in long.stderr
    unknown = env.run("watches", "add", "--subscriber", "1", "央行", "--topics", "nope")
    assert unknown.returncode == 2 and "unknown topic nope" in unknown.stderr

    listed = json.loads(env.run("watches", "list", "--json").stdout)
    assert [(w["id"], w["subscriber_id"], w["query"], w["active"]) for w in listed] == [
        (1, 1, "数字人民币 -冬奥", True),
        (2, 1, "金融科技", True),
    ]
    assert listed[1]["matches_30d"] == 1  # the backfilled story
    assert "paused" in env.run("watches", "pause", "1").stdout
    assert "(paused)" in env.run("watches", "list").stdout
    assert env.run("watches", "remove", "1").stdout.strip() == "watch 1 removed"
    assert env.run("watches", "remove", "1").returncode == 1
    assert [w["id"] for w in json.loads(env.run("watches", "list", "--json").stdout)] == [2]
    sent = env.run("dispatch").stdout
    assert "sent 1 alert" in sent and "🔍 金融科技" in sent, sent
