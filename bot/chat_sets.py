"""Which sets of documents each chat is answered from, kept in the bot's records."""

from __future__ import annotations

import re
from collections.abc import Collection as Names
from collections.abc import Sequence

from bot.state import open_state
from index.collection import Collection
from index.storage.sqlite import Database
from index.storage.store import DEFAULT_SET


def scope_key(scope: Sequence[str] | None) -> str:
    """How a chat's scope is written beside its logged questions and votes ('': all).

    >>> scope_key(None), scope_key(["ب", "أ"])
    ('', 'أ,ب')
    """
    return ",".join(sorted(scope)) if scope is not None else ""


_NAME = re.compile(r'["«“]([^"»”]*)["»”]|([^\s,،"«»“”]+)')


def set_names(argument: str, known: Names[str] = ()) -> list[str]:
    """The set names written after /use: apart by spaces or commas, a name with spaces in
    quotes («…» or "…"), or the whole argument when it is one ``known`` name as it stands.

    >>> set_names('أخبار، «فريق التحرير» "الأرشيف القديم" أخبار')
    ['أخبار', 'فريق التحرير', 'الأرشيف القديم']
    >>> set_names("فريق التحرير", known={"فريق التحرير"}), set_names("  ")
    (['فريق التحرير'], [])
    """
    argument = argument.strip()
    if argument in known:
        return [argument]
    found = (quoted.strip() or bare for quoted, bare in _NAME.findall(argument))
    return list(dict.fromkeys(name for name in found if name))


class ChatSets:
    """Each chat's sets of documents (a group's team, a course's readings). A chat given
    none is answered from the default set; a collection with no named set at all, from
    every document, exactly as before sets existed.

    >>> chats = ChatSets()
    >>> chats.use(-100, ["قانوني"]); chats.of(-100), chats.of(7)
    (['قانوني'], [])
    """

    def __init__(self, db: Database | None = None) -> None:
        self._db = db or open_state()

    def of(self, chat: int) -> list[str]:
        """The sets assigned to ``chat``, by name (none: none assigned)."""
        rows = self._db.query("SELECT name FROM chat_sets WHERE chat = ? ORDER BY name", (chat,))
        return [name for (name,) in rows]

    def use(self, chat: int, names: Sequence[str]) -> None:
        """Answer ``chat`` from these sets from now on (none: the default set again)."""
        with self._db.transaction() as db:
            db.execute("DELETE FROM chat_sets WHERE chat = ?", (chat,))
            db.executemany(
                "INSERT INTO chat_sets(chat, name) VALUES (?, ?)",
                [(chat, name) for name in dict.fromkeys(names) if name != DEFAULT_SET],
            )

    def scope(self, chat: int, collection: Collection) -> list[str] | None:
        """What ``chat`` is answered from: its sets; else the default set while the
        collection has named sets; else None, every document (blocking: run it in a
        worker thread)."""
        mine = self.of(chat)
        if mine:
            return mine
        return [DEFAULT_SET] if collection.has_sets() else None
