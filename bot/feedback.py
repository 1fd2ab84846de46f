"""Keep 👍 / 👎 votes on answers in SQLite, with chats known only by a salted hash."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime

from bot.state import open_state
from index.storage.sqlite import Database


class FeedbackStore:
    """Votes in the bot's SQLite file (table ``feedback``)."""

    def __init__(self, db: Database | None = None) -> None:
        self._db = db or open_state()
        with self._db.transaction() as c:
            row = c.execute("SELECT salt FROM feedback_salt").fetchone()
            if row is None:
                salt = secrets.token_hex(16)
                c.execute("INSERT INTO feedback_salt(salt) VALUES (?)", (salt,))
            else:
                salt = row[0]
        self._salt = salt.encode()

    def chat_hash(self, chat_id: int) -> str:
        """A stable, salted hash: votes of one chat group together, the chat stays unknown."""
        return hmac.new(self._salt, str(chat_id).encode(), hashlib.sha256).hexdigest()[:32]

    def record(
        self, question: str, shown: list[int], chat_id: int, helpful: bool, sets: str = ""
    ) -> None:
        at = datetime.now(UTC).isoformat(timespec="seconds")
        self._db.execute(
            "INSERT INTO feedback(question, shown, chat_hash, helpful, at, sets)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (question, json.dumps(shown), self.chat_hash(chat_id), int(helpful), at, sets),
        )

    def all(self) -> list[tuple[str, list[int], str, bool, str]]:
        rows = self._db.query(
            "SELECT question, shown, chat_hash, helpful, at FROM feedback ORDER BY id"
        )
        return [(q, json.loads(s), h, bool(v), at) for q, s, h, v, at in rows]

    def votes(self, days: float = 7, sets: str | None = None) -> tuple[int, int]:
        """👍 and 👎 of the last ``days`` days (on answers from ``sets``, when given)."""
        since = datetime.fromtimestamp(time.time() - days * 86_400, UTC)
        where = "" if sets is None else " AND sets = ?"
        rows = self._db.query(
            f"SELECT helpful, COUNT(*) FROM feedback WHERE at >= ?{where} GROUP BY helpful",
            (since.isoformat(timespec="seconds"), *(() if sets is None else (sets,))),
        )
        counts = dict(rows)
        return counts.get(1, 0), counts.get(0, 0)

    def close(self) -> None:
        self._db.close()
