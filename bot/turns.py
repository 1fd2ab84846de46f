"""The previous question of each asker in each chat, so a follow-up is read with it."""

from __future__ import annotations

from bot.state import open_state
from index.question.followup import follow_up
from index.storage.sqlite import Database


class Turns:
    """Each asker's last question per chat (as it was understood) and when it was asked,
    in the index's SQLite file (table ``chat_turns``), so a conversation survives a restart.
    A question asked within ``window`` seconds of the previous one and leaning on it
    («وعن كازاخستان؟») is read together with it (:func:`index.question.followup.follow_up`).

    >>> turns = Turns(window=600)
    >>> turns.remember(1, 7, "ماذا قال رودينكو عن أوزبكستان؟", at=1000.0)
    >>> turns.read(1, 7, "وعن كازاخستان؟", at=1100.0)
    'ماذا قال رودينكو عن كازاخستان؟'
    >>> turns.read(1, 8, "وعن كازاخستان؟", at=1100.0) is None  # another asker in the group
    True
    >>> turns.read(1, 7, "وعن كازاخستان؟", at=1700.0) is None  # past the window
    True
    """

    def __init__(self, db: Database | None = None, *, window: float) -> None:
        self.window = window
        self._db = db or open_state()

    def read(self, chat: int, asker: int, question: str, at: float) -> str | None:
        """``question`` as understood with the asker's previous one, or None when it stands
        on its own (or there is no previous one within the window)."""
        if self.window <= 0:
            return None
        rows = self._db.query(
            "SELECT question, at FROM chat_turns WHERE chat = ? AND asker = ?", (chat, asker)
        )
        if not rows or not 0 <= at - rows[0][1] <= self.window:
            return None
        return follow_up(question, rows[0][0])

    def remember(self, chat: int, asker: int, question: str, at: float) -> None:
        """Keep ``question`` (as understood) as the asker's previous one in this chat."""
        if self.window <= 0:
            return
        self._db.execute(
            "INSERT INTO chat_turns(chat, asker, question, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(chat, asker) DO UPDATE SET question = excluded.question, at = excluded.at",
            (chat, asker, question, at),
        )
        self._db.execute("DELETE FROM chat_turns WHERE at < ?", (at - 2 * self.window,))

    def close(self) -> None:
        self._db.close()
