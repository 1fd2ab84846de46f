"""Bot API calls that fail: retry what surely never reached Telegram, stop on a revoked token."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError, TimedOut
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.health import Heartbeat
from bot.limits import GroupPace

log = logging.getLogger(__name__)

# httpx errors raised before the whole request was written: Telegram cannot have acted on it.
UNSENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
)
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)  # seconds before each retry of an unsent call
BEST_EFFORT = frozenset({"sendChatAction"})  # not worth a retry: «typing…» is soon stale


def surely_unsent(error: BaseException) -> bool:
    """True when a failed call certainly did not reach Telegram: the connection could not
    be made or broke while the request was still being written, or the Bot API answered
    with a server error (5xx). A reset or a timeout while waiting for the answer may come
    after Telegram acted, so it is not; nor is a refusal (400).

    >>> def failed(cause: Exception) -> NetworkError:
    ...     error = NetworkError(f"httpx.{type(cause).__name__}")
    ...     error.__cause__ = cause
    ...     return error
    >>> surely_unsent(failed(httpx.ConnectError("refused")))
    True
    >>> surely_unsent(NetworkError("Bad Gateway"))
    True
    >>> surely_unsent(failed(httpx.ReadError("reset"))), surely_unsent(BadRequest("too long"))
    (False, False)
    >>> surely_unsent(TimedOut())
    False
    """
    if not isinstance(error, NetworkError):
        return isinstance(error, UNSENT)
    if isinstance(error, BadRequest):
        return False
    if error.__cause__ is None:
        return not isinstance(error, TimedOut)  # an answer from the Bot API: it did not act
    return isinstance(error.__cause__, UNSENT)


class RetryingRateLimiter(AIORateLimiter):
    """python-telegram-bot's rate limiter (flood limits, 429s retried after Telegram's
    ``retry_after``), which also retries, with growing pauses, a call that surely never
    reached Telegram. A call that may have arrived is never repeated: at most once.

    A group's pace is kept in ``pace`` (shared with the update queue, which hands out a
    group's next update when its slot is free), not in the library's own group limiter."""

    def __init__(self, pace: GroupPace, **kwargs: Any) -> None:
        super().__init__(group_max_rate=0, **kwargs)
        self.pace = pace

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        delays = () if endpoint in BEST_EFFORT else RETRY_DELAYS
        chat = str(data.get("chat_id"))
        if chat.lstrip("-").isdigit() and (delay := self.pace.book(int(chat))):
            await asyncio.sleep(delay)
        for delay in (*delays, None):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except NetworkError as exc:
                if delay is None or not surely_unsent(exc):
                    raise
                # (an outage is logged once by the heartbeat: each retry is a detail)
                log.debug("%s did not reach Telegram (%s); again in %.1f s", endpoint, exc, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")


def readable(raw: dict[str, Any]) -> dict[str, Any] | None:
    """An update as python-telegram-bot can read it: as it came, or, when the library cannot
    read it (a message without its chat or date, a field of a newer Bot API), its id alone
    (no handler acts on it, and polling moves past it); None without an id.

    >>> readable({"update_id": 7, "message": {"message_id": 1, "text": "بلا محادثة"}})
    {'update_id': 7}
    >>> readable({"update_id": 8})
    {'update_id': 8}
    """
    update_id = raw.get("update_id") if isinstance(raw, dict) else None
    if not isinstance(update_id, int):
        log.warning("an update without an id was skipped")
        return None
    try:
        Update.de_json(copy.deepcopy(raw), None)
    except Exception as exc:  # whatever the library raises on what it cannot read
        log.warning("update %d cannot be read (%s); skipped", update_id, type(exc).__name__)
        return {"update_id": update_id}
    return raw


class UpdatesRequest(HTTPXRequest):
    """The connection polling uses. Each update is checked before the library reads the
    batch: left in, one update it cannot read fails the whole batch, and the library asks
    for the same batch again forever (nobody is answered). It is passed on as its id
    alone, logged once."""

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(url, *args, **kwargs)
        if code != 200 or not url.endswith("/getUpdates"):
            return code, payload
        try:
            answer = json.loads(payload)
            result = answer["result"]
        except (ValueError, TypeError, KeyError):
            return code, payload  # the library says what is wrong with it
        if not isinstance(result, list):
            return code, payload
        checked = [readable(raw) for raw in result]
        if all(u is raw for u, raw in zip(checked, result, strict=True)):
            return code, payload  # every update readable: the batch as it came
        answer["result"] = [u for u in checked if u is not None]
        return code, json.dumps(answer).encode()


def watch_token(bot: SanadBot, loop: asyncio.AbstractEventLoop, every: float) -> threading.Thread:
    """A thread that asks Telegram about the token (getMe, on the bot's loop) every
    ``every`` seconds while the bot runs, and stops it when the token is refused (see
    :meth:`SanadBot.revoke`): with a webhook nothing else would notice."""

    def run() -> None:
        while True:
            time.sleep(every)
            if bot.revoked or loop.is_closed():
                return
            if not loop.is_running():
                continue  # starting or stopping
            asked = asyncio.run_coroutine_threadsafe(bot.get_me(), loop)
            try:
                asked.result(timeout=every + 30)
            except InvalidToken:
                loop.call_soon_threadsafe(bot.revoke)
                return
            except Exception as exc:  # unreachable for now, or stopping: the next check
                log.info("token check: %s", type(exc).__name__)

    thread = threading.Thread(target=run, name="sanad-token-check", daemon=True)
    thread.start()
    return thread


class SanadBot(ExtBot):
    """The bot, which notices when Telegram stops accepting its token while it runs
    (revoked in @BotFather): it stops the application, and :attr:`revoked` says why."""

    __slots__ = ("_heartbeat", "_revoked")

    def __init__(self, *args: Any, heartbeat: Heartbeat | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._revoked = False
        self._heartbeat = heartbeat  # told when Telegram answers a poll, or cannot be reached

    @property
    def heartbeat(self) -> Heartbeat | None:
        return self._heartbeat

    @property
    def revoked(self) -> bool:
        return self._revoked

    def revoke(self) -> None:
        """Telegram refused the token (401) on some call: stop the application; the updates
        in flight stay pending in the journal, answered after a restart with a good token."""
        if not self._revoked:
            self._revoked = True
            log.error("Telegram no longer accepts the bot token; stopping")
            asyncio.get_running_loop().stop()  # as Application.stop_running does

    async def get_updates(self, *args: Any, **kwargs: Any) -> Any:
        if self._revoked:
            return ()  # polling winds down with the application
        try:
            updates = await super().get_updates(*args, **kwargs)
        except NetworkError as exc:
            if self.heartbeat is not None and not isinstance(exc, BadRequest):
                self.heartbeat.failed(exc)
            raise
        except InvalidToken:
            self.revoke()
            return ()
        if self.heartbeat is not None:
            self.heartbeat.heard()
        return updates
