"""A bot that cannot run says why in one line, exits non-zero, and never shows its token."""

from __future__ import annotations

import subprocess
import sys

from tests.fakes.telegram_api import FakeBotAPI
from tests.notifiers.helpers import make_env

WRONG = "987654321:AAWrongTokenWrongTokenWrongToken12345"


def _bot(env, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newsradar", "--config", str(env.config), "bot", "--poll-timeout", "1", *args],
        env=env.env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def test_rejected_token_is_one_line_without_the_token(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSRADAR_TELEGRAM_TOKEN", "restored-after-the-test")  # make_env sets it here too
    with FakeBotAPI() as api:
        env = make_env(tmp_path, telegram=api.url, token=WRONG)
        out = _bot(env)
        assert out.returncode != 0
        assert WRONG not in out.stdout + out.stderr
        assert WRONG.split(":")[1] not in out.stdout + out.stderr
        assert "Traceback" not in out.stderr
        lines = [x for x in out.stderr.splitlines() if x.strip()]
        assert len(lines) == 1, out.stderr
        assert "rejected" in lines[0] and "NEWSRADAR_TELEGRAM_TOKEN" in lines[0]
        for verbose in ("-v", "-vv"):  # library logs at -v: the token is still never written
            out = _bot(env, verbose)
            assert out.returncode != 0 and WRONG.split(":")[1] not in out.stdout + out.stderr


def test_bot_without_telegram_section_exits_non_zero(tmp_path):
    env = make_env(tmp_path)
    out = _bot(env)
    assert out.returncode == 2
    assert "[telegram]" in out.stderr
