"""Who may do what: the chat allow-list, the question limit, admins."""

from __future__ import annotations

import logging

from telegram import InlineQueryResultsButton, Message, Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.answering import written_at
from bot.send import acknowledge, send_html
from bot.services import Services, services
from bot.texts import ADMINS_ONLY, NOT_ALLOWED, RATE_LIMITED

log = logging.getLogger(__name__)


def is_allowed(update: Update, svc: Services) -> bool:
    """Admins always; with an allow-list, only its chats (and, inline, its users)."""
    user = update.effective_user
    if not svc.allowed_chats or (user is not None and user.id in svc.admins):
        return True
    chat = update.effective_chat
    return (chat.id if chat else user.id if user else None) in svc.allowed_chats


async def refuse(update: Update, text: str, tell: bool = True) -> None:
    """Tell the user no (or just close a button's spinner / an inline query)."""
    if update.callback_query:
        await acknowledge(update.callback_query, text if tell else None, alert=tell)
    elif update.inline_query:
        button = InlineQueryResultsButton(text=text[:64], start_parameter="help")
        await update.inline_query.answer([], button=button if tell else None, cache_time=0)
    elif update.effective_message and tell:
        await send_html(update.effective_message, text)


async def gatekeeper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before any handler: the allow-list, then the per-user question limit."""
    svc = services(context)
    user = update.effective_user
    if not is_allowed(update, svc):
        chat = update.effective_chat
        if chat is None or chat.type == "private" or _is_command(update):
            # a button or an inline query is answered anyway; a chat is told once a window
            answered_anyway = bool(update.callback_query or update.inline_query)
            stranger = chat.id if chat else user.id if user else 0
            await refuse(update, NOT_ALLOWED, answered_anyway or svc.refusals.first(stranger))
        raise ApplicationHandlerStop
    if user is not None and user.id not in svc.admins:
        message = update.effective_message
        written = written_at(message) if message and message.date else None
        limiter = svc.inline_limiter if update.inline_query else svc.limiter
        allowed, tell = limiter.check(user.id, written)
        if not allowed:
            log.info("user %s is over the question limit", user.id)
            await refuse(update, RATE_LIMITED, tell or bool(update.callback_query))
            raise ApplicationHandlerStop


def _is_command(update: Update) -> bool:
    message = update.effective_message
    return bool(message and message.text and message.text.startswith("/"))


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in services(context).admins


async def admin_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Message | None:
    """The message of an admin's command; anyone else is told it is for admins (None)."""
    message = update.effective_message
    if message is None:
        return None
    if not is_admin(update, context):
        await send_html(message, ADMINS_ONLY)
        return None
    return message
