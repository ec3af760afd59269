"""Helpers for the notifier tests: a temp database filled through the real ingest + classifier,
a config pointing at the loopback fakes, and the real `newsradar` CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from newsradar.context import Context
from processor import ArticleData, Ingestor
from storage import Database, Delivery
from tests.helpers import fresh_database_url

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key"

# Texts the real classifier files under one topic each (checked in test_end_to_end).
TOPIC_TEXT = {
    "digital_currency": "人民银行表示，数字人民币试点范围将进一步扩大，数字人民币应用场景持续丰富。",
    "green_finance": "人民银行表示，将推动绿色金融改革创新试验区建设，发展绿色债券和绿色信贷。",
    "sub_center": "北京城市副中心建设持续推进，通州区城市副中心重大项目集中开工。",
    "fintech": "金融科技发展规划提出，推动金融科技赋能金融服务，加强金融科技监管。",
}


@dataclass
class Env:
    """One test's world: config file, database, environment for subprocesses."""

    dir: Path
    config: Path
    db: Database
    env: dict[str, str]

    def ctx(self) -> Context:
        return Context(str(self.config))

    def cli(self, *args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
        """Run `python -m newsradar --config X ...` as a user would."""
        proc = subprocess.run(
            [sys.executable, "-m", "newsradar", "--config", str(self.config), *args],
            cwd=self.dir, env=self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if check and proc.returncode != 0:
            raise AssertionError(
                f"newsradar {' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def run(self, *args: str) -> subprocess.CompletedProcess:
        """The same command in this process (faster); stdout/stderr captured."""
        import contextlib
        import io

        from newsradar.cli import main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--config", str(self.config), *args])
        return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "newsradar", "--config", str(self.config), *args],
            cwd=self.dir, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            return dict(s.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())


def make_env(
    tmp_path: Path,
    *,
    telegram: str | None = None,
    smtp_port: int | None = None,
    admin_chats: Iterable[Any] = (),
    alerts: dict[str, Any] | None = None,
    telegram_options: dict[str, Any] | None = None,
    email_options: dict[str, Any] | None = None,
    database_url: str | None = None,
    token: str | None = None,
) -> Env:
    """Config + migrated database; fast backoff and pacing so faults heal within a test."""
    from tests.fakes.telegram_api import TOKEN

    lines = [f'[database]\nurl = "{database_url or fresh_database_url(tmp_path, "nr.db")}"\n']
    if telegram:
        t = {"api_url": telegram, "admin_chats": [str(c) for c in admin_chats], "per_chat_interval": 0.05, "rate": 300,
             "timeout": 5}  # fmt: skip
        t.update(telegram_options or {})
        lines.append("[telegram]\n" + _toml(t))
    if smtp_port:
        e = {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "security": "none", "sender": "alerts@newsradar.test",
             "timeout": 5}  # fmt: skip
        e.update(email_options or {})
        lines.append("[email]\n" + _toml(e))
    a = {"max_attempts": 8, "backoff_base": 0.05, "backoff_max": 0.2, "lease": 6, "poll_interval": 0.2}
    a.update(alerts or {})
    lines.append("[alerts]\n" + _toml(a))
    config = tmp_path / "newsradar.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    env = dict(os.environ)
    env.update(NEWSRADAR_TELEGRAM_TOKEN=token or TOKEN, NEWSRADAR_SECRET_KEY=SECRET, PYTHONPATH=str(ROOT))
    env.pop("NEWSRADAR_CONFIG", None)
    if token:  # in-process runs read the environment (tests/notifiers/conftest.py sets the defaults)
        os.environ["NEWSRADAR_TELEGRAM_TOKEN"] = token
    ctx = Context(str(config))
    return Env(tmp_path, config, ctx.db(), env)


_CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"


def _filler(n: int, length: int = 160) -> str:
    """Distinct text per n, so every test article is its own story (no near-duplicate grouping)."""
    import random

    rnd = random.Random(n)
    return "".join(rnd.choice(_CHARS) for _ in range(length))


def _toml(table: dict[str, Any]) -> str:
    return "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items())


_BASE = datetime(2026, 5, 1, 1, 30, tzinfo=UTC)


def article(n: int, topic: str, *, source: str = "bj-yaowen", title: str | None = None,
            body: str | None = None, url: str | None = None) -> ArticleData:  # fmt: skip
    """An article the real classifier files under `topic` (unique text so it is its own story)."""
    text = body or f"{_filler(n)}。{TOPIC_TEXT[topic]}{_filler(n + 100_000)}。"
    return ArticleData(
        source=source, url=url or f"https://example.gov.cn/{topic}/{n}.html",
        title=title or f"第{n}号 {topic} 新闻", body_text=text,
        published_at=_BASE + timedelta(minutes=n),
    )  # fmt: skip


def ingest(env: Env, items: Iterable[ArticleData]) -> list:
    """Store articles through the real Ingestor + classifier, one transaction each."""
    ingestor = Ingestor(env.ctx().matcher())
    out = []
    with env.db.session() as s:
        for item in items:
            out.append(ingestor.ingest(s, item))
    return out


def subscribe(env: Env, channels: list[tuple[str, str]], topics: list[str], **kw: Any) -> int:
    """Add a subscriber with these channels and topics (storage.subscribers rules); returns its id."""
    from storage.subscribers import add_subscriber

    with env.db.session() as s:
        sub = add_subscriber(s, channels=channels, topics=topics, **kw)
        s.commit()
        return sub.id


def legacy_unsubscribe_token(channel_id: int, secret: bytes, day: int | None = None) -> str:
    """An unsubscribe token made the old way (before itsdangerous): '<id>.<issue day>.<HMAC>',
    as links in emails sent before the switch carry them."""
    import base64
    import hashlib
    import hmac
    import time

    day = int(time.time() // 86400) if day is None else day
    msg = f"newsradar:unsubscribe:{channel_id}:{day}".encode()
    mac = base64.urlsafe_b64encode(hmac.new(secret, msg, hashlib.sha256).digest()).rstrip(b"=").decode()
    return f"{channel_id}.{day}.{mac}"
