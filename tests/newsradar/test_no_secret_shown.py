"""No secret reaches a terminal, a log or a page (issue 23, defect 6): every command the parser
knows (found through its subparsers, as --help lists them) and every page runs with known secrets
set, and none of their output carries one."""

from __future__ import annotations

import argparse
import signal
import subprocess
import time

import pytest

from newsradar.cli import build_parser
from processor import Ingestor
from tests.fakes.smtp import SMTPServer
from tests.fakes.telegram_api import FakeBotAPI
from tests.fakes.webhook import WebhookReceiver
from tests.notifiers.helpers import Env, article, make_env
from tests.web.helpers import admin_login, app_routes, free_port, serve

WRONG_TOKEN = "654321:WRONG-token_for-newsradar99"  # the fake Bot API rejects it, naming it
SECRETS = {
    "NEWSRADAR_TELEGRAM_TOKEN": WRONG_TOKEN,
    "NEWSRADAR_SMTP_PASSWORD": "smtp-Pa55word-4711",
    "NEWSRADAR_ADMIN_PASSWORD": "admin-Pa55-horse-battery",
    "NEWSRADAR_SECRET_KEY": "secret-key-QWERTY-123456",
}
APPRISE_PASSWORD = "AppriseS3cretPa55"
# Sample values for the arguments a command requires, by argparse dest.
SAMPLES = {"id": "1", "name": "nope", "url": "http://127.0.0.1:9/", "topics": "digital_currency",
           "labels": "missing-labels.jsonl"}  # fmt: skip
LONG_RUNNING = {
    ("run",),
    ("serve",),
    ("node",),
}  # stopped with SIGINT after a few seconds (node: serves on PostgreSQL)


def commands() -> list[list[str]]:
    """Every (sub)command with its required arguments filled in."""
    out: list[list[str]] = []

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if subs:
            for name, child in subs[0].choices.items():
                walk(child, prefix + [name])
            return
        argv = list(prefix)
        for a in parser._actions:
            if isinstance(a, argparse._HelpAction) or not (a.required or not a.option_strings):
                continue
            argv += ([a.option_strings[0]] if a.option_strings else []) + [SAMPLES.get(a.dest, "x")]
        out.append(argv)

    walk(build_parser(), [])
    return out


def _assert_clean(what: str, text: str) -> None:
    for value in [*SECRETS.values(), APPRISE_PASSWORD]:
        assert value not in text, f"{what} shows a secret:\n{text[-2000:]}"


@pytest.fixture
def world(tmp_path, monkeypatch):
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    api, smtp, hook = FakeBotAPI().start(), SMTPServer().start(), WebhookReceiver().start()
    env = make_env(tmp_path, telegram=api.url, smtp_port=smtp.port, admin_chats=["9"], token=WRONG_TOKEN,
                   email_options={"username": "alerts"})  # fmt: skip
    env.env.update(SECRETS)
    apprise = hook.url("/x").replace("json://", f"json://user:{APPRISE_PASSWORD}@")
    r = env.cli("subscribers", "add", "--apprise", apprise, "--telegram-chat", "1001", "--email", "a@example.org",
                "--topics", "digital_currency", "-v")  # fmt: skip
    _assert_clean("subscribers add", r.stdout + r.stderr)
    with env.db.session() as s:
        Ingestor(env.ctx().matcher()).ingest(s, article(1, "digital_currency"))
    yield env, hook
    for server in (api, smtp, hook):
        server.stop()


def _run(env: Env, argv: list[str]) -> str:
    if tuple(argv) in LONG_RUNNING:
        port = str(free_port())
        proc = env.popen(*argv, *(["--port", port] if argv in (["serve"], ["node"]) else []), "-vv")
        time.sleep(6)
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        return out + err
    r = env.cli(*argv, "-vv", timeout=120, check=False)
    return r.stdout + r.stderr


def test_no_command_prints_or_logs_a_secret(world):
    env, _ = world
    found = commands()
    assert ["dispatch"] in found and ["subscribers", "list"] in found and ["run"] in found
    outputs = {}
    for argv in found:
        outputs[" ".join(argv)] = text = _run(env, argv)
        _assert_clean(" ".join(argv), text)
    # the commands did meet the secrets: the rejected token and the apprise URL were there to show
    assert "<redacted>" in outputs["dispatch"] and "refused the bot token" in outputs["dispatch"]
    assert "user:<redacted>@127.0.0.1" in outputs["subscribers list"]


def test_no_page_shows_a_secret(world):
    env, hook = world
    # nothing dispatched: the alerts wait on /admin/pending, the Apprise one showing its URL
    served = serve(env.config, free_port(), admin_password=SECRETS["NEWSRADAR_ADMIN_PASSWORD"])
    values = {"story_id": "1", "article_id": "1", "topic_id": "digital_currency", "day": "2026-05-01"}
    try:
        with served.client() as c:
            admin_login(c, SECRETS["NEWSRADAR_ADMIN_PASSWORD"])
            pages = {}
            for route in app_routes():
                if "GET" not in route.methods:
                    continue
                views = (
                    ["subscribers", "dead", "pending", "channels", "sources"]
                    if "{view}" in route.path
                    else [""]
                )
                for view in views:
                    path = route.path.replace("{view}", view)
                    for k, v in values.items():
                        path = path.replace("{" + k + "}", v)
                    r = c.get(path, params={"q": "数字人民币"})
                    pages[path] = r.text
                    _assert_clean(path, r.text)
        assert "user:<redacted>@127.0.0.1" in pages["/admin/subscribers"]
        assert "user:<redacted>@127.0.0.1" in pages["/admin/pending"]
    finally:
        served.stop()


@pytest.mark.parametrize(
    "text, shown",
    [
        ("json://user:PW1234@h:1/p?key=K1secret", "json://user:<redacted>@h:1/p?key=<redacted>"),
        (
            "ntfy://host/topic?token=tk_SECRET&priority=high",
            "ntfy://host/topic?token=<redacted>&priority=high",
        ),
        ("https://u:pw5678@proxy.example/", "https://u:<redacted>@proxy.example/"),
        # the archive's own signed links are meant to be shown to whoever holds them
        ("http://news.example/digests?token=abc.def", "http://news.example/digests?token=abc.def"),
        ("bot 123456:ABCdefGHIjklMNOpqrSTUvwx failed", "bot <redacted> failed"),
    ],
)
def test_redact(text, shown):
    from common import redact

    assert redact(text) == shown
