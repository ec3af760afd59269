"""From a real crawl to alerts: `newsradar crawl` over the loopback sample sites, then
`newsradar dispatch`, both as subprocesses, with subscribers on the fake Telegram Bot API, the
fake SMTP server and an Apprise JSON webhook. Each subscriber gets exactly the stories of its
topics, once; the seed story, carried four times by the sample sites, is one alert."""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
from collections import Counter
from pathlib import Path

from tests.fakes.telegram_api import TOKEN
from tests.helpers import run_cli, sample_sources, write_config
from tests.notifiers.helpers import SECRET

SEED_TITLE = "北京：积极推进城市副中心开展法定数字货币试点 探索建设数字资产交易场所"
URL = re.compile(r"https?://[^\s\"<>]+")


def cli_here(config: Path, *args: str) -> str:
    """A quick read-only command through the same CLI entry point, in this process."""
    from newsradar.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--config", str(config), *args]) == 0
    return out.getvalue()


def test_crawl_then_dispatch_alerts_each_subscriber_once(mocksite, tmp_path, servers):
    api, smtp, hook = servers
    mocksite.reset()
    config = write_config(
        tmp_path,
        sample_sources(mocksite, dead=False)
        + f'\n[telegram]\napi_url = "{api.url}"\nper_chat_interval = 0.05\nrate = 300\ntimeout = 5\n'
        f'\n[email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp.port}\nsecurity = "none"\n'
        'sender = "alerts@newsradar.test"\ntimeout = 5\n'
        "\n[alerts]\nbackoff_base = 0.05\nbackoff_max = 0.2\nlease = 10\n",
    )
    env = {"NEWSRADAR_TELEGRAM_TOKEN": TOKEN, "NEWSRADAR_SECRET_KEY": SECRET}
    follows = {
        "telegram": {"digital_currency", "sub_center"},
        "email": {"green_finance"},
        "apprise": {"fintech"},
    }
    cli_here(
        config, "subscribers", "add", "--telegram-chat", "3001", "--topics", "digital_currency,sub_center"
    )
    cli_here(config, "subscribers", "add", "--email", "g@example.org", "--topics", "green_finance")
    cli_here(config, "subscribers", "add", "--apprise", hook.url("/fintech"), "--topics", "fintech")

    crawl = run_cli("crawl", config=config, env=env)
    assert crawl.returncode == 0, crawl.stderr
    sent = run_cli("dispatch", config=config, env=env)
    assert sent.returncode == 0 and "dispatch: sent" in sent.stdout, sent.stderr

    stories = [
        json.loads(line)
        for line in cli_here(config, "stories", "list", "--json", "--limit", "1000").splitlines()
    ]
    story_of_url = {a["url"]: s["id"] for s in stories for a in s["articles"]}
    expected = {kind: {s["id"] for s in stories if follows[kind] & set(s["topics"])} for kind in follows}
    assert all(expected.values()), expected  # the sample sites have stories of every topic

    # the seed story: four copies (beijing.gov.cn, eastmoney, two on finews) grouped into one story
    [seed] = [s for s in stories if any(a["title"] == SEED_TITLE for a in s["articles"])]
    assert len(seed["articles"]) == 4
    assert {"bj-yaowen", "eastmoney"} <= set(seed["sources"]) and any(
        src.startswith("finews") for src in seed["sources"]
    )
    assert {"digital_currency", "sub_center", "green_finance", "fintech"} <= set(seed["topics"])
    assert seed["lead"]["source"] == "bj-yaowen"  # the official original leads

    def received() -> dict[str, list[str]]:
        return {
            "telegram": [html.unescape(c.text) for c in api.sent("3001")],
            "email": [m.message.get_body(("plain",)).get_content() for m in smtp.to("g@example.org")],
            "apprise": [p.json["message"] for p in hook.ok_posts() if p.path == "/fintech"],
        }

    def story_counts(texts: list[str]) -> Counter:
        return Counter(story_of_url[u] for t in texts for u in URL.findall(t) if u in story_of_url)

    got = received()
    for kind, texts in got.items():
        counts = story_counts(texts)
        assert set(counts) == expected[kind], (
            f"{kind}: got {sorted(counts)}, expected {sorted(expected[kind])}"
        )
        assert max(counts.values()) == 1, f"{kind}: duplicates {counts.most_common(3)}"
        # the seed story is one alert naming several of its sources
        [block] = [b for t in texts for b in t.split("\n\n") if seed["lead"]["url"] in b]
        assert "bj-yaowen" in block and "eastmoney" in block and "finews" in block, block
    assert len(api.sent()) == len(got["telegram"])  # nobody else was messaged

    # crawl and dispatch again: the sites have nothing new, so nothing more is sent
    before = (len(api.calls_of("sendMessage")), len(smtp.messages), len(hook.posts))
    again = run_cli("crawl", config=config, env=env)
    assert again.returncode == 0, again.stderr
    second = run_cli("dispatch", config=config, env=env)
    assert second.returncode == 0 and "sent 0 alerts" in second.stdout, second.stdout + second.stderr
    assert (len(api.calls_of("sendMessage")), len(smtp.messages), len(hook.posts)) == before
    status = cli_here(config, "status")
    assert "pending 0" in status and "sending 0" in status and "dead 0" in status
