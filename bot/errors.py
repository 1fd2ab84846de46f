"""Errors while handling an update: logged without the token, the user told when useful."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.network import SanadBot
from bot.texts import SORRY

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error (never the token); tell the user when there is a chat to tell."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, InvalidToken):  # revoked while answering: no «عذرًا» can go out
        if isinstance(context.bot, SanadBot):
            context.bot.revoke()
        return
    if isinstance(error, Forbidden):
        log.warning("chat %s cannot be messaged: %s", chat.id if chat else "?", error)
        return
    if update is None and isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return  # polling could not reach Telegram: the heartbeat logs an outage, once
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # a timeout or a connection lost after the call was sent: the reply may well have
        # arrived, so no "sorry"; and a call that surely did not was retried already
        log.warning("a Bot API call failed (chat %s): %s", chat.id if chat else "?", error)
        return
    log.error("error while handling an update: %s", error, exc_info=error)
    if chat is not None:
        try:
            await context.bot.send_message(chat.id, SORRY)
        except TelegramError as exc:
            log.warning("could not tell chat %s about the error: %s", chat.id, exc)
