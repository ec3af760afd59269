"""A Telegram Bot API server on 127.0.0.1 for tests: records calls, injects faults, models limits.

Speaks the subset newsradar uses (getMe, getUpdates, sendMessage, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, sendPhoto, setMyCommands, deleteWebhook, ...)
at /bot<token>/<method>, with form-encoded, multipart or JSON bodies as PTB sends them.

    api = FakeBotAPI(chat_interval=1.0).start()   # 429 when one chat gets 2 messages within 1 s
    api.fail("sendMessage", 500, times=2)        # next two sendMessage calls answer 500
    api.flood("sendMessage", retry_after=1)      # next call answers 429 with retry_after
    api.blocked.add("42")                        # 403 for chat 42;  api.missing.add("7"): 400 chat not found
    api.push_command(42, "/start")               # an update for getUpdates
    api.url                                       # http://127.0.0.1:PORT  -> [telegram] api_url
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes._server import FakeServer, QuietHandler, serve, shutdown

__all__ = ["Call", "FakeBotAPI", "Fault"]

TOKEN = "123456:TEST-token_for-newsradar"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200

    @property
    def chat_id(self) -> str | None:
        value = self.params.get("chat_id")
        return None if value is None else str(value)

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))


@dataclass
class Fault:
    method: str
    status: int
    description: str
    times: int = 1
    retry_after: float | None = None
    delay: float = 0.0
    chat_id: str | None = None
    after_processing: bool = False  # do the work, then answer with the fault (lost reply)


@dataclass
class _Chat:
    last_ok: float = -1e9


@dataclass
class FakeBotAPI(FakeServer):
    token: str = TOKEN
    chat_interval: float = 0.0  # per-chat limit; 0 disables the model
    limit_retry_after: float = 1  # retry_after of a per-chat-limit 429
    max_poll_wait: float = 0.5  # getUpdates never blocks longer than this
    calls: list[Call] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._lock = threading.Condition()
        self._faults: list[Fault] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._chats: dict[str, _Chat] = {}
        self.limit_hits = 0
        self.stalled: list[Call] = []
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeBotAPI:
        api = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, payload = api._dispatch(self.path, self.headers.get("Content-Type", ""), body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = serve(Handler)
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            shutdown(self._server)
            self._server = None

    # -- test controls --------------------------------------------------------------------
    def fail(self, method: str, status: int, description: str = "", *, times: int = 1,
             chat_id: Any = None, delay: float = 0.0, after_processing: bool = False) -> None:  # fmt: skip
        """Answer the next `times` calls of `method` (optionally for one chat) with an error."""
        text = description or {500: "Internal Server Error", 502: "Bad Gateway", 403: "Forbidden: bot was blocked by the user",
                               400: "Bad Request: chat not found"}.get(status, "error")  # fmt: skip
        with self._lock:
            self._faults.append(Fault(method, status, text, times, None, delay,
                                      None if chat_id is None else str(chat_id), after_processing))  # fmt: skip

    def flood(
        self, method: str = "sendMessage", *, retry_after: float = 1, times: int = 1, chat_id: Any = None
    ) -> None:
        """Answer 429 'Too Many Requests: retry after N' to the next calls."""
        with self._lock:
            self._faults.append(
                Fault(
                    method,
                    429,
                    f"Too Many Requests: retry after {retry_after}",
                    times,
                    retry_after,
                    0.0,
                    None if chat_id is None else str(chat_id),
                )  # fmt: skip
            )

    def stall_after_delivery(
        self, method: str = "sendMessage", seconds: float = 30.0, *, times: int = 1
    ) -> None:
        """Deliver the next call, then keep the client waiting (to kill it between send and commit)."""
        with self._lock:
            self._faults.append(Fault(method, 200, "", times, None, seconds, None, after_processing=True))

    def slow(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Delay the next answers (a slow server); the call still succeeds."""
        with self._lock:
            self._faults.append(Fault(method, 200, "", times, None, seconds))

    def push_update(self, update: dict[str, Any]) -> int:
        with self._lock:
            uid = next(self._update_ids)
            self._updates.append({"update_id": uid, **update})
            self._lock.notify_all()
            return uid

    def push_command(self, chat_id: int, text: str, *, user_id: int | None = None) -> int:
        """A private-chat message; a leading /command gets its bot_command entity like Telegram adds."""
        msg = self._message(chat_id, text, from_user=user_id or chat_id)
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.push_update({"message": msg})

    def push_callback(self, chat_id: int, data: str, *, message_id: int = 1) -> int:
        msg = self._message(chat_id, "buttons", from_user=None)
        msg["message_id"] = message_id
        return self.push_update(
            {
                "callback_query": {
                    "id": f"cq{time.monotonic_ns()}",
                    "from": self._user(chat_id),
                    "chat_instance": f"ci{chat_id}",
                    "data": data,
                    "message": msg,
                }
            }  # fmt: skip
        )

    # -- inspection -----------------------------------------------------------------------
    def sent(self, chat_id: Any = None, *, method: str = "sendMessage") -> list[Call]:
        """Successful calls of `method` (to one chat if given), in order."""
        with self._lock:
            return [
                c for c in self.calls
                if c.method == method and c.status == 200 and (chat_id is None or c.chat_id == str(chat_id))
            ]  # fmt: skip

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    # -- the server -----------------------------------------------------------------------
    @staticmethod
    def _user(uid: int | None) -> dict[str, Any]:
        return {"id": int(uid or 1), "is_bot": False, "first_name": f"user{uid}", "username": f"user{uid}"}

    def _message(self, chat_id: Any, text: str, from_user: int | None) -> dict[str, Any]:
        chat_key = str(chat_id)
        chat: dict[str, Any] = (
            {"id": int(chat_key), "type": "private", "first_name": f"user{chat_key}"}
            if chat_key.lstrip("-").isdigit() else {"id": -1001, "type": "channel", "title": chat_key}
        )  # fmt: skip
        msg: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "text": text,
        }
        if from_user is not None:
            msg["from"] = self._user(from_user)
        else:
            msg["from"] = {
                "id": 1,
                "is_bot": True,
                "first_name": "newsradar",
                "username": "newsradar_test_bot",
            }
        return msg

    @staticmethod
    def _params(content_type: str, body: bytes, query: str) -> dict[str, Any]:
        raw: dict[str, Any] = dict(parse_qsl(query))
        if body:
            if content_type.startswith("application/json"):
                raw.update(json.loads(body))
            elif content_type.startswith("multipart/"):
                msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                    b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
                )
                for part in msg.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    if part.get_filename():
                        raw[name] = {
                            "filename": part.get_filename(),
                            "size": len(part.get_payload(decode=True) or b""),
                        }
                    else:
                        raw[name] = (part.get_payload(decode=True) or b"").decode()
            else:
                raw.update(parse_qsl(body.decode(), keep_blank_values=True))
        out = {}
        for k, v in raw.items():
            if isinstance(v, str) and v[:1] in "[{":
                try:
                    v = json.loads(v)
                except ValueError:
                    pass
            out[k] = v
        return out

    def _take_fault(self, method: str, chat_id: str | None) -> Fault | None:
        for f in self._faults:
            if f.method == method and (f.chat_id is None or f.chat_id == chat_id):
                f.times -= 1
                if f.times <= 0:
                    self._faults.remove(f)
                return f
        return None

    def _dispatch(self, path: str, content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        route, _, query = path.partition("?")
        parts = route.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method = parts[0][3:], parts[1]
        params = self._params(content_type, body, query)
        call = Call(method, params, time.monotonic())
        if token != self.token:
            call.status = 401
            with self._lock:
                self.calls.append(call)
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        with self._lock:
            fault = self._take_fault(method, call.chat_id)
            self.calls.append(call)
        if fault is not None and fault.delay and not fault.after_processing:
            time.sleep(fault.delay)
        if fault is not None and fault.status != 200 and not fault.after_processing:
            call.status = fault.status
            error: dict[str, Any] = {
                "ok": False,
                "error_code": fault.status,
                "description": fault.description,
            }
            if fault.retry_after is not None:
                error["parameters"] = {"retry_after": fault.retry_after}
            return fault.status, error
        status, payload = self._answer(method, params, call)
        call.status = status
        if fault is not None and fault.after_processing and status != 200:
            # Not delivered (a 429 from the per-chat pacing, say): the fault waits for a call that is.
            with self._lock:
                if fault not in self._faults:
                    fault.times = 0
                    self._faults.insert(0, fault)
                fault.times += 1
            fault = None
        if fault is not None and fault.after_processing:
            with self._lock:
                self.stalled.append(call)
            time.sleep(fault.delay)  # delivered, but the client hears nothing for a while
        if fault is not None and fault.status != 200:  # processed, but the reply says otherwise
            call.status = fault.status
            return fault.status, {"ok": False, "error_code": fault.status, "description": fault.description}
        return status, payload

    def _answer(self, method: str, params: dict[str, Any], call: Call) -> tuple[int, dict[str, Any]]:
        ok = lambda result: (200, {"ok": True, "result": result})  # noqa: E731
        if method == "getMe":
            return ok({"id": 1, "is_bot": True, "first_name": "newsradar", "username": "newsradar_test_bot",
                       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False})  # fmt: skip
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            wait = min(float(params.get("timeout") or 0), self.max_poll_wait)
            deadline = time.monotonic() + wait
            with self._lock:
                while True:
                    if offset:
                        self._updates = [u for u in self._updates if u["update_id"] >= offset]
                    ready = list(self._updates)
                    if ready or time.monotonic() >= deadline:
                        return ok(ready[: int(params.get("limit") or 100)])
                    self._lock.wait(max(0.0, deadline - time.monotonic()))
        if method in ("sendMessage", "sendPhoto", "sendDocument"):
            chat = call.chat_id or ""
            if chat in self.blocked:
                return 403, {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                }
            if chat in self.missing:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            text = str(params.get("text", params.get("caption", "")))
            if method == "sendMessage" and len(text.encode("utf-16-le")) // 2 > 4096:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message is too long",
                }
            with self._lock:
                state = self._chats.setdefault(chat, _Chat())
                if self.chat_interval and call.at - state.last_ok < self.chat_interval:
                    self.limit_hits += 1
                    return 429, {"ok": False, "error_code": 429,
                                 "description": f"Too Many Requests: retry after {self.limit_retry_after}",
                                 "parameters": {"retry_after": self.limit_retry_after}}  # fmt: skip
                state.last_ok = call.at
            msg = self._message(chat, text, from_user=None)
            if method == "sendPhoto":
                msg.pop("text")
                msg["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 1, "height": 1}]
            return ok(msg)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            msg = self._message(params.get("chat_id", 1), str(params.get("text", "")), from_user=None)
            msg["message_id"] = int(params.get("message_id") or 1)
            return ok(msg)
        if method in ("answerCallbackQuery", "setMyCommands", "deleteWebhook", "deleteMyCommands", "close",
                      "logOut", "setWebhook", "sendChatAction"):  # fmt: skip
            return ok(True)
        if method == "getMyCommands":
            return ok([])
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
