"""Webhook posts that Telegram did not send get 400 and one log line, not a server error."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

import tornado.web
from telegram.ext._utils import webhookhandler

log = logging.getLogger(__name__)


def check_update_body(body: bytes) -> str | None:
    """What is wrong with a webhook body, or None for a JSON object with an integer
    ``update_id`` (what Telegram posts).

    >>> check_update_body(b'{"update_id": 5}') is None
    True
    >>> [check_update_body(b) for b in [b"{", b"", b'{"update_id": "5"}', b"\\xff", b"[1]"]]
    ['not JSON', 'not JSON', 'no integer update_id', 'not UTF-8', 'no integer update_id']
    >>> check_update_body(b"[" * 100_000)
    'not JSON'
    """
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        return "not UTF-8"
    except (ValueError, RecursionError):
        return "not JSON"
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return "no integer update_id"
    return None


class CheckedTelegramHandler(webhookhandler.TelegramHandler):
    """python-telegram-bot's webhook handler (content type and secret checked first, 403),
    refusing a malformed body with 400 before it is parsed."""

    async def post(self) -> None:
        self._validate_post()
        problem = check_update_body(self.request.body)
        if problem:
            log.warning("webhook: refused a post that is no update (%s)", problem)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        await super().post()


def refuse_malformed_webhook_posts() -> None:
    """Have the webhook server use :class:`CheckedTelegramHandler` (python-telegram-bot's
    server looks its handler class up when it starts)."""
    webhookhandler.TelegramHandler = CheckedTelegramHandler  # type: ignore[misc]
