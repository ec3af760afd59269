"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records mail and can misbehave on request.

smtp = SMTPServer().start()
smtp.refuse(times=2)              # next two transactions: 451 at RCPT (a 4xx, try later)
smtp.drop(times=1)                # next DATA: connection closed before the reply
smtp.unknown.add("gone@x.org")    # 550 for that recipient
smtp.stop(); smtp.start()         # refused connections while stopped, same port after

TLS and login (a certificate from tests.fakes.tls):
SMTPServer(tls="starttls", certificate=cert)   # offers STARTTLS and refuses MAIL before it
SMTPServer(tls="ssl", certificate=cert)        # implicit TLS from the first byte (port 465 style)
SMTPServer(..., users={"alerts": "pw"}, mechanisms={"LOGIN"})  # AUTH required, only these mechanisms
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.fakes._server import FakeServer
from tests.fakes.tls import Certificate

__all__ = ["Received", "SMTPServer"]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    tls: bool = False  # the transaction ran over TLS (STARTTLS or implicit)
    login: str | None = None  # the user that authenticated, if any
    mechanism: str | None = None  # the AUTH mechanism it used
    at: float = field(default_factory=time.monotonic)  # when it was accepted (time.monotonic)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SMTPServer(FakeServer):
    port: int = 0
    messages: list[Received] = field(default_factory=list)
    unknown: set[str] = field(default_factory=set)
    tls: str = "none"  # none | starttls | ssl
    certificate: Certificate | None = None
    users: dict[str, str] = field(default_factory=dict)  # login -> password; non-empty: AUTH required
    mechanisms: set[str] = field(default_factory=lambda: {"LOGIN", "PLAIN"})
    auth_failures: int = 0

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
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **self._options())
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _options(self) -> dict:
        options: dict = {}
        if self.tls != "none":
            assert self.certificate is not None, "TLS needs a certificate (tests.fakes.tls.self_signed)"
            context = self.certificate.server_context()
            if self.tls == "ssl":
                options["ssl_context"] = context
            else:
                options.update(tls_context=context, require_starttls=True)
        if self.users:
            options.update(
                auth_required=True,
                # implicit TLS is TLS too; aiosmtpd only counts STARTTLS, so it would hide AUTH
                auth_require_tls=self.tls == "starttls",
                auth_exclude_mechanism={"LOGIN", "PLAIN"} - self.mechanisms,
                authenticator=self._authenticate,
            )
        return options

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.users.get(auth_data.login.decode()) == auth_data.password.decode()
        )
        with self._lock:
            if not ok:
                self.auth_failures += 1
        return AuthResult(success=ok, handled=False, auth_data=(mechanism, auth_data.login.decode()))

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
        tls = server.transport.get_extra_info("ssl_object") is not None
        mechanism, login = session.auth_data if session.authenticated else (None, None)
        with s._lock:
            s.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), msg, raw, tls, login, mechanism)
            )
        return "250 Message accepted for delivery"
