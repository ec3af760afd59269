"""What reaches the terminal from logs: our own plain lines, never a secret, a control character
or a library's traceback (those come back with -v)."""

from __future__ import annotations

import io
import logging

from newsradar.logs import setup_logging
from tests.helpers import run_cli, write_config


def test_log_lines_redact_secrets_and_escape_controls(monkeypatch):
    monkeypatch.setenv("NEWSRADAR_TELEGRAM_TOKEN", "55555:SecretSecretSecretSecret")
    monkeypatch.setenv("NEWSRADAR_SMTP_PASSWORD", "hunter22")
    stream = io.StringIO()
    handler = setup_logging(0, stream)
    try:
        log = logging.getLogger("notifiers.test")
        log.warning("GET https://api.telegram.org/bot%s/getMe", "55555:SecretSecretSecretSecret")
        log.warning("login with hunter22 to postgresql://u:pw-123@db/x failed")
        log.warning("title \x1b[31m红\x07")
        try:
            raise RuntimeError("token 12345678:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA in a traceback")
        except RuntimeError:
            log.exception("failed")
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    for secret in ("SecretSecret", "hunter22", "pw-123", "AAAAAAAAAAAA"):
        assert secret not in text
    assert "<redacted>" in text and "\x1b" not in text and "\\x1b[31m红\\x07" in text


def test_library_noise_stays_out_unless_verbose(monkeypatch):
    stream = io.StringIO()
    handler = setup_logging(0, stream)
    logging.getLogger("apprise").error("Unsupported URL")
    logging.getLogger("crawler.spider").warning("ours")
    logging.getLogger().removeHandler(handler)
    assert stream.getvalue().count("\n") == 1 and "ours" in stream.getvalue()
    stream = io.StringIO()
    handler = setup_logging(1, stream)
    logging.getLogger("apprise").error("Unsupported URL")
    logging.getLogger().removeHandler(handler)
    assert "Unsupported URL" in stream.getvalue()


def test_subscribers_add_bad_apprise_url_prints_only_our_message(tmp_path):
    out = run_cli("subscribers", "add", "--topics", "digital_currency", "--apprise", "nonsense",
                  config=write_config(tmp_path, ""))  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "newsradar subscribers: 'nonsense' is not an Apprise URL this version understands"
    ]


def test_sources_test_on_a_refused_port_has_no_traceback(mocksite, tmp_path):
    config = write_config(
        tmp_path, f'[[sources]]\nname = "dead"\nkind = "feed"\nstart_urls = ["{mocksite["dead"]}/feed.xml"]\n'
    )
    out = run_cli("sources", "test", "dead", config=config)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and "robots" not in out.stderr.lower()
    assert "Connection refused" in out.stdout + out.stderr
