"""Questions answered: in private, in groups (/ask, a mention, a reply), as follow-ups."""

from __future__ import annotations

import asyncio
import html
import re
import time
from dataclasses import dataclass

from telegram import Message, Update
from telegram.ext import ContextTypes, filters

from bot.buttons import answer_keyboard
from bot.chat_sets import scope_key
from bot.render import answer_html, understood_html
from bot.send import send_html, show_typing
from bot.services import Services, services
from bot.texts import ASK_USAGE, LATE, LATE_SECONDS, NO_ANSWER_HINT
from index.question.query import UNUSABLE
from index.retrieval.answers import Answer


def search_page(
    svc: Services, question: str, page: int, sets: list[str] | None = None
) -> tuple[Answer, bool]:
    """One page of results (``top_k`` hits, from ``sets``: see Services.scope) and whether
    another page follows (blocking: run it in a worker thread)."""
    wanted = (page + 1) * svc.top_k
    answer = svc.collection.ask(question, wanted + 1, sets)
    hits = answer.hits[page * svc.top_k : wanted]
    shown = Answer(answer.question, hits, answer.reason if not hits else None)
    if not hits and answer.reason is None:
        shown = Answer(answer.question, (), "no_match")
    return shown, len(answer.hits) > wanted


@dataclass(frozen=True, slots=True)
class Reply:
    """A question answered and ready to send: how it was understood (a follow-up, else
    None), its first page, whether more follow, and its buttons' session (None: no hits)."""

    understood: str | None
    answer: Answer
    has_more: bool
    sid: str | None


def first_page(svc: Services, chat: int, asker: int, question: str, at: float) -> Reply:
    """Everything an answer needs from the collection and the bot's records (blocking: the
    search and four SQLite calls; run it in a worker thread, never on the event loop)."""
    understood = svc.turns.read(chat, asker, question, at)
    asked = understood or question
    scope = svc.scope(chat)
    answer, has_more = search_page(svc, asked, 0, scope)
    if answer.reason not in UNUSABLE:
        svc.turns.remember(chat, asker, asked, at)
        svc.questions.record(asked, answered=not answer.empty, sets=scope_key(scope))
    shown = [h.sentence_id for h in answer.hits]
    sid = None if answer.empty else svc.sessions.open(asked, shown)
    return Reply(understood, answer, has_more, sid)


async def answer_question(
    message: Message, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    """Search and reply to the question's message with the first page of sentences. A
    follow-up («وعن كازاخستان؟») is read with the asker's previous question in this chat,
    and the reply starts by saying how it was understood."""
    await show_typing(context, message.chat_id)
    asker = message.from_user.id if message.from_user else message.chat_id
    at = written_at(message)
    reply = await asyncio.to_thread(
        first_page, services(context), message.chat_id, asker, question, at
    )
    answer, understood = reply.answer, reply.understood
    if answer.empty or reply.sid is None:
        hint = NO_ANSWER_HINT if answer.reason == "no_match" else ""
        text = html.escape(answer.message or "", quote=False) + hint
        await send_html(message, understood_html(understood) + text)
        return
    late = LATE if time.time() - at > LATE_SECONDS else ""
    text = answer_html(answer, understood=understood, note=late)
    await send_html(message, text, answer_keyboard(reply.sid, 0, reply.has_more))


def written_at(message: Message) -> float:
    """When the user wrote this: an edited message when it was edited (an edit of an old
    message is a question asked now, and counts against the limit now)."""
    return (message.edit_date or message.date).timestamp()


def command_argument(message: Message) -> str:
    """The text after ``/command`` (or ``/command@bot``), spacing kept."""
    text = message.text or ""
    return re.sub(r"^/\S+", "", text, count=1).strip()


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    question = command_argument(message)
    if not question:
        example = html.escape(services(context).example)
        await send_html(message, ASK_USAGE.format(example=example))
        return
    await answer_question(message, context, question)


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await answer_question(message, context, message.text)


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group message that mentions the bot or replies to it: the rest is the question."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    mention = f"@{context.bot.username}"
    question = re.sub(re.escape(mention), " ", message.text, flags=re.IGNORECASE).strip()
    if not question:
        await send_html(message, ASK_USAGE.format(example=html.escape(services(context).example)))
        return
    await answer_question(message, context, question)


class AddressedToBot(filters.MessageFilter):
    """A message that mentions the bot by @username or replies to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        text = (message.text or "").lower()
        return bool(bot.username) and f"@{bot.username.lower()}" in text
