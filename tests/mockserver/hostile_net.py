"""Sites that try to steer the crawler into the private network, or to exhaust it.

`Internal` stands for a service on the private network (here 127.0.0.2, a second loopback host: no
source names it), answering a page that must never be stored. `Lure` (on 127.0.0.1) is a watched
site whose list links to it in every way a page can: a 302 redirect, a meta refresh, a plain link,
a feed entry, a link by host name (localhost), a file: URL, plus a page larger than any sane cap, streamed
lazily, a gzip bomb, and a page that drips one byte a second. Both log every request they get.
"""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "内部系统 机密 internal-only"  # what the internal page says: must never be stored
ARTICLE = (
    "<html><head><title>{t}</title></head><body><h1>{t}</h1>"
    '<div id="content"><p>{t}：数字人民币试点继续扩大，更多城市加入，覆盖更多支付场景。</p></div></body></html>'
)


class _Server:
    """A threaded HTTP server on host:0 whose handler answers from `route`, logging each path."""

    def __init__(self, host: str) -> None:
        self.log: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                owner.log.append(self.path)
                owner.route(self)

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def route(self, h: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def send(h: BaseHTTPRequestHandler, status: int, body: str = "", ctype: str = "text/html; charset=utf-8",
         **headers: str) -> None:  # fmt: skip
    data = body.encode()
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(data)))
    for k, v in headers.items():
        h.send_header(k.replace("_", "-"), v)
    h.end_headers()
    h.wfile.write(data)


class Internal(_Server):
    """The private service: every path answers an article-like page carrying SECRET."""

    def route(self, h: BaseHTTPRequestHandler) -> None:
        if h.path == "/robots.txt":
            return send(h, 404)
        return send(h, 200, ARTICLE.format(t=SECRET))


class Lure(_Server):
    """The watched site. `big` bytes for /news/big.html, streamed without a Content-Length."""

    def __init__(self, internal: str, big: int, host: str = "127.0.0.1") -> None:
        self.internal, self.big = internal, big
        self.big_sent = 0  # bytes of the big page sent before the reader hung up
        super().__init__(host)
        port = self.base.rsplit(":", 1)[1]
        self.links = {
            "/news/ok.html": "试点扩大",
            "/news/moved.html": "跳转文章",  # 302 to the internal service
            "/news/refresh.html": "刷新文章",  # <meta http-equiv=refresh> to it
            f"{internal}/internal/direct": "直接链接",
            f"http://localhost:{port}/news/ok2.html": "主机名链接",  # a name resolving to loopback
            "/news/big.html": "超大页面",
            "/news/bomb.html": "压缩炸弹",  # gzip: a few kB that inflate past any cap
            "file:///etc/passwd": "本地文件",
        }

    def route(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        if path == "/robots.txt":
            return send(h, 404)
        if path in ("/news/ok.html", "/news/ok2.html"):
            return send(h, 200, ARTICLE.format(t=self.links.get(path, "主机名链接")))
        if path == "/news/moved.html":
            return send(h, 302, Location=f"{self.internal}/internal/moved")
        if path == "/news/refresh.html":
            meta = f'<meta http-equiv="refresh" content="0; url={self.internal}/internal/refresh">'
            return send(h, 200, f"<html><head>{meta}</head><body>moved</body></html>")
        if path == "/news/big.html":
            return self._stream_big(h)
        if path == "/news/bomb.html":
            body = gzip.compress(b"<html><body>" + b" " * max(self.big, 1_000_000), 9)
            h.send_response(200)
            for k, v in (
                ("Content-Type", "text/html"),
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(body))),
            ):
                h.send_header(k, v)
            h.end_headers()
            return h.wfile.write(body)
        if path == "/news/index.html":
            items = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in self.links.items())
            return send(h, 200, f'<html><body><ul class="news">{items}</ul></body></html>')
        if path == "/feed.xml":
            return send(h, 200, self._feed(), "application/rss+xml; charset=utf-8")
        if path == "/dripfeed.xml":  # a quick feed whose one article drips
            return send(h, 200, self._feed(("/drip.html", "慢慢来")), "application/rss+xml; charset=utf-8")
        if path == "/drip.html":
            return self._drip(h)
        if path == "/announces.html":  # a page whose announced feed lives on the internal host
            link = f'<link rel="alternate" type="application/rss+xml" href="{self.internal}/internal/feed">'
            return send(h, 200, f"<html><head>{link}</head><body><p>nothing</p></body></html>")
        return send(h, 404, "<html><body>404</body></html>")

    def _feed(self, *links: tuple[str, str]) -> str:
        links = links or (("/news/ok.html", "试点扩大"), (f"{self.internal}/internal/feed-item", "订阅链接"))
        entries = "".join(
            f"<item><title>{t}</title><link>{u if u.startswith('http') else self.base + u}</link>"
            "<pubDate>Mon, 07 Dec 2026 08:00:00 +0800</pubDate></item>"
            for u, t in links
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>lure</title>{entries}</channel></rss>'
        )

    def _stream_big(self, h: BaseHTTPRequestHandler) -> None:
        """`big` bytes of one HTML page, generated as sent (nothing held), no Content-Length."""
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Connection", "close")
        h.end_headers()
        chunk = ("<p>" + "数字人民币" * 4000 + "</p>\n").encode()
        sent = 0
        try:
            h.wfile.write(b"<html><body><h1>big</h1><div id='content'>")
            while sent < self.big:
                h.wfile.write(chunk)
                sent += len(chunk)
        except OSError:  # the crawler hung up at its cap: what it should do
            pass
        self.big_sent = sent
        h.close_connection = True

    def _drip(self, h: BaseHTTPRequestHandler) -> None:
        """Headers at once, then one byte a second for ten minutes."""
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", "600")
        h.end_headers()
        try:
            for _ in range(600):
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(1)
        except OSError:
            pass
