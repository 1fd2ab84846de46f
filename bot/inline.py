"""Inline mode: @bot question in any chat, one result per sentence."""

from __future__ import annotations

import asyncio

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.render import inline_message_html
from bot.services import services
from bot.texts import INLINE_HINT, INLINE_NONE
from index.retrieval.answers import MEANING_LABEL

INLINE_RESULTS = 10


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``@bot question``: one result per sentence, posted as a quote with its citation."""
    query = update.inline_query
    if query is None:
        return
    text = query.query.strip()
    if not text:
        hint = InlineQueryResultsButton(text=INLINE_HINT, start_parameter="inline")
        await query.answer([], button=hint, cache_time=300)
        return
    svc = services(context)  # from the sets of the asker's own chat with the bot
    sets = await asyncio.to_thread(svc.scope, query.from_user.id)
    answer = await asyncio.to_thread(svc.collection.ask, text, INLINE_RESULTS, sets)
    results = [
        InlineQueryResultArticle(
            id=str(hit.sentence_id),
            title=f"{hit.title} · الجملة {hit.ordinal}"[:120],
            description=(f"{MEANING_LABEL} · " if hit.meaning else "") + hit.text[:200],
            input_message_content=InputTextMessageContent(
                inline_message_html(hit), parse_mode=ParseMode.HTML
            ),
        )
        for hit in answer.hits
    ]
    button: InlineQueryResultsButton | None = None
    if not results:
        button = InlineQueryResultsButton(text=INLINE_NONE, start_parameter="help")
    # personal: Telegram keeps the results for this user only (with an allow-list, nobody
    # outside it may be shown an answer someone else's query fetched)
    await query.answer(results, button=button, cache_time=60, is_personal=True)
