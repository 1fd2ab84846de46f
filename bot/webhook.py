"""The webhook server: Telegram's posts on the URL's own path, checked; GET /healthz."""

# A malformed post gets 400 and one log line, not a server error; /healthz is for a load
# balancer or a monitor.

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import tornado.web
from telegram import Update
from telegram.ext import Application
from tornado.http1connection import HTTP1Connection
from tornado.httpserver import HTTPServer

from bot.network import readable
from index.config import TelegramSettings

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
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """Telegram's posts: the content type and the secret checked (403) and the size (413,
    past MAX_UPDATE_BYTES) before any of the body is read; a malformed body refused with 400
    before it is parsed; an update the library cannot read skipped with 200 (see
    :func:`bot.network.readable`), so that Telegram does not post it again and again; every
    other update put on the application's queue, as python-telegram-bot's custom-webhook
    example does."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot_application: Application, secret: str) -> None:
        self.bot_application = bot_application  # (tornado's own is self.application)
        self.secret = secret

    def prepare(self) -> None:
        self._received = bytearray()
        if self.request.headers.get("Content-Type") != "application/json":
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
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
        body = bytes(self._received)
        problem = check_update_body(body)
        if problem:
            log.warning("webhook: refused a post that is no update (%s)", problem)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        bot = self.bot_application.bot
        heartbeat = getattr(bot, "heartbeat", None)
        if heartbeat is not None:
            heartbeat.heard()
        data: dict[str, Any] = json.loads(body)  # an object: check_update_body says so
        if readable(data) is not data:  # the library cannot read it (logged once)
            return
        await self.bot_application.update_queue.put(Update.de_json(data, bot))

    def log_exception(self, *args: Any) -> None:
        """A refused post was logged in one line above, not with a traceback."""


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


def run_webhook(
    application: Application,
    loop: asyncio.AbstractEventLoop,
    settings: TelegramSettings,
    secret: str,
    health: Callable[[], dict[str, Any]],
) -> None:
    """Serve ``application`` (initialized) with a webhook until ``loop`` is stopped (a
    signal, a revoked token): python-telegram-bot's custom-webhook pattern, a web server of
    our own (Telegram's posts on the URL's own path, ``GET /healthz``) feeding the
    application's update queue."""
    path = webhook_path(settings.webhook_url)
    posts = rf"/{re.escape(path)}/?" if path else r"/"
    routes: list[tuple[str, Any, dict[str, Any]]] = [
        (posts, UpdateHandler, {"bot_application": application, "secret": secret}),
        (r"/healthz", HealthHandler, {"health": health}),
    ]
    server = HTTPServer(tornado.web.Application(routes, log_function=lambda handler: None))

    async def start() -> None:
        if application.post_init:
            await application.post_init(application)
        server.listen(settings.webhook_port, address=settings.webhook_listen)
        await application.bot.set_webhook(
            settings.webhook_url, allowed_updates=Update.ALL_TYPES, secret_token=secret
        )
        await application.start()

    async def stop() -> None:
        server.stop()
        await server.close_all_connections()
        if application.running:
            await application.stop()
        await application.shutdown()

    try:
        loop.run_until_complete(start())
        loop.run_forever()
    finally:
        loop.run_until_complete(stop())
