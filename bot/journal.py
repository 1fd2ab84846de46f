"""Updates kept in SQLite before Telegram is told they arrived, and handed out fairly by chat."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, Update
from telegram.ext import BaseUpdateProcessor

from bot.limits import GroupPace
from index.storage.sqlite import Database

log = logging.getLogger(__name__)

KEEP_SECONDS = 2 * 86_400  # Telegram keeps undelivered updates for 24 hours
PRUNE_SECONDS = 3_600  # how often, while running, handled updates past KEEP_SECONDS go
IN_FLIGHT = 8  # updates handled at once (one per chat at a time)


def bot_id(token: str) -> int:
    """The bot's numeric id: the part of its token before the colon.

    >>> bot_id("123456:ABC-def")
    123456
    """
    head = token.strip().split(":", 1)[0]
    return int(head) if head.isdigit() else 0


class UpdateJournal:
    """Every update received, kept in the bot's SQLite file (table ``update_journal``,
    one bot's updates apart from another's) from before its arrival is confirmed to
    Telegram until it has been handled to the end.

    An update is recorded once (a second delivery of it, from Telegram after a restart or
    from a webhook retry, is recognised); updates not handled when the bot stopped or
    died are handed out again on the next start.

    A handled update keeps its id only (its body is dropped), for KEEP_SECONDS; older
    ones are removed at start and every PRUNE_SECONDS while the bot runs.

    >>> from bot.state import open_state
    >>> journal = UpdateJournal(open_state(), bot=7)
    >>> journal.record(1, "{}"), journal.record(1, "{}"), journal.pending()
    (True, False, [(1, '{}')])
    >>> journal.done(1); journal.pending()
    []
    """

    def __init__(self, db: Database, bot: int, clock: Callable[[], float] = time.time) -> None:
        self.bot = bot
        self._clock = clock
        self._pruned = clock()
        self._db = db
        self._prune()

    def record(self, update_id: int, body: str) -> bool:
        """Keep an update as received; False when it was received before."""
        return bool(
            self._db.execute(
                "INSERT OR IGNORE INTO update_journal(bot, update_id, body, received) "
                "VALUES (?, ?, ?, ?)",
                (self.bot, update_id, body, self._clock()),
            )
        )

    def done(self, update_id: int) -> None:
        """The update was handled to the end: its id is kept (a second delivery of it is
        recognised), its body no longer."""
        now = self._clock()
        self._db.execute(
            "UPDATE update_journal SET done = ?, body = '' WHERE bot = ? AND update_id = ?",
            (now, self.bot, update_id),
        )
        if now - self._pruned >= PRUNE_SECONDS:
            self._prune()

    def _prune(self) -> None:
        """Remove the updates handled more than KEEP_SECONDS ago (every bot's)."""
        self._pruned = self._clock()
        self._db.execute(
            "DELETE FROM update_journal WHERE done IS NOT NULL AND done < ?",
            (self._pruned - KEEP_SECONDS,),
        )

    def pending(self) -> list[tuple[int, str]]:
        """(update_id, body) of the updates received and not yet handled, oldest first."""
        return [
            (update_id, body)
            for update_id, body in self._db.query(
                "SELECT update_id, body FROM update_journal "
                "WHERE bot = ? AND done IS NULL ORDER BY update_id",
                (self.bot,),
            )
        ]

    def close(self) -> None:
        self._db.close()


def chat_key(update: Update) -> int:
    """Whose turn an update takes: its chat, else its user (inline queries), else 0."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0


class Waiting:
    """One chat's updates waiting, by person: the next is the oldest of whoever asked least
    in this backlog (waiting and served), then of whoever was served least, so that in a
    busy group a newcomer goes before the members asking most, and those take turns (a
    group's answers go out at Telegram's 20 a minute).

    >>> w = Waiting()
    >>> for update_id, user in [(1, 7), (2, 7), (3, 7), (4, 8)]:
    ...     w.add(user, update_id)
    >>> [w.take() for _ in range(4)]
    [4, 1, 2, 3]
    >>> w = Waiting()  # (a chat's Waiting lasts as long as its backlog)
    >>> for update_id, user in [(1, 7), (2, 7), (3, 8), (4, 8), (5, 9)]:
    ...     w.add(user, update_id)
    >>> [w.take() for _ in range(5)]  # the newcomer first, then turns
    [5, 1, 3, 2, 4]
    """

    def __init__(self) -> None:
        self.people: dict[int, deque[tuple[int, Any]]] = {}
        self.asked: Counter[int] = Counter()
        self.served: Counter[int] = Counter()
        self.count = 0
        self._order = 0

    def add(self, person: int, item: Any) -> None:
        self.people.setdefault(person, deque()).append((self._order, item))
        self._order += 1
        self.asked[person] += 1
        self.count += 1

    def take(self) -> Any:
        person = min(
            self.people,
            key=lambda p: (self.asked[p], self.served[p], self.people[p][0][0]),
        )
        queued = self.people[person]
        _, item = queued.popleft()
        if not queued:
            del self.people[person]
        self.served[person] += 1
        self.count -= 1
        return item


class FairQueue(asyncio.Queue):
    """The application's update queue: each update is journaled before it is queued (so
    before its arrival is confirmed to Telegram), a duplicate is dropped, and updates are
    handed out round-robin across chats, one at a time per chat and ``limit`` at a time in
    all; within a chat, by person (:class:`Waiting`). A newcomer's first question waits
    for one turn of the busy chats, never behind another chat's backlog, nor behind the
    backlog of others in a busy group.

    A group's next update is handed out when Telegram's pace (``pace``) frees a slot for
    its answer, not before: the one picked is the fairest at that moment, so a newcomer in
    a busy group is answered in the group's next slot (3 s apart once its burst is spent).

    python-telegram-bot's own objects (its stop signal) pass straight through. It is an
    ``asyncio.Queue`` by type only: python-telegram-bot calls the public methods below,
    which keep their own state (none of asyncio's private hooks are used).
    """

    def __init__(
        self, journal: UpdateJournal, pace: GroupPace | None = None, limit: int = IN_FLIGHT
    ) -> None:
        super().__init__()
        self.journal = journal
        self.pace = pace or GroupPace()
        self.limit = limit
        self._control: deque[object] = deque()  # python-telegram-bot's stop signal
        self._chats: dict[int, Waiting] = {}
        self._ready: deque[int] = deque()  # chats with a queued update and none in flight
        self._busy: set[int] = set()
        self._stopping = False  # once the stop signal is out: hand out anything, to drop it
        self._available = asyncio.Event()  # set when something may be handed out
        self._unfinished = 0  # queued and not yet marked done (python-telegram-bot's join)
        self._all_done = asyncio.Event()
        self._all_done.set()

    # -- what python-telegram-bot calls -----------------------------------------------------

    async def put(self, item: object) -> None:
        """Journal an update (dropping one received before), then queue it."""
        if isinstance(item, Update):
            body = json.dumps(item.to_dict(), ensure_ascii=False)
            if not await asyncio.to_thread(self.journal.record, item.update_id, body):
                log.info("update %s was received before; skipped", item.update_id)
                return
        self.put_nowait(item)

    def put_nowait(self, item: object) -> None:
        """Queue an update (already journaled), or python-telegram-bot's stop signal."""
        self._unfinished += 1
        self._all_done.clear()
        if not isinstance(item, Update):
            self._control.append(item)
        else:
            chat = chat_key(item)
            waiting = self._chats.setdefault(chat, Waiting())
            waiting.add(item.effective_user.id if item.effective_user else 0, item)
            if chat not in self._busy and waiting.count == 1:
                self._turn(chat)
        self._available.set()

    async def get(self) -> object:
        """The next update to handle, when there is one to hand out."""
        while self.empty():
            self._available.clear()
            await self._available.wait()
        return self.get_nowait()

    def get_nowait(self) -> object:
        if self.empty():
            raise asyncio.QueueEmpty
        if self._control:
            self._stopping = True  # python-telegram-bot drops what is left: it stays journaled
            return self._control.popleft()
        chat = next(iter(self._chats)) if self._stopping else self._ready.popleft()
        waiting = self._chats[chat]
        update = waiting.take()
        if not waiting.count:
            del self._chats[chat]
        self._busy.add(chat)
        return update

    def task_done(self) -> None:
        if self._unfinished <= 0:
            raise ValueError("task_done() called too many times")
        self._unfinished -= 1
        if not self._unfinished:
            self._all_done.set()

    async def join(self) -> None:
        await self._all_done.wait()

    def qsize(self) -> int:
        """Updates that can be handed out now."""
        if self._stopping:
            return len(self._control) + self.backlog
        available = len(self._ready) if len(self._busy) < self.limit else 0
        return len(self._control) + available

    def empty(self) -> bool:
        return self.qsize() == 0

    # -- Sanad's own ------------------------------------------------------------------------

    @property
    def backlog(self) -> int:
        """Updates received and not yet handed out."""
        return sum(w.count for w in self._chats.values())

    def pending(self, bot: Bot) -> list[Update]:
        """The updates journaled and not handled to the end (the bot stopped or died
        before), to queue again first (blocking: SQLite)."""
        updates = []
        for update_id, body in self.journal.pending():
            try:
                updates.append(Update.de_json(json.loads(body), bot))
            except (ValueError, TypeError, KeyError) as exc:
                log.warning("journaled update %s unreadable (%s); dropped", update_id, exc)
                self.journal.done(update_id)
        return updates

    def finished(self, update: Update) -> None:
        """The update's chat may have its next turn."""
        chat = chat_key(update)
        self._busy.discard(chat)
        if self._chats.get(chat):
            self._turn(chat)
        self._available.set()

    def _turn(self, chat: int) -> None:
        """The chat is ready now, or when its group's next slot is free."""
        wait = self.pace.wait(chat)
        if wait > 0:
            asyncio.get_running_loop().call_later(wait, self._due, chat)
        else:
            self._ready.append(chat)

    def _due(self, chat: int) -> None:
        if self._chats.get(chat) and chat not in self._busy and chat not in self._ready:
            self._turn(chat)  # ready, or later again if answers to other updates took the slot
            self._available.set()


def revoked(update: Update) -> bool:
    """The bot that received the update lost its token meanwhile: the update stays pending
    (its answer never went out)."""
    try:
        return bool(getattr(update.get_bot(), "revoked", False))
    except RuntimeError:  # no bot attached
        return False


class JournalProcessor(BaseUpdateProcessor):
    """Runs each update's handlers, then marks it done in the journal and gives its chat
    the next turn (a cancelled update stays pending: it is handled after a restart)."""

    def __init__(self, queue: FairQueue) -> None:
        super().__init__(queue.limit)
        self.queue = queue

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        cancelled = False
        try:
            await coroutine
        except asyncio.CancelledError:
            cancelled = True
            raise
        finally:
            if isinstance(update, Update):
                try:
                    if not cancelled and not revoked(update):
                        # at once (the window in which a crash would answer this update
                        # again is kept narrow), in a worker thread like every SQLite call
                        await asyncio.to_thread(self.queue.journal.done, update.update_id)
                finally:
                    self.queue.finished(update)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
