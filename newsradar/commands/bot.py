"""`newsradar bot`: run the Telegram bot (long polling) for subscribing from a chat."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from notifiers import notifier_settings
from notifiers.settings import TELEGRAM_TOKEN_ENV, telegram_token

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
        "--poll-timeout", type=float, default=10.0, help="getUpdates long-poll seconds (default 10)"
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
    from notifiers.bot import build_application

    app = build_application(ctx.db(), settings, token, ctx.topics)
    print(f"newsradar bot: polling {settings.api_url} (Ctrl-C to stop)", file=ctx.out, flush=True)
    app.run_polling(timeout=args.poll_timeout, close_loop=False)
    return 0
