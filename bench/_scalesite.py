"""The loopback site bench/scale crawls, in its own process: `python bench/_scalesite.py` prints
its base URL and serves until killed.

Every source has its own list page in the beijing.gov.cn layout, `/s{i}/`, listing three shared
articles and the source's own new ones (newest first); the list answers 304 to a matching
If-None-Match, as real sites do between posts. `/__new?share=F&seed=S&sources=N` gives a share F of the
N sources one new article each (their lists change: 200, then one article page). `/__fresh?tag=T&
sources=M&articles=K` makes M further sources, `/t{T}s{i}/`, each listing K articles of its own
(the crawl of new articles). `/__post?source=N` adds one new post to `/sN/` now, on digital currency
(topic digital_currency), its title and URL naming it (`sNpK`): bench/scale's post-to-alert latency.
`/__stats` counts answers: list 200, list 304, article pages.
"""

from __future__ import annotations

import json
import random
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.mockserver.sites.beijing import _bj_article, _bj_list  # noqa: E402
from tests.mockserver.sites.generated import _sentence_pool  # noqa: E402

POOL = _sentence_pool()
SHARED = [f"/a/c{k}.html" for k in range(3)]


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.own: dict[str, list[str]] = {}  # list path -> its own article paths, oldest first
        self.stats = {"list_200": 0, "list_304": 0, "article": 0, "other": 0}
        self.count = 0

    def list_paths(self, path: str) -> list[str] | None:
        if path.startswith("/s") and path.endswith("/") and path[2:-1].isdigit():
            return self.own.get(path, [])[::-1] + SHARED
        if path in self.own:  # a fresh source: only its own articles
            return self.own[path][::-1]
        return None

    def new(self, share: float, seed: int, sources: int) -> int:
        rng = random.Random(seed)
        with self.lock:
            picked = [i for i in range(sources) if rng.random() < share]
            for i in picked:
                path = f"/s{i}/"
                mine = self.own.setdefault(path, [])
                mine.append(f"/a/s{i}n{len(mine)}.html")
        return len(picked)

    def post(self, source: int) -> str:
        """One new topical post on /s{source}/ (the next list request sees it); its path."""
        with self.lock:
            mine = self.own.setdefault(f"/s{source}/", [])
            mine.append(f"/a/s{source}p{len(mine)}.html")
            return mine[-1]

    def fresh(self, tag: str, sources: int, articles: int) -> None:
        with self.lock:
            for i in range(sources):
                self.own[f"/t{tag}s{i}/"] = [f"/a/t{tag}s{i}a{j}.html" for j in range(articles)]


def _article(path: str) -> bytes:
    rng = random.Random(path)
    sentences = rng.sample(POOL, 10)
    paras = [f"（{path}）" + "".join(sentences[:3])] + [
        "".join(sentences[k : k + 2]) for k in range(3, 10, 2)
    ]
    title = f"北京市政务信息{path[3:-5]}：{sentences[0][:12]}"
    day = "2026-12-01"
    if re.fullmatch(r"/a/s\d+p\d+\.html", path):  # a post of /__post: on a topic, dated today
        title = f"数字人民币试点新进展（{path[3:-5]}）：{sentences[0][:12]}"
        paras[0] = "数字人民币钱包开立数量继续增长，数字人民币试点范围扩大。" + paras[0]
        day = time.strftime("%Y-%m-%d")
    return _bj_article(title, day, "08:00", "北京日报", paras).encode()


def handler(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def handle(self) -> None:
            try:
                super().handle()
            except ConnectionError:  # a crawl that ended dropped its keep-alive connection
                pass

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8" if status != 304 else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            q = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/__new":
                return self._send(
                    200, str(state.new(float(q["share"]), int(q["seed"]), int(q["sources"]))).encode()
                )
            if parts.path == "/__fresh":
                state.fresh(q["tag"], int(q["sources"]), int(q["articles"]))
                return self._send(200, b"ok")
            if parts.path == "/__post":
                return self._send(200, state.post(int(q["source"])).encode())
            if parts.path == "/__stats":
                with state.lock:
                    return self._send(200, json.dumps(state.stats).encode())
            with state.lock:
                items = state.list_paths(parts.path)
            if items is not None:
                tag = f'"{parts.path}:{len(items)}"'
                if self.headers.get("If-None-Match") == tag:
                    with state.lock:
                        state.stats["list_304"] += 1
                    return self._send(304, b"", {"ETag": tag})
                with state.lock:
                    state.stats["list_200"] += 1
                entries = [(p, f"北京市政务信息{p[3:-5]}", "2026-12-01") for p in items[:20]]
                return self._send(200, _bj_list(entries, 0, 1).encode(), {"ETag": tag})
            if parts.path.startswith("/a/") and parts.path.endswith(".html"):
                with state.lock:
                    state.stats["article"] += 1
                return self._send(200, _article(parts.path))
            with state.lock:
                state.stats["other"] += 1
            return self._send(404, b"not found")

    return Handler


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(State()))
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
