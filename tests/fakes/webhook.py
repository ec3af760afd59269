"""An HTTP receiver on 127.0.0.1 for webhook channels (Apprise json://, later others).

hook = WebhookReceiver().start()
url = f"json://127.0.0.1:{hook.port}/alerts"
hook.fail(500, times=2)      # next two POSTs answer 500
hook.posts                   # list of Post(path, headers, body, json)
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from tests.fakes._server import FakeServer, QuietHandler, serve, shutdown

__all__ = ["Post", "WebhookReceiver"]


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float = field(default_factory=time.monotonic)  # when it arrived (time.monotonic)

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver(FakeServer):
    posts: list[Post] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[list[int]] = []  # [status, times]
        self._server: ThreadingHTTPServer | None = None

    def fail(self, status: int = 500, *, times: int = 1) -> None:
        with self._lock:
            self._faults.append([status, times])

    def start(self) -> WebhookReceiver:
        hook = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = 200
                with hook._lock:
                    if hook._faults:
                        status = hook._faults[0][0]
                        hook._faults[0][1] -= 1
                        if hook._faults[0][1] <= 0:
                            hook._faults.pop(0)
                    hook.posts.append(Post(self.path, dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = serve(Handler)
        return self

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def url(self, path: str = "/alerts") -> str:
        """The Apprise URL posting JSON here."""
        return f"json://127.0.0.1:{self.port}{path}"

    def ok_posts(self) -> list[Post]:
        with self._lock:
            return [p for p in self.posts if p.status == 200]

    def stop(self) -> None:
        if self._server is not None:
            shutdown(self._server)
            self._server = None
