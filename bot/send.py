"""Replies sent and edited: HTML with a plain-text fallback, button presses answered, «typing…»."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.journal import FairQueue
from bot.render import html_visible

log = logging.getLogger(__name__)


TYPING_BACKLOG = 20  # more updates waiting than this: no «typing…» actions


async def send_html(
    message: Message, text: str, markup: InlineKeyboardMarkup | None = None, quote: bool = True
) -> Message:
    """Reply with HTML; if Telegram cannot parse it, send the same words as plain text.
    (A call that surely never reached Telegram is retried by the rate limiter; one that
    may have arrived is not: see bot.network.)"""
    try:
        return await message.reply_text(text, reply_markup=markup, do_quote=quote)
    except BadRequest as exc:
        if "can't parse entities" not in str(exc).lower():
            raise
        log.warning("HTML refused (%s); sending plain text", exc)
        return await message.reply_text(
            html_visible(text), reply_markup=markup, do_quote=quote, parse_mode=None
        )


async def acknowledge(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    """Answer a button press (its spinner closes, or ``text`` shows). A press Telegram no
    longer knows (it came while the bot was down: "query is too old") cannot be answered;
    what it asked for is done all the same."""
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:
        if "query is too old" not in str(exc).lower():
            raise
        log.info("a button press too old to answer; doing what it asks anyway")


async def show_typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """«typing…» while an answer is made: best effort, and left out when many updates wait
    (each action costs one of the 30 Bot API calls a second the answers need) or when a
    group's pace has no slot to spare beside the answer's."""
    queue = context.application.update_queue
    if isinstance(queue, FairQueue) and (
        queue.backlog > TYPING_BACKLOG or queue.pace.wait(chat_id, messages=2) > 0
    ):
        return
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as exc:
        log.info("typing action failed (%s); answering anyway", exc)


async def edit_html(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit a message in place, with the same plain-text fallback as :func:`send_html`."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return
        if "can't parse entities" not in str(exc).lower():
            raise
        await message.edit_text(html_visible(text), reply_markup=markup, parse_mode=None)


def chat_of(query: CallbackQuery) -> int:
    """The chat a button was pressed in (an inline message's: the presser's own)."""
    return query.message.chat.id if query.message else query.from_user.id
