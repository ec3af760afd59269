"""Email over STARTTLS and implicit TLS, with AUTH LOGIN and PLAIN, against a real aiosmtpd server
on 127.0.0.1 holding a certificate made in the test (trusted through SSL_CERT_FILE)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from notifiers import notifier_settings
from notifiers.dispatch import run_dispatch
from storage import Delivery
from storage.subscribers import add_subscriber
from tests.fakes.smtp import SMTPServer
from tests.fakes.tls import self_signed
from tests.notifiers.helpers import Env, article, ingest, make_env

USER, PASSWORD = "alerts@newsradar.test", "s3cret pass"


@pytest.fixture
def cert(tmp_path, monkeypatch):
    """A certificate for 127.0.0.1 that the client trusts, as a user with a private CA would set up."""
    certificate = self_signed(tmp_path / "tls")
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    return certificate


def serve(**options) -> SMTPServer:
    return SMTPServer(**options).start()


def setup(tmp_path, server: SMTPServer, **email) -> Env:
    env = make_env(tmp_path, smtp_port=server.port, email_options=email)
    with env.db.session() as s:
        add_subscriber(s, channels=[("email", "reader@example.org")], topics=["fintech"])
        s.commit()
    ingest(env, [article(1, "fintech")])
    return env


def dispatch(env: Env):
    return run_dispatch(env.db, notifier_settings(env.ctx().config), io.StringIO())


def last_error(env: Env) -> str:
    with env.db.session() as s:
        return s.scalar(select(Delivery.last_error)) or ""


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_starttls_then_login(tmp_path, cert, monkeypatch, mechanism):
    monkeypatch.setenv("NEWSRADAR_SMTP_PASSWORD", PASSWORD)
    server = serve(tls="starttls", certificate=cert, users={USER: PASSWORD}, mechanisms={mechanism})
    try:
        env = setup(tmp_path, server, security="starttls", username=USER)
        report = dispatch(env)
        assert report.sent == 1 and env.counts() == {"sent": 1}
        [mail] = server.to("reader@example.org")
        assert mail.tls and mail.login == USER and mail.mechanism == mechanism
        assert "fintech" in mail.message.get_body(("plain",)).get_content()
    finally:
        server.stop()


# aiosmtpd counts only STARTTLS as TLS and warns when AUTH is allowed without it; here the whole
# connection is TLS from the first byte
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_then_login(tmp_path, cert, monkeypatch):
    monkeypatch.setenv("NEWSRADAR_SMTP_PASSWORD", PASSWORD)
    server = serve(tls="ssl", certificate=cert, users={USER: PASSWORD})
    try:
        env = setup(tmp_path, server, security="ssl", username=USER)
        assert dispatch(env).sent == 1
        [mail] = server.to("reader@example.org")
        assert mail.tls and mail.login == USER
    finally:
        server.stop()


def test_starttls_without_login(tmp_path, cert):
    server = serve(tls="starttls", certificate=cert)
    try:
        env = setup(tmp_path, server, security="starttls")
        assert dispatch(env).sent == 1
        [mail] = server.to("reader@example.org")
        assert mail.tls and mail.login is None
    finally:
        server.stop()


def test_wrong_password_keeps_email_waiting_and_says_why(tmp_path, cert, monkeypatch):
    monkeypatch.setenv("NEWSRADAR_SMTP_PASSWORD", "not the password")
    server = serve(tls="starttls", certificate=cert, users={USER: PASSWORD})
    try:
        env = setup(tmp_path, server, security="starttls", username=USER)
        out = env.run("dispatch").stdout
        assert "1 email alert waits" in out and "SMTP login refused: 535" in out
        assert env.counts() == {"pending": 1} and not server.messages
        assert server.auth_failures >= 1
        assert "SMTP login refused" in last_error(env)
    finally:
        server.stop()


def test_untrusted_certificate_sends_nothing_and_retries(tmp_path):
    """No SSL_CERT_FILE: the self-signed certificate fails verification before any mail is sent."""
    certificate = self_signed(tmp_path / "tls")
    server = serve(tls="starttls", certificate=certificate)
    try:
        env = setup(tmp_path, server, security="starttls")
        report = dispatch(env)
        assert report.sent == 0 and report.retrying >= 1  # retried within the run (short backoff)
        assert env.counts() == {"pending": 1} and not server.messages
        assert "CERTIFICATE_VERIFY_FAILED" in last_error(env)
    finally:
        server.stop()


def test_starttls_refused_by_server_never_falls_back_to_plain_text(tmp_path):
    server = serve()  # no TLS offered
    try:
        env = setup(tmp_path, server, security="starttls")
        report = dispatch(env)
        assert report.sent == 0 and report.retrying >= 1  # retried within the run (short backoff)
        assert not server.messages and server.transactions == 0
        assert "STARTTLS" in last_error(env)
    finally:
        server.stop()
