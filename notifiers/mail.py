"""Email alerts over SMTP: multipart text + HTML, one-click unsubscribe, stable Message-IDs.

The Message-ID is derived from the outbox rows a mail settles, so the rare resend after a crash
(see storage.deliveries) carries the same Message-ID and mail clients can fold the two copies.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import queue
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from common import strip_unsafe

from .alerts import ChannelBatch
from .base import Message, Outcome, Permanent, Sender, SenderUnavailable, Sent, Transient
from .messages import digest_email_content, email_content
from .settings import AlertSettings, EmailSettings
from .tokens import me_url, unsubscribe_url

__all__ = ["EmailSender", "build_email", "connect", "send_one"]

log = logging.getLogger(__name__)


def build_email(
    batch: ChannelBatch, message: Message, settings: EmailSettings, alerts: AlertSettings, secret: bytes
) -> EmailMessage:
    """The full email for one batch of alerts to one address."""
    unsub = unsubscribe_url(alerts.base_url, batch.channel_id, secret)
    manage = me_url(alerts.base_url, batch.subscriber_id, secret)
    if message.digest is not None:
        content = digest_email_content(message.digest, unsub, manage)
    else:
        content = email_content(message.alerts, unsub, manage)
    msg = EmailMessage()
    msg["From"] = formataddr(("newsradar", settings.sender))
    msg["To"] = batch.address
    msg["Subject"] = strip_unsafe(content.subject)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    ids = message.delivery_ids
    digest = hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()[:16]
    domain = settings.sender.rpartition("@")[2]
    msg["Message-ID"] = f"<newsradar.{min(ids)}.{digest}@{domain}>"
    msg["List-Unsubscribe"] = f"<{unsub}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Newsradar-Deliveries"] = ",".join(map(str, ids))
    msg.set_content(strip_unsafe(content.text))
    msg.add_alternative(strip_unsafe(content.html), subtype="html")
    digest = message.digest
    if digest is not None and digest.trends:  # the 14-day chart, inline in the HTML part
        from .chart import CHART_CID, render_chart

        html_part = msg.get_payload()[1]
        html_part.add_related(render_chart(digest.trends), "image", "png", cid=f"<{CHART_CID}>")
    return msg


def connect(s: EmailSettings, password: str | None) -> smtplib.SMTP:
    """An SMTP connection as [email] says (TLS mode, login), for alerts and one-off mails alike."""
    if s.security == "ssl":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(
            s.smtp_host, s.port, timeout=s.timeout, context=ssl.create_default_context()
        )
    else:
        conn = smtplib.SMTP(s.smtp_host, s.port, timeout=s.timeout)
        if s.security == "starttls":
            conn.starttls(context=ssl.create_default_context())
    if s.username:
        conn.login(s.username, password or "")
    return conn


def send_one(
    settings: EmailSettings, password: str | None, to: str, subject: str, text: str, html: str
) -> None:
    """Send one transactional mail (e.g. a subscription confirmation) now; raises smtplib/OS errors."""
    msg = EmailMessage()
    msg["From"] = formataddr(("newsradar", settings.sender))
    msg["To"] = to
    msg["Subject"] = strip_unsafe(subject)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(strip_unsafe(text))
    msg.add_alternative(strip_unsafe(html), subtype="html")
    conn = connect(settings, password)
    try:
        conn.send_message(msg)
    finally:
        _close(conn, polite=True)


class EmailSender(Sender):
    kind = "email"

    def __init__(
        self, settings: EmailSettings, alerts: AlertSettings, *, password: str | None, secret: bytes | None
    ) -> None:
        if not secret:
            raise SenderUnavailable("email needs NEWSRADAR_SECRET_KEY to sign its unsubscribe links")
        self.settings, self.alerts, self.password, self.secret = settings, alerts, password, secret
        self.slots = asyncio.Semaphore(settings.concurrency)
        self._idle: queue.SimpleQueue[smtplib.SMTP] = queue.SimpleQueue()

    def render(self, batch: ChannelBatch) -> list[Message]:
        n = self.settings.max_stories_per_message
        out = [Message(None, batch.alerts[i : i + n]) for i in range(0, len(batch.alerts), n)]
        return out + [Message(None, [], digest) for digest in batch.digests]

    def _connect(self) -> smtplib.SMTP:
        return connect(self.settings, self.password)

    def _deliver(self, msg: EmailMessage) -> None:
        """Send on a pooled connection; a stale pooled connection is replaced once."""
        try:
            conn, reused = self._idle.get_nowait(), True
        except queue.Empty:
            conn, reused = self._connect(), False
        try:
            conn.send_message(msg)
        except smtplib.SMTPServerDisconnected:
            _close(conn)
            if not reused:
                raise
            # The server dropped an idle connection before our transaction; a fresh one is safe
            # because a message the server did not acknowledge with 250 was not accepted.
            conn = self._connect()
            try:
                conn.send_message(msg)
            except BaseException:
                _close(conn)
                raise
        except BaseException:
            _close(conn)
            raise
        self._idle.put(conn)

    async def send(self, batch: ChannelBatch, message: Message) -> Outcome:
        # A digest's chart is drawn here (matplotlib): in a thread, never on the event loop.
        msg = await asyncio.to_thread(build_email, batch, message, self.settings, self.alerts, self.secret)
        async with self.slots:
            try:
                await asyncio.to_thread(self._deliver, msg)
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()), (0, b""))
                return _by_code(code, text, recipient=True)
            except smtplib.SMTPAuthenticationError as exc:
                raise SenderUnavailable(
                    f"SMTP login refused: {exc.smtp_code} {_text(exc.smtp_error)}"
                ) from exc
            except smtplib.SMTPResponseException as exc:
                return _by_code(exc.smtp_code, exc.smtp_error, recipient=False)
            except (smtplib.SMTPException, OSError) as exc:  # refused, dropped, timed out, TLS
                return Transient(f"SMTP: {type(exc).__name__}: {exc}")
        return Sent(msg["Message-ID"])

    async def send_plain(self, to: str, subject: str, text: str) -> Outcome:
        """A plain-text note (admin alerts): no unsubscribe link, same connection pool."""
        msg = EmailMessage()
        msg["From"] = formataddr(("newsradar", self.settings.sender))
        msg["To"], msg["Subject"] = to, strip_unsafe(subject)
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(strip_unsafe(text))
        try:
            await asyncio.to_thread(self._deliver, msg)
        except (smtplib.SMTPException, OSError) as exc:
            return Transient(f"SMTP: {type(exc).__name__}: {exc}")
        return Sent(None)

    async def rest(self) -> None:
        await self.close()  # idle SMTP connections; the next batch opens one again

    async def close(self) -> None:
        while True:
            try:
                _close(self._idle.get_nowait(), polite=True)
            except queue.Empty:
                return


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _by_code(code: int, text: bytes | str, *, recipient: bool) -> Outcome:
    """4xx: try later. 5xx on the recipient: the address is gone. Other 5xx: this mail is refused."""
    error = f"SMTP {code} {_text(text)}"
    if 400 <= code < 500:
        return Transient(error)
    return Permanent(error, deactivate=recipient)


def _close(conn: smtplib.SMTP, polite: bool = False) -> None:
    try:
        conn.quit() if polite else conn.close()
    except Exception:
        pass
