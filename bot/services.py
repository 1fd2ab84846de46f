"""What the handlers work with: the collection and the bot's records, one per application."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram.ext import ContextTypes

from bot.chat_sets import ChatSets
from bot.feedback import FeedbackStore
from bot.health import Heartbeat
from bot.journal import UpdateJournal, bot_id
from bot.limits import Once, RateLimiter
from bot.sessions import Sessions
from bot.state import state_of
from bot.stats import QuestionLog
from bot.turns import Turns
from index.collection import Collection
from index.config import Config
from index.storage.store import DocumentInfo

T = TypeVar("T")


@dataclass
class Services:
    """What the handlers work with; one per application, kept in ``bot_data``."""

    collection: Collection
    feedback: FeedbackStore
    sessions: Sessions
    turns: Turns  # each asker's previous question, for follow-ups
    questions: QuestionLog  # what was asked and whether it was answered (no asker)
    limiter: RateLimiter
    inline_limiter: RateLimiter  # inline queries: every keystroke is one, so a larger budget
    refusals: Once  # strangers told this bot is not for them
    journal: UpdateJournal  # every update received, until it was handled to the end
    heartbeat: Heartbeat  # the bot's state for `sanad status` and GET /healthz
    chat_sets: ChatSets  # the sets of documents each chat is answered from
    admins: frozenset[int]
    allowed_chats: frozenset[int]  # empty: every chat
    example: str

    @classmethod
    def from_config(cls, collection: Collection, config: Config, **given: Any) -> Services:
        """The services ``config`` describes, over ``collection``; ``given`` ones are used
        as they are (tests pass their own clock or limits)."""
        tg = config.telegram

        def given_or(name: str, make: Callable[[], T]) -> T:
            return given[name] if name in given else make()

        records = state_of(config.index_path)  # the bot's own file, beside the index
        return cls(
            collection=collection,
            feedback=given_or("feedback", lambda: FeedbackStore(records)),
            sessions=given_or("sessions", lambda: Sessions(records, ttl=tg.button_ttl)),
            turns=given_or("turns", lambda: Turns(records, window=60 * tg.followup_minutes)),
            questions=given_or(
                "questions", lambda: QuestionLog(records, keep_days=tg.keep_questions_days)
            ),
            limiter=given_or("limiter", lambda: RateLimiter(limit=tg.questions_per_minute)),
            inline_limiter=given_or(
                "inline_limiter", lambda: RateLimiter(limit=tg.inline_queries_per_minute)
            ),
            refusals=given_or("refusals", Once),
            journal=given_or("journal", lambda: UpdateJournal(records, bot_id(tg.token))),
            heartbeat=given_or("heartbeat", lambda: Heartbeat(records)),
            chat_sets=given_or("chat_sets", lambda: ChatSets(records)),
            admins=given_or("admins", lambda: frozenset(tg.admins)),
            allowed_chats=given_or("allowed_chats", lambda: frozenset(tg.allowed_chats)),
            example=given_or("example", lambda: tg.example),
        )

    def scope(self, chat: int) -> list[str] | None:
        """The sets ``chat`` is answered from (None: every document); blocking."""
        return self.chat_sets.scope(chat, self.collection)

    def documents_for(self, chat: int) -> list[DocumentInfo]:
        """The documents ``chat`` is answered from (what /sources and /docs list there);
        blocking."""
        return self.collection.documents(self.scope(chat))

    @property
    def top_k(self) -> int:
        """Sentences per page of an answer (search.top_k)."""
        return self.collection.config.search.top_k

    def close(self) -> None:
        self.feedback.close()
        self.journal.close()
        self.sessions.close()
        self.turns.close()
        self.questions.close()
        self.heartbeat.close()
        self.collection.close()


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]
