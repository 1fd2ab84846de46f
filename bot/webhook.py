"""The webhook server: Telegram's posts on the URL's own path, checked; GET /healthz."""

# A malformed post gets 400 and one log line, not a server error; /healthz is for a load
# balancer or a monitor.

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import tornado.web
from telegram.ext import _updater
from telegram.ext._utils import webhookhandler
from tornado.http1connection import HTTP1Connection

from bot.network import readable

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


MAX_UPDATE_BYTES = 1_000_000  # Telegram's updates are a few KB: a bigger post is no update


@tornado.web.stream_request_body
class CheckedTelegramHandler(webhookhandler.TelegramHandler):
    """python-telegram-bot's webhook handler, with the content type and secret checked
    (403) and the size (413, past MAX_UPDATE_BYTES) before any of the body is read, a
    malformed body refused with 400 before it is parsed, and an update the library cannot
    read skipped (see :func:`bot.network.readable`)."""

    def prepare(self) -> None:
        self._received = bytearray()
        if self.request.method != "POST":
            return
        self._validate_post()
        declared = self.request.headers.get("Content-Length", "0")
        if not declared.isdigit() or int(declared) > MAX_UPDATE_BYTES:
            log.warning("webhook: refused a post of %s bytes unread", declared)
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        connection = self.request.connection
        if isinstance(connection, HTTP1Connection):  # a body sent in chunks: cut off too
            connection.set_max_body_size(MAX_UPDATE_BYTES)

    def data_received(self, chunk: bytes) -> None:
        self._received += chunk

    async def post(self) -> None:
        self.request.body = bytes(self._received)
        problem = check_update_body(self.request.body)
        if problem:
            log.warning("webhook: refused a post that is no update (%s)", problem)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        heartbeat = getattr(self.bot, "heartbeat", None)
        if heartbeat is not None:
            heartbeat.heard()
        update = json.loads(self.request.body)
        if readable(update) is not update:  # the library cannot read it (logged once):
            return  # 200, so that Telegram does not post it again and again
        await super().post()


def webhook_path(url: str) -> str:
    """The path the webhook server listens on: the one of ``telegram.webhook_url``, so a
    proxy set up from that URL reaches it.

    >>> webhook_path("https://bot.example.org/sanad/hook"), webhook_path("https://x.org")
    ('sanad/hook', '')
    """
    return urlsplit(url).path.strip("/")


class HealthHandler(tornado.web.RequestHandler):
    """``GET /healthz``: 200 and the bot's state as JSON while it serves."""

    def initialize(self, health: Callable[[], dict[str, Any]]) -> None:
        self.health = health

    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.write(json.dumps(self.health(), ensure_ascii=False))


def serve_webhooks_checked(health: Callable[[], dict[str, Any]]) -> None:
    """Have python-telegram-bot's webhook server refuse malformed posts
    (:class:`CheckedTelegramHandler`) and answer ``GET /healthz`` with ``health()`` (its
    server looks these classes up when it starts)."""
    webhookhandler.TelegramHandler = CheckedTelegramHandler  # type: ignore[misc]

    class WithHealth(webhookhandler.WebhookAppClass):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.add_handlers(r".*", [(r"/healthz", HealthHandler, {"health": health})])

    _updater.WebhookAppClass = WithHealth  # type: ignore[misc]
