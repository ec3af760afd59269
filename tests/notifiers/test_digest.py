"""Daily digest: `newsradar digest` over the loopback Telegram Bot API, SMTP server and webhook.

Stories are stored through the real ingest + classifier with chosen publication times, so the
Beijing-day boundaries, copies grouped into one story, modes, narrowing, escaping, splitting,
retries and the once-per-(subscriber, channel, day) rule are all exercised end to end.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from common import SettingsError
from notifiers.messages import TELEGRAM_LIMIT, utf16_len
from notifiers.settings import AlertSettings, parse_section
from storage import BEIJING, Database, Delivery, to_beijing, utcnow
from storage.db import alembic_config
from storage.subscribers import add_subscriber
from tests.notifiers.helpers import Env, article, ingest, make_env

DAY = date(2026, 5, 1)
NUM = re.compile(r"第(\d+)号")


def at(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=BEIJING)


def numbers(text: str) -> list[int]:
    return [int(n) for n in NUM.findall(text)]


def add(env: Env, channels, topics, **kw) -> int:
    with env.db.session() as s:
        sub = add_subscriber(s, channels=channels, topics=topics, **kw)
        s.commit()
        return sub.id


def digests(env: Env) -> list[Delivery]:
    with env.db.session() as s:
        return list(s.scalars(sa.select(Delivery).where(Delivery.kind == "digest").order_by(Delivery.id)))


def test_digest_sends_each_subscriber_its_days_stories_once(tmp_path, servers):
    api, smtp, hook = servers
    env = make_env(tmp_path, telegram=api.url, smtp_port=smtp.port)
    add(env, [("telegram", "2001")], ["digital_currency", "green_finance"], mode="digest")
    add(env, [("email", "b@example.org")], ["green_finance"])  # both
    add(env, [("telegram", "2003")], ["digital_currency"], mode="instant")
    add(env, [("apprise", hook.url("/d"))], ["fintech"], mode="digest", keywords=["特别"])
    paused = add(
        env, [("telegram", "2004")], ["digital_currency", "green_finance", "sub_center"], mode="digest"
    )
    env.run("subscribers", "pause", str(paused))
    prev, nxt = DAY - timedelta(days=1), DAY + timedelta(days=1)
    items = [
        replace(article(0, "digital_currency", title="第0号 <script>alert(1)</script> & 数字货币"),
                published_at=at(DAY, 8)),
        replace(article(1, "green_finance", title="第1号 <img src=x onerror=alert(1)> 绿色"), published_at=at(DAY, 9)),
        replace(article(2, "digital_currency"), published_at=at(DAY, 10)),
        replace(article(3, "fintech", title="第3号 fintech 特别 新闻"), published_at=at(DAY, 11)),
        replace(article(4, "fintech"), published_at=at(DAY, 12)),
        # story 5: first published the day before; its copy on DAY does not move it
        replace(article(5, "digital_currency"), published_at=at(prev, 23)),
        replace(article(5, "digital_currency", source="eastmoney", url="https://em.example/5.html"),
                published_at=at(DAY, 10, 30)),
        # story 6: at midnight opening DAY, with a copy the next day: in DAY's digest, both sources
        replace(article(6, "digital_currency"), published_at=at(DAY, 0)),
        replace(article(6, "digital_currency", source="eastmoney", url="https://em.example/6.html"),
                published_at=at(nxt, 9)),
        replace(article(7, "green_finance"), published_at=at(DAY, 23, 59, 59)),
        replace(article(8, "sub_center"), published_at=at(DAY, 13)),
        replace(article(9, "green_finance"), published_at=at(nxt, 0)),
        replace(article(10, "digital_currency"), published_at=at(prev, 12)),
    ]  # fmt: skip
    ingest(env, items)

    env.run("dispatch")  # instant alerts: the digest-only subscriber gets none
    assert api.sent("2001") == [] and api.sent("2004") == []
    assert sorted(n for c in api.sent("2003") for n in numbers(c.text)) == [0, 2, 5, 6, 10]
    instant_mails = len(smtp.to("b@example.org"))
    assert instant_mails >= 1
    instant_hook = len(hook.ok_posts())
    instant_tg = len(api.sent("2003"))

    out = env.cli("digest", "--send", "--date", "2026-05-01").stdout  # the real CLI, as cron would run it
    assert "digest 2026-05-01: queued 3 of 3 digests, sent 3 in 3 messages" in out

    [tg] = api.sent("2001")
    assert numbers(tg.text) == [2, 0, 6, 7, 1]  # by topic (config order), newest first
    assert tg.text.index("数字货币") < tg.text.index("绿色金融")
    assert "2026-05-01" in tg.text and "5 条" in tg.text
    assert (
        "<script>" not in tg.text
        and "<img" not in tg.text
        and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 数字货币" in tg.text
    )
    assert "bj-yaowen, eastmoney" in tg.text  # story 6: the copy's source is named too
    assert "» " in tg.text and "<b>数字人民币</b>" in tg.text  # evidence with the matched term
    assert (
        len(api.sent("2003")) == instant_tg and api.sent("2004") == []
    )  # instant-only and paused: no digest

    mails = smtp.to("b@example.org")
    assert len(mails) == instant_mails + 1
    mail = mails[-1].message
    assert "daily digest 2026-05-01" in mail["Subject"]
    assert numbers(mail.get_body(("plain",)).get_content()) == [7, 1]
    html = mail.get_body(("html",)).get_content()
    assert re.search(r"<h2[^>]*>绿色金融</h2>", html) and re.search(r"<b[^>]*>绿色债券</b>", html)
    assert mail["List-Unsubscribe"] and "font-family:-apple-system" in html  # styled inline, no serif
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt; 绿色" in html
    assert html.count("<img") == 1 and "cid:trend-chart@newsradar" in html  # only our chart
    assert "&lt;img src=x onerror=alert(1)&gt; 绿色" in tg.text

    [post] = hook.ok_posts()[instant_hook:]
    assert post.path == "/d" and numbers(post.json["message"]) == [3]  # keyword narrowing

    # again (cron retried, or someone ran it by hand): nothing more
    out = env.run("digest", "--send", "--date", "2026-05-01").stdout
    assert "queued 0 of 3 digests, sent 0" in out
    assert len(api.sent("2001")) == 1 and len(smtp.to("b@example.org")) == instant_mails + 1
    assert len(hook.ok_posts()) == instant_hook + 1
    assert {d.status for d in digests(env)} == {"sent"}


def test_long_telegram_digest_is_split_and_a_failed_part_resumes(tmp_path, servers):
    api, _, _ = servers
    env = make_env(tmp_path, telegram=api.url)
    add(env, [("telegram", "2101")], ["digital_currency"], mode="digest")
    long = "关于数字人民币试点场景建设的通知" * 6
    ingest(env, [replace(article(n, "digital_currency", title=f"第{n}号 {long}"), published_at=at(DAY, 8, n))
                 for n in range(40)])  # fmt: skip
    api.slow("sendMessage", 0, times=1)  # the first part goes through ...
    api.fail("sendMessage", 500, times=1)  # ... the second fails
    out = env.run("digest", "--send", "--date", "2026-05-01").stdout
    assert "retrying 1" in out
    [row] = digests(env)
    first = numbers(api.sent("2101")[0].text)
    assert row.status == "pending" and row.digest_progress == len(first) > 0
    time.sleep(0.3)  # backoff
    env.run("digest", "--send", "--date", "2026-05-01")
    texts = [c.text for c in api.sent("2101")]
    assert len(texts) >= 3
    assert all(utf16_len(t) <= TELEGRAM_LIMIT for t in texts)
    got = [n for t in texts for n in numbers(t)]
    assert got == list(range(39, -1, -1))  # every story once, newest first, across the parts
    assert "40 条" in texts[0] and all("续 continued" in t for t in texts[1:])
    headings = [next(line for line in t.split("\n") if line.startswith("🏷")) for t in texts]
    assert all("数字货币" in h for h in headings)  # each part repeats its topic heading
    assert "7日均值" in texts[0] and "7日均值" not in texts[1]  # the trend, once, in the first part
    assert len(api.sent("2101", method="sendPhoto")) == 1  # the 14-day chart, once, before the text
    assert [d.status for d in digests(env)] == ["sent"]


def test_digest_faults_retry_and_a_blocked_chat_is_deactivated(tmp_path, servers):
    api, smtp, hook = servers
    env = make_env(tmp_path, telegram=api.url, smtp_port=smtp.port, admin_chats=["9"])
    add(env, [("telegram", "2201")], ["green_finance"], mode="digest")
    add(env, [("email", "f@example.org")], ["green_finance"], mode="digest")
    add(env, [("apprise", hook.url("/f"))], ["green_finance"], mode="digest")
    add(env, [("telegram", "2202")], ["green_finance"], mode="digest")
    ingest(env, [replace(article(n, "green_finance"), published_at=at(DAY, 9, n)) for n in range(3)])
    api.fail("sendMessage", 500, times=1, chat_id="2201")
    api.blocked.add("2202")
    smtp.refuse(times=1)
    hook.fail(500, times=1)
    out = env.run("digest", "--send", "--date", "2026-05-01").stdout
    assert "retrying 3" in out and "dead 1" in out and "deactivated" in out
    time.sleep(0.3)
    env.run("dispatch")  # the ordinary dispatcher retries digests too
    assert [numbers(c.text) for c in api.sent("2201")] == [[2, 1, 0]]
    assert [numbers(m.message.get_body(("plain",)).get_content()) for m in smtp.to("f@example.org")] == [
        [2, 1, 0]
    ]
    assert [numbers(p.json["message"]) for p in hook.ok_posts()] == [[2, 1, 0]]
    assert api.sent("2202") == [] and any("2202" in c.text for c in api.sent("9"))
    assert sorted(d.status for d in digests(env)) == ["dead", "sent", "sent", "sent"]
    assert "inactive channels (1)" in env.run("status").stdout


def test_two_digest_commands_at_once_send_once(tmp_path, servers):
    api, smtp, _ = servers
    env = make_env(tmp_path, telegram=api.url, smtp_port=smtp.port)
    add(env, [("telegram", "2301"), ("email", "g@example.org")], ["fintech"], mode="digest")
    add(env, [("telegram", "2302")], ["fintech"], mode="both")
    ingest(env, [replace(article(n, "fintech"), published_at=at(DAY, 9, n)) for n in range(3)])
    procs = [env.popen("digest", "--send", "--date", "2026-05-01") for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    assert [numbers(c.text) for c in api.sent("2301")] == [[2, 1, 0]]
    assert [numbers(c.text) for c in api.sent("2302")] == [[2, 1, 0]]
    assert len(smtp.to("g@example.org")) == 1
    assert len(digests(env)) == 3


def test_default_day_dry_run_and_empty_digests(tmp_path):
    env = make_env(tmp_path)  # console channels: digests print in the command's output
    add(env, [("console", "green")], ["green_finance"], mode="digest", name="green")
    add(env, [("console", "tech")], ["fintech"], mode="digest", name="tech")
    yesterday = to_beijing(utcnow()).date() - timedelta(days=1)
    ingest(env, [replace(article(1, "green_finance", title="第1号 绿色 & <i>金融</i>"),
                         published_at=at(yesterday, 12))])  # fmt: skip
    out = env.run("digest", "--dry-run").stdout
    assert f"digest {yesterday} (dry run): 1 subscriber\n" in out and "#1 第1号" in out
    assert digests(env) == []
    out = env.run("digest", "--send").stdout  # default: yesterday in Beijing
    assert "=== newsradar digest for subscriber 1 (green) ===" in out and "第1号 绿色 & <i>金融</i>" in out
    assert "subscriber 2" not in out and f"digest {yesterday}: queued 1 of 1" in out

    env.config.write_text(env.config.read_text().replace("[alerts]\n", "[alerts]\ndigest_empty = true\n"))
    out = env.run("digest", "--send", "--date", str(yesterday - timedelta(days=1))).stdout
    assert out.count("没有匹配的新闻 no matching news") == 2 and "sent 2 in 2 messages" in out


def test_digest_settings():
    assert (
        AlertSettings().digest_hour is None and AlertSettings().digest_empty is False
    )  # [digest] time rules
    assert parse_section("alerts", {"digest_hour": 0}).digest_hour == 0
    assert parse_section("alerts", {"digest_hour": 23, "digest_empty": True}).digest_empty is True
    for bad in (24, -1, True, "8", 7.5):
        with pytest.raises(SettingsError, match="digest_hour: must be an hour of the day 0-23"):
            parse_section("alerts", {"digest_hour": bad})
    with pytest.raises(SettingsError, match="digest_empty: must be true or false"):
        parse_section("alerts", {"digest_empty": "yes"})


def test_bad_digest_hour_in_config_stops_the_command(tmp_path):
    env = make_env(tmp_path)
    env.config.write_text(env.config.read_text().replace("[alerts]\n", "[alerts]\ndigest_hour = 25\n"))
    proc = env.run("digest", "--dry-run")
    assert proc.returncode == 2 and "digest_hour" in proc.stderr and "0-23" in proc.stderr


def _migrate_with_old_rows(url: str) -> None:
    """A database at revision 0001 holding an alert row, then upgraded: the row survives as an alert."""
    from alembic import command

    command.upgrade(alembic_config(url), "0001")
    engine = sa.create_engine(url)
    now = datetime(2026, 5, 1, 1, 0)
    with engine.begin() as c:
        c.execute(
            sa.text(
                "INSERT INTO subscribers (id, name, mode, paused, created_at) VALUES (1, '', 'both', false, :t)"
            ),
            {"t": now},
        )
        c.execute(
            sa.text(
                "INSERT INTO channels (id, subscriber_id, kind, address, active, created_at) VALUES (1, 1, 'console', 'x', true, :t)"
            ),
            {"t": now},
        )
        c.execute(sa.text("INSERT INTO stories (id, created_at, updated_at) VALUES (1, :t, :t)"), {"t": now})
        c.execute(sa.text("INSERT INTO deliveries (subscriber_id, story_id, channel_id, status, topics, attempts, next_attempt_at, created_at) VALUES (1, 1, 1, 'sent', '[]', 1, :t, :t)"), {"t": now})  # fmt: skip
    engine.dispose()
    db = Database(url)
    db.migrate()
    assert db.is_current()
    with db.session() as s:
        [old] = s.scalars(sa.select(Delivery))
        assert (old.kind, old.digest_progress, old.digest_day) == ("alert", 0, None)
        for _ in range(2):  # the second is a no-op: one digest per subscriber, channel and day
            stmt = (
                (sa.dialects.postgresql.insert if db.engine.dialect.name == "postgresql" else sa.dialects.sqlite.insert)(Delivery)
                .values(kind="digest", subscriber_id=1, channel_id=1, digest_day=DAY, digest_items=[[1, ["x"]]],
                        status="pending", topics=["x"], next_attempt_at=utcnow(), created_at=utcnow())
                .on_conflict_do_nothing(index_elements=["subscriber_id", "channel_id", "digest_day"])
            )  # fmt: skip
            s.execute(stmt)
        s.commit()
        assert (
            s.scalar(sa.select(sa.func.count()).select_from(Delivery).where(Delivery.kind == "digest")) == 1
        )
    db.dispose()


def test_migration_0002_on_sqlite_with_existing_rows(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    _migrate_with_old_rows(url)
    command.downgrade(alembic_config(url), "0001")  # and back: digest rows go, alerts stay
    engine = sa.create_engine(url)
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM deliveries")).scalar() == 1
    engine.dispose()


@pytest.mark.postgres
def test_migration_0002_on_postgresql(pg_database):
    _migrate_with_old_rows(pg_database)


def test_digest_preview_text_html_and_markdown_queue_nothing(tmp_path):
    env = make_env(tmp_path)
    sid = add(env, [("console", "p")], ["digital_currency", "fintech"], mode="digest")
    earlier = [
        replace(article(10 + n, "digital_currency"), published_at=at(DAY - timedelta(days=n), 9))
        for n in range(1, 6)
    ]
    ingest(
        env,
        [*(replace(article(n, "digital_currency"), published_at=at(DAY, 9, n)) for n in range(4)), *earlier],
    )
    text = env.run("digest", "--date", "2026-05-01").stdout
    assert numbers(text)[-4:] == [3, 2, 1, 0] and "数字货币 / 数字人民币 4 条（7日均值 0.7，↑）" in text
    page = tmp_path / "digest.html"
    out = env.run(
        "digest", "--date", "2026-05-01", "--subscriber", str(sid), "--format", "html", "--output", str(page)
    )
    assert "written to" in out.stdout
    html = page.read_text(encoding="utf-8")  # kept in the test's tmp dir: opens in a browser
    assert html.count("<img") == 1 and 'src="data:image/png;base64,' in html and "第3号" in html
    md = env.run("digest", "--date", "2026-05-01", "--format", "md").stdout
    assert md.startswith("# newsradar") and "## 数字货币" in md and "`▁" in md and "![14日趋势" in md
    assert digests(env) == []  # previews queue nothing
    missing = env.run("digest", "--date", "2026-05-01", "--subscriber", "99")
    assert missing.returncode == 1 and "subscriber 99 gets no digest" in missing.stderr
