"""The ``sanad serve`` command: run the Telegram bot (long polling or a webhook)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

from index.config import Config, ConfigError

log = logging.getLogger("bot")

NO_TOKEN = "no Telegram bot token: set telegram.token in the config file or SANAD_TELEGRAM_TOKEN"
BAD_TOKEN = (
    "Telegram rejected the bot token; check telegram.token or SANAD_TELEGRAM_TOKEN "
    "(get one from @BotFather)"
)


def register(sub: Any) -> None:
    """Add ``serve`` to the ``sanad`` command line (found through an entry point)."""
    serve = sub.add_parser("serve", help="run the Telegram bot")
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace, config: Config) -> int:
    token = config.telegram.token.strip()
    if not token:
        raise ConfigError(NO_TOKEN)
    # Imported here so that `sanad ask` never pays for Telegram's import.
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.handlers import Services
    from bot.logs import setup_logging
    from index.collection import Collection

    setup_logging(token, config.telegram.webhook_secret, verbose=args.verbose)
    services = Services.from_config(Collection.open(config, sys.stderr), config)
    application = build_application(token, services, config.telegram.base_url)
    tg = config.telegram
    # Check the token (getMe) first, so that a wrong one is one clear line, not a traceback;
    # run_polling/run_webhook then reuse this loop and the initialized application.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(application.initialize())
    except InvalidToken:
        print(f"sanad: error: {BAD_TOKEN}", file=sys.stderr)
        services.close()
        return 1
    except NetworkError as exc:
        reason = str(exc).replace(token, "[token]")
        print(f"sanad: error: cannot reach the Telegram Bot API ({reason})", file=sys.stderr)
        services.close()
        return 1
    try:
        if tg.webhook_url:
            log.info("serving with a webhook on %s:%d", tg.webhook_listen, tg.webhook_port)
            application.run_webhook(
                listen=tg.webhook_listen,
                port=tg.webhook_port,
                url_path="telegram",
                webhook_url=tg.webhook_url,
                secret_token=tg.webhook_secret or None,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            log.info("serving with long polling")
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    finally:
        services.close()
    return 0
