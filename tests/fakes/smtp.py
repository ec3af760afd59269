"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records mail and can misbehave on request.

smtp = SMTPServer().start()
smtp.refuse(times=2)              # next two transactions: 451 at RCPT (a 4xx, try later)
smtp.drop(times=1)                # next DATA: connection closed before the reply
smtp.unknown.add("gone@x.org")    # 550 for that recipient
smtp.stop(); smtp.start()         # refused connections while stopped, same port after
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.fakes._server import FakeServer

__all__ = ["Received", "SMTPServer"]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SMTPServer(FakeServer):
    port: int = 0
    messages: list[Received] = field(default_factory=list)
    unknown: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._refuse = 0
        self._drop = 0
        self._controller: Controller | None = None
        self.transactions = 0
        if not self.port:
            self.port = _free_port()

    # -- controls -------------------------------------------------------------------------
    def refuse(self, times: int = 1) -> None:
        with self._lock:
            self._refuse += times

    def drop(self, times: int = 1) -> None:
        with self._lock:
            self._drop += times

    def start(self) -> SMTPServer:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    # -- inspection -----------------------------------------------------------------------
    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [m for m in self.messages if address in m.rcpt_tos]


class _Handler:
    def __init__(self, server: SMTPServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        s = self.server
        with s._lock:
            if s._refuse > 0:
                s._refuse -= 1
                return "451 4.3.0 Try again later"
        if address in s.unknown:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        s = self.server
        with s._lock:
            s.transactions += 1
            if s._drop > 0:
                s._drop -= 1
                server.transport.close()  # gone before the 250: the message was not accepted
                return "421 4.3.0 closing"
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with s._lock:
            s.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg, raw))
        return "250 Message accepted for delivery"
