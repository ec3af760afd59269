"""`newsradar bot`: run the Telegram bot (long polling) for subscribing from a chat."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from common import TELEGRAM_TOKEN_ENV, telegram_token
from notifiers import notifier_settings

from ..argtypes import number

if TYPE_CHECKING:
    from ..context import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bot",
        help="run the Telegram bot: /topics, /subscribe, /search ... (needs [telegram] and a token)",
        description=f"Long-polls the Bot API at [telegram] api_url with the token in ${TELEGRAM_TOKEN_ENV}. "
        "Stop it with Ctrl-C or SIGTERM.",
    )
    p.add_argument(
        "--poll-timeout",
        type=number(1, 600, whole=False),
        default=10.0,
        metavar="SECONDS",
        help="getUpdates long-poll seconds (1-600, default 10)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    settings = notifier_settings(ctx.config).telegram
    if settings is None:
        print("newsradar bot: add a [telegram] section to the config first", file=sys.stderr)
        return 2
    token = telegram_token()
    if not token:
        print(f"newsradar bot: set ${TELEGRAM_TOKEN_ENV} to the bot token from @BotFather", file=sys.stderr)
        return 2
    from telegram.error import InvalidToken, TelegramError

    from notifiers.bot import build_application

    from ..logs import redact

    app = build_application(
        ctx.db(), settings, token, ctx.topics, notifier_settings(ctx.config).alerts.base_url, ctx.config
    )
    ready = app.post_init

    async def announce(application) -> None:  # noqa: ANN001 - PTB's Application
        if ready is not None:
            await ready(application)
        print(f"newsradar bot: polling {settings.api_url} (Ctrl-C to stop)", file=ctx.out, flush=True)

    app.post_init = announce
    try:
        app.run_polling(timeout=args.poll_timeout, close_loop=False)
    except InvalidToken:
        print(f"newsradar bot: the Bot API at {settings.api_url} rejected the token in ${TELEGRAM_TOKEN_ENV} "
              "(copy it again from @BotFather)", file=sys.stderr)  # fmt: skip
        return 1
    except TelegramError as exc:
        print(
            f"newsradar bot: cannot use the Bot API at {settings.api_url}: {redact(str(exc))}",
            file=sys.stderr,
        )
        return 1
    return 0
