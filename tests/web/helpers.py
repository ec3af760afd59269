"""An archive for the web tests: a config, a database filled through the real Ingestor and
classifier, and the app served by a real uvicorn server on 127.0.0.1 (web.make_server)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from newsradar.config import load
from newsradar.context import Context
from processor import ArticleData, Ingestor
from tests.helpers import fresh_database_url
from tests.notifiers.helpers import SECRET, TOPIC_TEXT, _filler

BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
HOSTILE_HTML = (
    '<p onclick="window.__pwned=1">点击<a href="javascript:window.__pwned=2">这里</a>查看数字人民币试点</p>'
    "<script>window.__pwned=3;alert(1)</script><style>body{display:none}</style>"
    '<img src="x" onerror="window.__pwned=4"><p>正文继续</p>'
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(folder: Path, *, smtp_port: int | None = None, extra: str = "") -> Path:
    port = free_port()
    text = f'[database]\nurl = "{fresh_database_url(folder, "web.db")}"\n\n[web]\nport = {port}\nbase_url = "http://127.0.0.1:{port}"\npage_size = 5\n'
    if smtp_port:
        text += f'\n[email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp_port}\nsecurity = "none"\nsender = "alerts@newsradar.test"\ntimeout = 5\n'
    path = folder / "newsradar.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


@contextmanager
def web_config(
    tmp_path_factory, name: str, *, smtp_port: int | None = None, extra: str = ""
) -> Iterator[Path]:
    """A module fixture's config (write_config in a fresh folder) with the environment the web app
    needs while the module runs: the secret key set, no NEWSRADAR_CONFIG from the caller's shell
    (it would win over the file); the environment restored after, however the module ends."""
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("NEWSRADAR_SECRET_KEY", SECRET)
        mp.delenv("NEWSRADAR_CONFIG", raising=False)
        yield write_config(tmp_path_factory.mktemp(name), smtp_port=smtp_port, extra=extra)
    finally:
        mp.undo()


def fixture_articles() -> list[ArticleData]:
    """Matched articles of every topic over 60 days, unmatched ones, a policy document, a
    hostile body, and a republished copy (two sources, one story)."""
    out = []
    topics = list(TOPIC_TEXT)
    for n in range(24):
        topic = topics[n % 4]
        body = f"{_filler(n)}。{TOPIC_TEXT[topic]}{_filler(n + 100_000)}。"
        out.append(ArticleData(
            source="bj-yaowen" if n % 3 else "eastmoney", url=f"https://example.gov.cn/{topic}/{n}.html",
            title=f"第{n}号 {topic} 新闻", body_text=body, body_html="".join(f"<p>{p}</p>" for p in body.split("。") if p),
            published_at=BASE - timedelta(days=n * 2, minutes=n), tier=0 if n % 3 else 1,
        ))  # fmt: skip
    for n in range(3):
        body = _filler(500 + n, 300)
        out.append(ArticleData(source="bj-yaowen", url=f"https://example.gov.cn/other/{n}.html", title=f"其他新闻{n}",
                               body_text=body, published_at=BASE - timedelta(hours=n + 1)))  # fmt: skip
    policy_body = f"{_filler(900)}。关于推进北京城市副中心高质量发展的实施意见。{TOPIC_TEXT['sub_center']}{_filler(901)}"
    out.append(ArticleData(
        source="bj-zhengce", url="https://example.gov.cn/zhengce/1.html", title="北京市人民政府关于推进城市副中心高质量发展的实施意见",
        body_text=policy_body, published_at=BASE - timedelta(hours=5), tier=0,
        policy={"doc_number": "京政发〔2025〕3号", "issuer": "北京市人民政府", "written_date": "2025-01-20",
                "published_date": "2025-01-22", "validity": "有效",
                "attachments": [{"title": "附件1：重点任务清单", "url": "https://example.gov.cn/fj/1.pdf"}]},
    ))  # fmt: skip
    hostile_text = "点击这里查看数字人民币试点。正文继续。" + TOPIC_TEXT["digital_currency"]
    out.append(ArticleData(source="finews-feed", url="https://example.org/hostile.html", title="恶意页面 数字人民币",
                           body_text=hostile_text, body_html=HOSTILE_HTML + f"<p>{TOPIC_TEXT['digital_currency']}</p>",
                           published_at=BASE - timedelta(hours=2)))  # fmt: skip
    copy = out[1]
    out.append(ArticleData(source="finews-bjgov", url="https://finews.example/copy-1.html", title=copy.title + "（转载）",
                           body_text=copy.body_text + "（来源：北京日报）", published_at=copy.published_at + timedelta(hours=1),
                           tier=2))  # fmt: skip
    return out


def fill(config: Path) -> dict[str, int]:
    """Ingest the fixture archive, then edit one article (a revision); returns ids by name."""
    ctx = Context(str(config))
    ingestor = Ingestor(ctx.matcher())
    ids = {}
    with ctx.db().session() as s:
        for item in fixture_articles():
            r = ingestor.ingest(s, item)
            ids[item.url] = r.article_id
        first = fixture_articles()[0]
        first.body_text += "（本文已更新）"
        first.body_html += "<p>（本文已更新）</p>"
        ingestor.ingest(s, first)
    ctx.db().dispose()
    return ids


@dataclass
class Served:
    url: str
    server: object
    thread: threading.Thread
    config: Path

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=20, **kw)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def serve(config: Path, port: int | None = None, **options) -> Served:
    """web.make_server in a thread, as the daemon runs it; waits until it listens."""
    from web import make_server, web_settings

    cfg = load(config)
    port = port or web_settings(cfg).port
    server = make_server(cfg, "127.0.0.1", port, **options)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    return Served(f"http://127.0.0.1:{port}", server, thread, config)


def admin_login(client: httpx.Client, password: str = "correct horse") -> str:
    """Log in through the real form; returns the CSRF token the client's cookie goes with."""
    import re

    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/admin").text).group(1)
    r = client.post("/admin/login", data={"csrf": csrf, "password": password}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return csrf


def app_routes() -> list:
    """Every route of every web module's router (FastAPI >= 0.165 keeps included routers lazy in
    app.routes, so they are read where they are declared)."""
    import importlib
    import pkgutil

    from fastapi.routing import APIRoute

    import web

    routes = []
    for info in pkgutil.iter_modules(web.__path__):
        router = getattr(importlib.import_module(f"web.{info.name}"), "router", None)
        if router is not None:
            routes += [r for r in router.routes if isinstance(r, APIRoute)]
    return routes
