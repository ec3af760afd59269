"""A watch added from the command line gets its first alert: `newsradar crawl` over the loopback
sample sites, then `newsradar dispatch`, both as subprocesses, to the fake SMTP server and the fake
Telegram Bot API. Each subscriber gets exactly the stories the archive search lists for its watches,
once, with the watch queries named and the hits marked."""

from __future__ import annotations

import html
import json
import re
from collections import Counter

import search
from storage import Database
from tests.fakes.telegram_api import TOKEN
from tests.helpers import config_database_url, run_cli, sample_sources, write_config
from tests.notifiers.helpers import SECRET
from tests.notifiers.test_crawl_to_alert import SEED_TITLE, cli_here

URL = re.compile(r"https?://[^\s\"<>]+")
EMAIL_WATCHES = ['"数字资产交易场所"', "法定数字货币 试点"]
TELEGRAM_WATCH = "數字資產"  # traditional script finds the simplified text


def _listed(db_url: str, queries: list[str]) -> set[int]:
    """Story ids the archive search lists for any of the queries (every page)."""
    db = Database(db_url)
    found: set[int] = set()
    with db.session() as s:
        for q in queries:
            cursor = None
            while True:
                page = search.search(s, q, limit=100, cursor=cursor)
                found |= {h.story_id for h in page.hits if h.story_id}
                cursor = page.next_cursor
                if cursor is None:
                    break
    db.dispose()
    return found


def test_watches_added_by_cli_alert_after_a_crawl(mocksite, tmp_path, servers):
    api, smtp, _ = servers
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
    cli_here(config, "subscribers", "add", "--email", "w@example.org", "--watch", EMAIL_WATCHES[0])
    cli_here(config, "watches", "add", "--subscriber", "1", EMAIL_WATCHES[1])
    cli_here(config, "subscribers", "add", "--telegram-chat", "4001", "--watch", TELEGRAM_WATCH)

    crawl = run_cli("crawl", config=config, env=env)
    assert crawl.returncode == 0, crawl.stderr
    sent = run_cli("dispatch", config=config, env=env)
    assert sent.returncode == 0 and "dispatch: sent" in sent.stdout, sent.stderr

    stories = [
        json.loads(line)
        for line in cli_here(config, "stories", "list", "--json", "--limit", "1000").splitlines()
    ]
    story_of_url = {a["url"]: s["id"] for s in stories for a in s["articles"]}
    [seed] = [s for s in stories if any(a["title"] == SEED_TITLE for a in s["articles"])]
    db_url = config_database_url(config)
    expected = {
        "email": _listed(db_url, EMAIL_WATCHES),
        "telegram": _listed(db_url, [TELEGRAM_WATCH]),
    }
    assert seed["id"] in expected["email"] and seed["id"] in expected["telegram"]
    received = {
        "email": [m.message.get_body(("plain",)).get_content() for m in smtp.to("w@example.org")],
        "telegram": [c.text for c in api.sent("4001")],
    }
    for kind, texts in received.items():
        counts = Counter(
            story_of_url[u] for t in texts for u in URL.findall(html.unescape(t)) if u in story_of_url
        )
        assert set(counts) == expected[kind], (kind, sorted(counts), sorted(expected[kind]))
        assert max(counts.values()) == 1, counts
    email_seed = next(t for t in received["email"] if seed["lead"]["url"] in t)
    assert all(f"🔍 {q}" in email_seed for q in EMAIL_WATCHES), email_seed  # one alert, both reasons
    tg_seed = next(t for t in received["telegram"] if seed["lead"]["url"] in html.unescape(t))
    assert f"🔍 {TELEGRAM_WATCH}" in tg_seed and "<b>数字资产</b>" in tg_seed, tg_seed

    again = run_cli("crawl", config=config, env=env)
    assert again.returncode == 0
    second = run_cli("dispatch", config=config, env=env)
    assert "sent 0 alerts" in second.stdout, second.stdout + second.stderr
