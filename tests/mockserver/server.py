"""Serve the sample sites on 127.0.0.1, one port each, recording every request."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .sites import (
    BeijingGbk,
    BeijingGov,
    Eastmoney,
    Finews,
    Generated,
    GovCn,
    Hostile,
    Mapped,
    Pbc,
    Site,
    SitemapSite,
    Unknown,
    etag,
)

LAST_MODIFIED = "Fri, 11 Feb 2022 05:00:00 GMT"
# What an injected fault (Site.inject, or /__fault?path=P&kind=K&times=N) does to a request:
FAULT_KINDS = {
    "500": "answers 503 Service Unavailable",
    "timeout": "answers only after STALL seconds (past the crawl's timeout)",
    "reset": "the connection is reset (TCP RST) before any answer",
    "truncate": "sends half the body, then closes the connection (Content-Length promises all of it)",
    "redirect_loop": "redirects to itself (via ?hop=) forever",
}
STALL = 6.0


class _SiteHandler(BaseHTTPRequestHandler):
    """Answering, and misbehaving on purpose; make_handler adds the site's pages."""

    protocol_version = "HTTP/1.1"

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", headers=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionError:  # the client (or a fault) dropped the connection
            pass

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:  # a connection this handler reset on purpose
            pass

    def _fault(self, kind: str, path: str, page) -> None:
        """Misbehave as an injected fault `kind` (FAULT_KINDS) would."""
        self.close_connection = True
        if kind == "500":
            return self._send(503, b"<html><body>Service Unavailable</body></html>")
        if kind == "timeout":
            time.sleep(STALL)
            return self._send(504, b"late")
        if kind == "redirect_loop":
            hop = 1 - int(parse_qs(urlsplit(self.path).query).get("hop", ["0"])[0] == "1")
            return self._send(302, b"", headers={"Location": f"{path}?hop={hop}"})
        if kind == "truncate" and page is not None:
            self.send_response(200)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            self.wfile.write(page.body[: len(page.body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        # reset (and truncate of a missing page): RST instead of an answer
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        return None


def make_handler(site: Site, log: list[dict], lock: threading.Lock):
    class Handler(_SiteHandler):
        def log_message(self, *args) -> None:  # the request log below is what tests read
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path
            if path == "/__log":
                with lock:
                    return self._send(200, json.dumps(log).encode(), "application/json")
            if path == "/__reset":
                with lock:
                    log.clear()
                return self._send(200, b"ok", "text/plain")
            if path == "/__bump":
                target = parse_qs(parts.query)["path"][0]
                with lock:
                    site.bumped.add(target)
                    site.build()
                return self._send(200, b"ok", "text/plain")
            if path == "/__add":  # a new article appears on the site (BeijingGov's 要闻 column)
                q = parse_qs(parts.query)
                with lock:
                    site.added.append((q["title"][0], q["text"][0]))
                    site.build()
                return self._send(200, b"ok", "text/plain")
            if path == "/__fail":  # ?path=P&on=1: the page answers 500 until ?on=0
                q = parse_qs(parts.query)
                with lock:
                    (site.failing.add if q["on"][0] == "1" else site.failing.discard)(q["path"][0])
                return self._send(200, b"ok", "text/plain")
            if path == "/__fault":  # ?path=P&kind=K&times=N (FAULT_KINDS); times=0 lifts it
                q = parse_qs(parts.query)
                with lock:
                    site.inject(q["path"][0], q["kind"][0], int(q.get("times", ["1000000"])[0]))
                return self._send(200, b"ok", "text/plain")
            if path == "/__layout":  # ?redesigned=1: the list pages change layout; 0 restores them
                with lock:
                    site.redesigned = parse_qs(parts.query)["redesigned"][0] == "1"
                    site.build()
                return self._send(200, b"ok", "text/plain")
            with lock:
                page = site.answer(path, parts.query)
                entry = {"path": path, "ua": self.headers.get("User-Agent", ""),
                         "if_none_match": self.headers.get("If-None-Match"), "query": parts.query,
                         "referer": self.headers.get("Referer")}  # fmt: skip
                log.append(entry)
                fault = site.take_fault(path)
            if fault is not None:
                entry["status"] = f"fault:{fault}"
                return self._fault(fault, path, page)
            if path in site.failing:
                entry["status"] = 500
                return self._send(500, b"<html><body>Internal Server Error</body></html>")
            if page is None:
                entry["status"] = 404
                return self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>")
            headers = {}
            if page.is_list:
                tag = etag(page.body)
                headers = {"ETag": tag, "Last-Modified": LAST_MODIFIED}
                if self.headers.get("If-None-Match") == tag:
                    entry["status"] = 304
                    self.send_response(304)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
            entry["status"] = page.status
            return self._send(page.status, page.body, page.content_type, headers)

    return Handler


class MockSites:
    """Starts each site's server in a thread; `urls` maps site name to its base URL."""

    def __init__(self, generated: int = 0) -> None:
        if generated:
            self.sites: list[Site] = [Generated("generated", generated)]
        else:
            self.sites = [
                BeijingGov("bjgov"), BeijingGbk("bjgbk"), GovCn("govcn"), Pbc("pbc"), Eastmoney("eastmoney"), Finews("finews"),
                Hostile("hostile"), Unknown("unknown"), Mapped("mapped"), SitemapSite("sitemap"),
            ]  # fmt: skip
        self.servers: list[ThreadingHTTPServer] = []
        self.urls: dict[str, str] = {}

    def start(self) -> MockSites:
        for site in self.sites:
            log: list[dict] = []
            server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site, log, threading.Lock()))
            server.daemon_threads = True
            site.base = f"http://127.0.0.1:{server.server_address[1]}"
            site.build()
            self.urls[site.name] = site.base
            self.servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self.urls["dead"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def take_down(self, name: str) -> None:
        """The site goes away: its port refuses connections until bring_back(name)."""
        i = next(i for i, s in enumerate(self.sites) if s.name == name)
        self.servers[i].shutdown()
        self.servers[i].server_close()

    def bring_back(self, name: str) -> None:
        """The site answers again on the same port, with the same pages."""
        i = next(i for i, s in enumerate(self.sites) if s.name == name)
        port = self.servers[i].server_address[1]
        handler = self.servers[i].RequestHandlerClass
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        server.daemon_threads = True
        self.servers[i] = server
        threading.Thread(target=server.serve_forever, daemon=True).start()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
