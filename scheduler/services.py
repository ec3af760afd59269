"""What the daemon runs beside its schedule, in the same loop: the Telegram bot and the web archive."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

__all__ = ["start_bot", "start_web", "stop_bot"]

log = logging.getLogger("newsradar.run")


async def start_bot(db: Any, notifier: Any, topics: list[Any]) -> Any:
    """The bot (long polling) when [telegram] and a token are set; None otherwise or on failure."""
    from common import telegram_token

    token = telegram_token()
    if notifier.telegram is None or not token:
        return None
    from notifiers.bot import build_application

    app = build_application(db, notifier.telegram, token, topics)
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


def start_web(config: Any) -> Any:
    """The web archive's uvicorn server (not started) when [web] is configured, else None."""
    if config.sections.get("web") is None:
        return None
    from web import make_server

    server = make_server(config)
    server.capture_signals = contextlib.nullcontext  # SIGTERM / Ctrl-C stop the whole daemon
    return server
