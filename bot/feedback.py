"""Keep 👍 / 👎 votes on answers in SQLite, with chats known only by a salted hash."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS feedback_salt (salt TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS feedback (
        id        INTEGER PRIMARY KEY,
        question  TEXT NOT NULL,
        shown     TEXT NOT NULL,
        chat_hash TEXT NOT NULL,
        helpful   INTEGER NOT NULL,
        at        TEXT NOT NULL
    )""",
]


class FeedbackStore:
    """Votes in the index's SQLite file (table ``feedback``)."""

    def __init__(self, path: Path | str) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            for statement in _SCHEMA:
                self._db.execute(statement)
            row = self._db.execute("SELECT salt FROM feedback_salt").fetchone()
            if row is None:
                salt = secrets.token_hex(16)
                self._db.execute("INSERT INTO feedback_salt(salt) VALUES (?)", (salt,))
            else:
                salt = row[0]
        self._salt = salt.encode()

    def chat_hash(self, chat_id: int) -> str:
        """A stable, salted hash: votes of one chat group together, the chat stays unknown."""
        return hmac.new(self._salt, str(chat_id).encode(), hashlib.sha256).hexdigest()[:32]

    def record(self, question: str, shown: list[int], chat_id: int, helpful: bool) -> None:
        at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._db.execute(
                "INSERT INTO feedback(question, shown, chat_hash, helpful, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (question, json.dumps(shown), self.chat_hash(chat_id), int(helpful), at),
            )

    def all(self) -> list[tuple[str, list[int], str, bool, str]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT question, shown, chat_hash, helpful, at FROM feedback ORDER BY id"
            ).fetchall()
        return [(q, json.loads(s), h, bool(v), at) for q, s, h, v, at in rows]

    def close(self) -> None:
        self._db.close()
