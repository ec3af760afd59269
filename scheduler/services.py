"""What the daemon runs beside its schedule, in the same loop: the Telegram bot and the web archive."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable
from dataclasses import replace
from typing import Any

__all__ = ["PORT_TRIES", "free_port", "start_bot", "start_web", "stop_bot"]

log = logging.getLogger("newsradar.run")


async def start_bot(db: Any, notifier: Any, topics: list[Any], config: Any = None) -> Any:
    """The bot (long polling) when [telegram] and a token are set; None otherwise or on failure."""
    from common import telegram_token

    token = telegram_token()
    if notifier.telegram is None or not token:
        return None
    from notifiers.bot import build_application

    app = build_application(db, notifier.telegram, token, topics, notifier.alerts.base_url, config)
    try:
        await app.initialize()
        await app.updater.start_polling(timeout=10)
        await app.start()
    except Exception as exc:
        log.warning("the Telegram bot could not start (alerts still go out): %s", exc)
        return None
    return app


async def stop_bot(app: Any) -> None:
    try:
        await asyncio.wait_for(app.updater.stop(), 5.0)
        await app.stop()
        await app.shutdown()
    except Exception as exc:  # pragma: no cover - best effort on the way out
        log.debug("bot shutdown: %s", exc)


PORT_TRIES = 20  # how far past a taken [web] port the daemon looks for a free one


def free_port(host: str, port: int, tries: int = PORT_TRIES) -> int | None:
    """The first port from `port` on that `host` can listen on (as uvicorn binds: SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for candidate in range(port, min(port + tries, 65536)):
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return None


def start_web(config: Any, say: Callable[[str], None] = log.warning) -> Any:
    """The web archive's uvicorn server (not started) when [web] is configured, else None.

    A taken port is not fatal: the daemon says so in one line and listens on the next free one
    (links in mails and feeds follow it unless [web] base_url is set); none free in PORT_TRIES
    ports: it says so and runs without the archive."""
    settings = config.sections.get("web")
    if settings is None:
        return None
    from web import make_server

    port = free_port(settings.host, settings.port)
    if port is None:
        say(f"newsradar run: ports {settings.port}-{settings.port + PORT_TRIES - 1} on {settings.host} are all "
            "in use: the web archive is off; set [web] port to a free one")  # fmt: skip
        return None
    if port != settings.port:
        say(f"newsradar run: port {settings.port} on {settings.host} is in use: the web archive listens on "
            f"{port} instead (set [web] port to choose another)")  # fmt: skip
        config.sections["web"] = replace(settings, port=port)
    server = make_server(config)
    server.capture_signals = contextlib.nullcontext  # SIGTERM / Ctrl-C stop the whole daemon
    server.archive_url = f"http://{settings.host}:{port}/"
    return server
