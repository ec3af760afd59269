"""`newsradar run` end to end against the loopback sample site, the fake Bot API and a real SMTP
server: a new article reaches Telegram and email once, within the interval plus 10 s; a list
page that changes layout raises one admin alert and one recovery note; SIGTERM ends the daemon
within 10 s; a restart sends nothing again."""

from __future__ import annotations

import html
import time

import pytest

from tests.fakes.smtp import SMTPServer
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.helpers import run_cli, write_config
from tests.scheduler.helpers import RunningDaemon, wait_until

EVERY = 10
SLACK = (
    60  # a crawl round costs seconds of CPU; on a loaded machine rounds take longer (bench/daemon measures)
)
NEW_TITLE = "北京城市副中心扩大数字人民币试点应用场景"
NEW_TEXT = (
    "北京城市副中心今天宣布扩大数字人民币试点应用场景，覆盖交通出行、政务服务和商圈消费。\n"
    "市金融监管部门表示，将继续推进法定数字货币试点，探索建设数字资产交易场所。"
)


@pytest.fixture
def fakes():
    api = FakeBotAPI().start()
    smtp = SMTPServer().start()
    yield api, smtp
    api.stop()
    smtp.stop()


def _config(tmp_path, site, api, smtp, database=None):
    return write_config(
        tmp_path,
        f'ingest_worker = false\n\n[[sources]]\nname = "bj-yaowen"\ntitle = "北京市人民政府·要闻"\n'
        f'kind = "beijing_gov"\nstart_urls = ["{site["bjgov"]}/ywdt/yaowen/"]\nevery = "{EVERY}s"\n'
        f'\n[telegram]\napi_url = "{api.url}"\nadmin_chats = ["999"]\ntimeout = 5\n'
        f'\n[email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp.port}\nsecurity = "none"\n'
        'sender = "alerts@newsradar.test"\ntimeout = 5\n'
        '\n[alerts]\npoll_interval = "2s"\nadmin_emails = ["ops@newsradar.test"]\n'
        '\n[health]\nfailing_after = 2\n\n[scheduler]\nbatch_window = "0.5s"\njitter = 0\n',
        database,
    )


def _telegram_texts(api, chat: str) -> list[str]:
    return [html.unescape(c.text) for c in api.sent(chat)]


def test_run_alerts_watches_and_stops_cleanly(tmp_path, fresh_mocksite, fakes):
    api, smtp = fakes
    site = fresh_mocksite
    config = _config(tmp_path, site, api, smtp)
    env = {"NEWSRADAR_TELEGRAM_TOKEN": TOKEN}  # no NEWSRADAR_SECRET_KEY: a key is generated
    env_off = {"NEWSRADAR_SECRET_KEY": ""}
    topics = "digital_currency,sub_center,green_finance,fintech"
    for args in (["--telegram-chat", "4001"], ["--email", "reader@newsradar.test"]):
        assert run_cli("subscribers", "add", *args, "--topics", topics, config=config).returncode == 0
    daemon = RunningDaemon(config, env={**env, **env_off})
    try:
        daemon.wait_for("leading", 60)
        daemon.wait_for("crawl round of 1 source", 120)
        wait_until(lambda: _telegram_texts(api, "4001") and smtp.to("reader@newsradar.test"), 30)
        out = daemon.output
        assert "北京市人民政府·要闻" in out and "every 10s" in out and "alerts go to:" in out

        # a new post on the watched site reaches both channels once, within the interval + 10 s
        before_tg, before_mail = len(api.sent("4001")), len(smtp.to("reader@newsradar.test"))
        added = time.monotonic()
        site.add_article("bjgov", NEW_TITLE, NEW_TEXT)
        wait_until(lambda: any(NEW_TITLE in t for t in _telegram_texts(api, "4001")), EVERY + SLACK)
        latency = time.monotonic() - added
        wait_until(
            lambda: any(
                NEW_TITLE in m.message.get("Subject", "") + str(m.message)
                for m in smtp.to("reader@newsradar.test")
            ),
            EVERY + SLACK,
        )
        print(f"new post -> Telegram: {latency:.1f}s")
        assert sum(NEW_TITLE in t for t in _telegram_texts(api, "4001")) == 1

        # the list page changes layout: one admin alert (Telegram and email), then one recovery note
        site.redesign("bjgov")
        wait_until(lambda: api.sent("999"), 4 * EVERY + 2 * SLACK)
        [alert] = _telegram_texts(api, "999")
        assert "北京市人民政府·要闻" in alert and "failing" in alert and "since" in alert
        daemon.wait_for("crawl round", 5)
        n_rounds = daemon.output.count("crawl round")
        wait_until(lambda: daemon.output.count("crawl round") >= n_rounds + 1, 2 * EVERY + SLACK)
        assert len(api.sent("999")) == 1  # still failing: no alert per run
        site.redesign("bjgov", on=False)
        wait_until(lambda: len(api.sent("999")) >= 2, 2 * EVERY + SLACK)
        assert "works again" in _telegram_texts(api, "999")[1]
        admin_mail = wait_until(
            lambda: len(smtp.to("ops@newsradar.test")) >= 2 and smtp.to("ops@newsradar.test"), 10
        )
        assert len(admin_mail) == 2
        sent_tg, sent_mail = len(api.sent("4001")), len(smtp.to("reader@newsradar.test"))
        assert sent_tg > before_tg and sent_mail > before_mail

        took = daemon.terminate()
        print(f"SIGTERM -> exit: {took:.1f}s")
        assert took < 10 and daemon.proc.returncode == 0
    finally:
        if daemon.proc.poll() is None:
            daemon.kill()
        (tmp_path / "daemon.log").write_text(daemon.output, encoding="utf-8")
        print(daemon.output[-3000:])
    # a restart picks up where it stopped and sends nothing twice
    again = run_cli("run", "--once", config=config, env={**env, **env_off}, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "crawl round of 1 source" in again.stderr
    assert (len(api.sent("4001")), len(smtp.to("reader@newsradar.test"))) == (sent_tg, sent_mail)
    assert len(api.sent("999")) == 2
    status = run_cli("status", config=config)
    assert "no daemon running" in status.stdout, status.stdout
