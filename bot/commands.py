"""/start, /help, /sources, /whoami and unknown commands."""

from __future__ import annotations

import asyncio
import html

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.buttons import SOURCES, example_keyboard, list_keyboard, pressed
from bot.render import SOURCES_PAGE, sources_page_html
from bot.send import acknowledge, chat_of, edit_html, send_html
from bot.services import services
from bot.texts import HELP, UNKNOWN_COMMAND, WELCOME, WHOAMI
from index.question.query import REASONS


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: a welcome and the example question; ``/start help`` (the deep link from the
    inline-mode button) shows the help instead."""
    if context.args and context.args[0] in ("help", "inline"):
        await help_command(update, context)
        return
    markup = example_keyboard(services(context).example)
    if update.effective_message:
        await send_html(update.effective_message, WELCOME, markup, quote=False)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    text = HELP.format(example=html.escape(svc.example), bot=context.bot.username)
    if update.effective_message:
        await send_html(update.effective_message, text, quote=False)


async def whoami(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/whoami: the asker's Telegram user id and this chat's, for an operator's
    ``telegram.admins`` and ``telegram.allowed_chats``. Answered in any chat, before the
    allow-list (its first use is finding out what to put in it); nothing else runs."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is not None and chat is not None and message is not None:
        await send_html(message, WHOAMI.format(user=user.id, chat=chat.id), quote=False)
    raise ApplicationHandlerStop


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources: the documents and their sentence counts, a page a message."""
    chat = update.effective_chat.id if update.effective_chat else 0
    docs = await asyncio.to_thread(services(context).documents_for, chat)
    if not update.effective_message:
        return
    if not docs:
        await send_html(update.effective_message, REASONS["no_documents"], quote=False)
        return
    markup = list_keyboard(SOURCES, 0, len(docs), SOURCES_PAGE)
    await send_html(update.effective_message, sources_page_html(docs, 0), markup, quote=False)


async def sources_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«التالي» / «السابق» under /sources."""
    query = update.callback_query
    assert query is not None and query.data is not None
    docs = await asyncio.to_thread(services(context).documents_for, chat_of(query))
    page = min(pressed(query.data).number, max(0, (len(docs) - 1) // SOURCES_PAGE))
    await acknowledge(query)
    if isinstance(query.message, Message) and docs:
        markup = list_keyboard(SOURCES, page, len(docs), SOURCES_PAGE)
        await edit_html(query.message, sources_page_html(docs, page), markup)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command Sanad does not have (or one for admins, from someone else): one line
    pointing to /help. In a group, only a command addressed to this bot by name."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    command = message.text.split()[0]
    if message.chat.type != "private" and not command.lower().endswith(
        f"@{context.bot.username}".lower()
    ):
        return  # «/foo» in a group may be another bot's
    await send_html(message, UNKNOWN_COMMAND)
