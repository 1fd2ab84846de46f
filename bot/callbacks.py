"""The buttons under answers: more, context, votes, the example question."""

from __future__ import annotations

import asyncio
import functools
import html
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.ext import ContextTypes

from bot.answering import answer_question, search_page
from bot.buttons import Pressed, answer_keyboard, pressed
from bot.chat_sets import scope_key
from bot.render import answer_html, context_html
from bot.send import acknowledge, chat_of, edit_html, send_html
from bot.services import services
from bot.sessions import Session
from bot.texts import EXPIRED, NO_MORE, REMOVED, THANKS

CONTEXT_RADIUS = 2


SessionHandler = Callable[
    [CallbackQuery, Pressed, Session, ContextTypes.DEFAULT_TYPE], Awaitable[None]
]
UpdateHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def with_session(handler: SessionHandler) -> UpdateHandler:
    """For buttons whose data is ``kind:session-id[:…]``: find the session or, when it
    expired, answer the press with an alert."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        button = pressed(query.data)
        session = await asyncio.to_thread(services(context).sessions.get, button.session)
        if session is None:
            await acknowledge(query, EXPIRED, alert=True)
            return
        await handler(query, button, session, context)

    return wrapper


@with_session
async def more_button(
    query: CallbackQuery, button: Pressed, session: Session, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """«المزيد» / «السابق»: show another page of results in place."""
    svc = services(context)
    sid, page = button.session, button.number
    sets = await asyncio.to_thread(svc.scope, chat_of(query))  # this chat's, wherever it began
    answer, has_more = await asyncio.to_thread(search_page, svc, session.question, page, sets)
    if answer.empty:
        await acknowledge(query, NO_MORE, alert=True)
        return
    shown = [h.sentence_id for h in answer.hits]
    await asyncio.to_thread(services(context).sessions.show, sid, shown)
    await acknowledge(query)
    if isinstance(query.message, Message):
        text = answer_html(answer, first_rank=page * svc.top_k + 1)
        await edit_html(query.message, text, answer_keyboard(sid, page, has_more))


@with_session
async def context_button(
    query: CallbackQuery, button: Pressed, session: Session, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """«السياق»: the sentences around the top hit of the page shown."""
    svc = services(context)
    passage = None
    if session.shown:  # a sentence of this chat's sets only (a session's data copied to
        sets = await asyncio.to_thread(svc.scope, chat_of(query))  # another chat: none)
        passage = await asyncio.to_thread(
            svc.collection.passage, session.shown[0], CONTEXT_RADIUS, sets
        )
    if passage is None:  # the document was removed or replaced since, or is not for here
        await acknowledge(query, REMOVED, alert=True)
        return
    await acknowledge(query)
    if isinstance(query.message, Message):
        await send_html(query.message, context_html(passage))


@with_session
async def feedback_button(
    query: CallbackQuery, button: Pressed, session: Session, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """👍 / 👎: remember the vote with the question and the sentences shown."""
    svc = services(context)
    chat_id = chat_of(query)
    sets = scope_key(await asyncio.to_thread(svc.scope, chat_id))
    helpful = button.number == 1
    await asyncio.to_thread(
        svc.feedback.record, session.question, session.shown, chat_id, helpful, sets
    )
    await acknowledge(query, THANKS)


async def example_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The example question under /start: answer it as if it had been typed."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    if isinstance(query.message, Message):
        question = services(context).example
        asked = await send_html(query.message, f"❓ {html.escape(question)}", quote=False)
        await answer_question(asked, context, question)


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other button (an old keyboard): answer it so the client stops waiting."""
    if update.callback_query:
        await acknowledge(update.callback_query, EXPIRED, alert=True)
